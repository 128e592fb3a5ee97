import { destinationGuard, ipGuard, type OtpGuard } from "../durable/otp-guard";
import { constantTimeEqual, hmacSha256, newSecret, randomBytes, sha256Hex, toHex } from "../crypto/tokens";
import { ApiError, tooManyRequests } from "../http/errors";
import type { OtpRecord, OtpStore } from "../kv/otp-store";
import type { Notifier } from "../notify";
import type { MessagePurpose } from "../notify/purposes";
import { composeMessage } from "../notify/templates";
import type { Application } from "./applications";
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
   * an unknown destination gets the same answer as a known one without a message to a stranger.
   */
  deliver: boolean;
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

export type OtpCheck = OtpLookup & { purpose: MessagePurpose; code: string };

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
async function codeHash(secret: string, record: Pick<OtpRecord, "applicationId" | "requestId" | "channel" | "destination" | "purpose">, code: string) {
  const key = await hmacSha256(secret, "user-edge/otp-hash/v1");
  const message = [record.applicationId, record.requestId, record.channel, record.destination, record.purpose, code].join("\n");
  return toHex(await hmacSha256(key, message));
}

const otpExpired = () => new ApiError(400, "OTP_EXPIRED", "This OTP has expired or was already used; request a new one");

export interface SendLimitInput {
  purpose: MessagePurpose;
  destination: Destination;
  ip: string;
  now: number;
  otp?: { requestId: string; expiresAt: number };
}

/**
 * Counts one message against the client IP's hourly cap, then the destination's cap and cooldown
 * (which also registers the OTP it carries). The IP is charged first so that a client over its own
 * cap cannot use up a victim's destination budget.
 */
export async function limitSend(guard: DurableObjectNamespace<OtpGuard>, app: Application, input: SendLimitInput): Promise<void> {
  const settings = app.config.otp;
  const byIp = await ipGuard(guard, app.id, input.ip).reserve({
    now: input.now,
    purpose: "any",
    cooldownMs: 0,
    hourlyLimit: settings.per_ip_per_hour,
  });
  if (!byIp.ok) throw tooManyRequests("Too many messages requested from this network; try again later", byIp.retryAfterMs / 1000);
  const { channel, address } = input.destination;
  const byDestination = await destinationGuard(guard, app.id, channel, address).reserve({
    now: input.now,
    purpose: input.purpose,
    cooldownMs: settings.resend_timer * 1000,
    hourlyLimit: settings.per_destination_per_hour,
    ...(input.otp ? { otp: input.otp } : {}),
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
}

async function requireResendToken(deps: OtpDeps, app: Application, input: IssueOtpInput, token: string) {
  const { channel, address } = input.destination;
  const previous = await deps.otps.latest(app.id, channel, input.purpose, address);
  if (!previous || !constantTimeEqual(await sha256Hex(token), previous.resendTokenHash)) {
    throw new ApiError(400, "INVALID_RESEND_TOKEN", "The resend token is invalid or expired; request a new OTP");
  }
}

async function discard(deps: OtpDeps, record: OtpRecord) {
  await destinationGuard(deps.guard, record.applicationId, record.channel, record.destination).revoke(record.requestId);
  await deps.otps.remove(record);
}

/**
 * Issues an OTP: limits, then the hashed record (superseding earlier OTPs for the same destination
 * and purpose), then delivery. A delivery failure revokes it and answers 502.
 */
export async function issueOtp(deps: OtpDeps, app: Application, input: IssueOtpInput, now = Date.now()): Promise<IssuedOtp> {
  const settings = app.config.otp;
  if (input.resendToken !== undefined) await requireResendToken(deps, app, input, input.resendToken);
  const requestId = toHex(randomBytes(16));
  const expiresAt = now + settings.ttl_seconds * 1000;
  await limitSend(deps.guard, app, { ...input, now, otp: { requestId, expiresAt } });

  const code = generateOtp(settings.length);
  const resendToken = newSecret();
  const bound = { applicationId: app.id, requestId, channel: input.destination.channel, destination: input.destination.address, purpose: input.purpose };
  const record: OtpRecord = {
    ...bound,
    codeHash: await codeHash(deps.secret, bound, code),
    resendTokenHash: await sha256Hex(resendToken),
    expiresAt,
    createdAt: now,
  };
  await deps.otps.save(record, settings.ttl_seconds);
  if (input.deliver) {
    const message = composeMessage(
      { applicationId: app.id, config: app.config, channel: bound.channel, to: bound.destination, purpose: input.purpose, code, smsAppHash: input.smsAppHash },
      now,
    );
    await deliverOrUndo(deps.notifier, message, () => discard(deps, record));
  }
  return { requestId, resendToken, resendTimer: settings.resend_timer };
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
