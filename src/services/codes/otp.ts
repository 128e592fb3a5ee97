import { destinationGuard, ipGuard, type OtpGuard } from "../../durable/otp-guard";
import { constantTimeEqual, hmacSha256, newSecret, randomBytes, sha256Hex, toHex } from "../../crypto/tokens";
import { ApiError, tooManyRequests } from "../../errors";
import type { OtpRecord, OtpStore } from "../../kv/otp-store";
import type { Notifier } from "../../notify";
import type { MessagePurpose } from "../../notify/purposes";
import { composeMessage } from "../../notify/templates";
import type { Application } from "../tenants/applications";
import { deliverOrUndo } from "./delivery";
import type { Destination } from "./destinations";

export interface OtpDeps {
  otps: OtpStore;
  guard: DurableObjectNamespace<OtpGuard>;
  notifier: Notifier;
  /** Server secret (the pepper); OTP hashes use a key derived from it for this purpose only. */
  secret: string;
}

export interface IssueOtpInput {
  purpose: MessagePurpose;
  destination: Destination;
  ip: string;
  /**
   * False for a decoy: an OTP that is stored and limited exactly like a real one but never sent, so
   * an unknown destination gets the same answer as a known one without a message to a stranger; it
   * takes as long as a send, provider call included (Notifier.imitate), so timing does not tell them apart.
   */
  deliver: boolean;
  /** The account the OTP is for, when a session (or a register_token) asked for it: it then verifies only for that account. */
  userId?: string;
  /** On `action: "resend"`: the resend token of the previous send for this destination and purpose. */
  resendToken?: string;
  smsAppHash?: string;
}

/** What a send endpoint supplies; the flow decides the purpose and whether to deliver. */
export type SendOtpInput = Omit<IssueOtpInput, "purpose" | "deliver">;

export interface IssuedOtp {
  requestId: string;
  resendToken: string;
  /** Seconds before another send for this destination and purpose is allowed. */
  resendTimer: number;
}

/** Which OTP is meant: by request_id (mobile flows), by destination (email flows carry no request_id), or both. */
export type OtpLookup =
  | { requestId: string; destination?: Destination }
  | { requestId?: undefined; destination: Destination };

/** `userId`: the account submitting it; an OTP issued for an account verifies only for that account, and only such a check takes one. */
export type OtpCheck = OtpLookup & { purpose: MessagePurpose; code: string; userId?: string };

/** Uniform digits from the CSPRNG: draws above the largest multiple of 10^length are redrawn, so no digit is favoured. */
export function generateOtp(length: number): string {
  const range = 10 ** length;
  const limit = Math.floor(2 ** 32 / range) * range;
  const draw = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(draw);
    if (draw[0]! < limit) return String(draw[0]! % range).padStart(length, "0");
  }
}

/**
 * HMAC over the code and everything it is bound to, so a stored hash only ever verifies for its own
 * request, destination, purpose and application, and a leaked KV dump cannot be brute-forced offline.
 */
async function codeHash(
  secret: string,
  record: Pick<OtpRecord, "applicationId" | "requestId" | "channel" | "destination" | "purpose" | "userId">,
  code: string,
) {
  const key = await hmacSha256(secret, "user-edge/otp-hash/v1");
  const bound = [record.applicationId, record.requestId, record.channel, record.destination, record.purpose];
  // The user joins the hash only when there is one, so records written before it existed still verify.
  const message = [...bound, ...(record.userId ? [`user:${record.userId}`] : []), code].join("\n");
  return toHex(await hmacSha256(key, message));
}

const otpExpired = () => new ApiError(400, "OTP_EXPIRED", "This OTP has expired or was already used; request a new one");

export interface SendLimitInput {
  purpose: MessagePurpose;
  destination: Destination;
  ip: string;
  now: number;
  /** The OTP the send carries; it replaces the destination's live OTP of this purpose once delivered. */
  otp?: { requestId: string; expiresAt: number };
}

/**
 * Runs one send (`send` stores its secret and delivers it, or decides not to, for a decoy) under the
 * send limits. The client IP's hourly cap is charged first, so that a client over its own cap cannot
 * use up a victim's destination budget, and for good: a delivery that fails still counts there, which
 * keeps a stream of failing sends (provider down, or refusing one address) bounded per client exactly
 * like delivered ones. The destination's cap and cooldown only hold the send while `send` runs (the
 * hold counts, so concurrent sends are decided exactly) and keep it only if `send` succeeds; if it
 * throws, the destination is as before: no cooldown, nothing counted, its live OTP still the one to use.
 */
export async function limitedSend<T>(
  guard: DurableObjectNamespace<OtpGuard>,
  app: Application,
  input: SendLimitInput,
  send: () => Promise<T>,
): Promise<T> {
  const settings = app.config.otp;
  const byIp = await ipGuard(guard, app.id, input.ip).reserve({
    now: input.now,
    purpose: "any",
    cooldownMs: 0,
    hourlyLimit: settings.per_ip_per_hour,
  });
  if (!byIp.ok) throw tooManyRequests("Too many messages requested from this network; try again later", byIp.retryAfterMs / 1000);
  const { channel, address } = input.destination;
  const destination = destinationGuard(guard, app.id, channel, address);
  const hold = input.otp
    ? { id: input.otp.requestId, otp: { expiresAt: input.otp.expiresAt } }
    : { id: toHex(randomBytes(16)) };
  const byDestination = await destination.reserve({
    now: input.now,
    purpose: input.purpose,
    cooldownMs: settings.resend_timer * 1000,
    hourlyLimit: settings.per_destination_per_hour,
    hold,
  });
  if (!byDestination.ok) {
    const seconds = Math.ceil(byDestination.retryAfterMs / 1000);
    throw tooManyRequests(
      byDestination.reason === "cooldown"
        ? `Wait ${seconds} seconds before asking for another code`
        : "Too many messages to this destination; try again later",
      seconds,
    );
  }
  let sent: T;
  try {
    sent = await send();
  } catch (error) {
    await destination.settle(hold.id, false);
    throw error;
  }
  await destination.settle(hold.id, true);
  return sent;
}

export const invalidResendToken = () => new ApiError(400, "INVALID_RESEND_TOKEN", "The resend token is invalid or expired; request a new OTP");

/**
 * The live OTP of `destination` that this resend token belongs to, among `purposes` (in that order):
 * a resend that names no flow is told apart by its token alone.
 */
export async function resentOtp(
  deps: OtpDeps,
  app: Application,
  destination: Destination,
  token: string,
  purposes: readonly MessagePurpose[],
): Promise<OtpRecord | undefined> {
  const hash = await sha256Hex(token);
  for (const purpose of purposes) {
    const previous = await deps.otps.latest(app.id, destination.channel, purpose, destination.address);
    if (previous && constantTimeEqual(hash, previous.resendTokenHash)) return previous;
  }
  return undefined;
}

async function requireResendToken(deps: OtpDeps, app: Application, input: IssueOtpInput, token: string) {
  if (!(await resentOtp(deps, app, input.destination, token, [input.purpose]))) throw invalidResendToken();
}

/**
 * Issues an OTP: limits, then the hashed record, then delivery; only a delivered OTP replaces the
 * earlier one for the same destination and purpose. A delivery failure drops the new OTP and answers
 * 502, leaving the earlier OTP, its resend token and the destination's limits as they were.
 */
export async function issueOtp(deps: OtpDeps, app: Application, input: IssueOtpInput, now = Date.now()): Promise<IssuedOtp> {
  const settings = app.config.otp;
  if (input.resendToken !== undefined) await requireResendToken(deps, app, input, input.resendToken);
  const requestId = toHex(randomBytes(16));
  const expiresAt = now + settings.ttl_seconds * 1000;
  const resendToken = newSecret();
  const record = await limitedSend(deps.guard, app, { ...input, now, otp: { requestId, expiresAt } }, async () => {
    const code = generateOtp(settings.length);
    const bound = {
      applicationId: app.id,
      requestId,
      channel: input.destination.channel,
      destination: input.destination.address,
      purpose: input.purpose,
      ...(input.userId ? { userId: input.userId } : {}),
    };
    const saved: OtpRecord = {
      ...bound,
      codeHash: await codeHash(deps.secret, bound, code),
      resendTokenHash: await sha256Hex(resendToken),
      expiresAt,
      createdAt: now,
    };
    await deps.otps.save(saved, settings.ttl_seconds);
    const message = composeMessage(
      { applicationId: app.id, config: app.config, channel: bound.channel, to: bound.destination, purpose: input.purpose, code, smsAppHash: input.smsAppHash },
      now,
    );
    if (input.deliver) await deliverOrUndo(deps.notifier, message, () => deps.otps.remove(saved));
    else await deps.notifier.imitate(message);
    return saved;
  });
  await deps.otps.markLatest(record, settings.ttl_seconds);
  return { requestId, resendToken, resendTimer: settings.resend_timer };
}

/**
 * A code bound to an account verifies only for that account. A login code sent without a session is bound
 * to no one and verifies from any session (the sign-in replaces it); every other unbound purpose must be
 * spent unbound, so a check naming a user (deletion, contact change) never spends a stranger's code.
 */
function boundTo(record: OtpRecord, check: OtpCheck): boolean {
  if (check.purpose === "login" && record.userId === undefined) return true;
  return record.userId === check.userId;
}

/**
 * Checks a submitted OTP. The attempt is decided by the destination's guard object, so the attempt
 * limit is exact under any concurrency and a used OTP never verifies twice. Returns the OTP record.
 */
export async function verifyOtp(deps: OtpDeps, app: Application, check: OtpCheck, now = Date.now()): Promise<OtpRecord> {
  const { destination } = check;
  const record = check.requestId
    ? await deps.otps.get(app.id, check.requestId)
    : destination && (await deps.otps.latest(app.id, destination.channel, check.purpose, destination.address));
  const mismatch =
    !record ||
    record.purpose !== check.purpose ||
    !boundTo(record, check) ||
    (destination && (record.channel !== destination.channel || record.destination !== destination.address));
  if (mismatch || record.expiresAt <= now) throw otpExpired();

  const matched = constantTimeEqual(await codeHash(deps.secret, record, check.code), record.codeHash);
  const outcome = await destinationGuard(deps.guard, app.id, record.channel, record.destination).attempt({
    now,
    requestId: record.requestId,
    matched,
    maxAttempts: app.config.otp.max_attempts,
  });
  switch (outcome.result) {
    case "accepted":
      await deps.otps.remove(record);
      return record;
    case "wrong":
      throw new ApiError(400, "OTP_INVALID", "Wrong OTP", { attempts_left: outcome.attemptsLeft });
    case "exhausted":
      throw new ApiError(429, "OTP_ATTEMPTS_EXCEEDED", "Too many wrong attempts; this OTP no longer works, request a new one");
    case "gone":
      throw otpExpired();
  }
}
