import { newSecret, sha256Hex } from "../../crypto/tokens";
import { userFactorGuard } from "../../durable/factor-guard";
import { ApiError } from "../../errors";
import { accountUnusableReason } from "../accounts/users";
import {
  activeTotp,
  confirmTotpEnrollment,
  proveSecondFactor,
  startTotpEnrollment,
  totpOffered,
  type FactorProof,
  type MfaTenant,
  type SecondFactorDeps,
} from "./second-factor";

export const MFA_TICKET_TTL_SECONDS = 300;
/** Wrong codes one ticket survives; the login guard limits the account and the IP besides. */
const TICKET_ATTEMPTS = 5;

/** Logins that already carry two factors: a passkey (possession + user verification), or one finished with a second factor. */
export const carriesTwoFactors = (method: string) => method === "passkey" || method.includes("+");

export interface TicketRecord {
  /** The first factor's login method (password, otp, google, token...). */
  method: string;
  /** The policy requires a second factor the user has not set up: they enroll TOTP with this ticket. */
  enroll: boolean;
}

/** The ticket names its user: `<user id>.<secret>`, so it reaches that user's guard; only the secret's hash is kept. */
const TICKET_PATTERN = /^([0-9a-f]{24})\.([A-Za-z0-9_-]{43})$/;

export const ticketInvalid = () =>
  new ApiError(401, "MFA_TICKET_INVALID", "The MFA ticket is unknown, expired or already used; log in again");

/**
 * The second step of a login, when one is due: the user has TOTP on, or the application requires a
 * second factor of everyone (then the ticket lets them enroll). Throws 403 SECOND_FACTOR_REQUIRED
 * carrying a single-use ticket (5 minutes) bound to this user of this application and to this login
 * attempt, instead of letting the login make a session. Does nothing (no read) when MFA is off.
 */
export async function requireSecondFactor(stores: SecondFactorDeps, app: MfaTenant, userId: string, method: string): Promise<void> {
  if (!totpOffered(app.config.mfa) || carriesTwoFactors(method)) return;
  const enrolled = await activeTotp(stores, app, userId);
  if (!enrolled && app.config.mfa.required !== "required") return;
  const secret = newSecret();
  const record: TicketRecord = { method, enroll: !enrolled };
  const now = Date.now();
  await userFactorGuard(stores.guard, app.id, userId).put(
    `ticket:${await sha256Hex(secret)}`,
    JSON.stringify(record),
    now + MFA_TICKET_TTL_SECONDS * 1000,
    now,
  );
  throw new ApiError(
    403,
    "SECOND_FACTOR_REQUIRED",
    enrolled ? "Enter the code from your authenticator app" : "This store requires two-factor authentication: set it up to finish logging in",
    { mfa_ticket: `${userId}.${secret}`, expires_in: MFA_TICKET_TTL_SECONDS, methods: enrolled ? ["totp", "recovery_code"] : ["totp_enroll"] },
  );
}

async function openTicket(stores: SecondFactorDeps, app: MfaTenant, ticket: string) {
  const match = TICKET_PATTERN.exec(ticket);
  if (!match) throw ticketInvalid();
  const userId = match[1]!;
  const key = `ticket:${await sha256Hex(match[2]!)}`;
  const guard = userFactorGuard(stores.guard, app.id, userId);
  const peeked = await guard.peek(key, Date.now());
  if (!peeked.found) throw ticketInvalid();
  return { userId, key, guard, record: JSON.parse(peeked.value) as TicketRecord };
}

/** The ticket's user, still able to log in. */
async function usableUser(stores: SecondFactorDeps, app: MfaTenant, userId: string) {
  const user = await stores.users.findById(app.id, userId);
  if (!user) throw ticketInvalid();
  const unusable = accountUnusableReason(user.user);
  if (unusable) throw new ApiError(403, "ACCOUNT_UNUSABLE", unusable);
  return user;
}

/** For a ticket that asks the user to enroll: the TOTP secret, URI and QR code to set up the app with. */
export async function enrollWithTicket(stores: SecondFactorDeps, app: MfaTenant, ticket: string) {
  const { userId, record } = await openTicket(stores, app, ticket);
  if (!record.enroll) throw new ApiError(409, "MFA_ALREADY_ENABLED", "Two-factor authentication is already on; enter a code");
  return startTotpEnrollment(stores, app, await usableUser(stores, app, userId));
}

/**
 * The second step: the ticket and a TOTP code (or a recovery code; or, for an enrolling ticket, the
 * first code of the new secret). A wrong code counts on the ticket and in the login guard; the
 * right one uses the ticket up, once, however many requests race with it. Returns the user (still
 * able to log in), the method to record (`password+totp`...), and the recovery codes of a new enrollment.
 */
export async function finishSecondFactor(stores: SecondFactorDeps, app: MfaTenant, input: { ticket: string } & FactorProof, clientIp: string) {
  const { userId, key, guard, record } = await openTicket(stores, app, input.ticket);
  let second: string;
  let recoveryCodes: string[] | undefined;
  try {
    if (record.enroll) {
      if (input.code === undefined) throw new ApiError(400, "CODE_REQUIRED", "Enter the first code from your authenticator app");
      recoveryCodes = (await confirmTotpEnrollment(stores, app, userId, input.code, clientIp)).recovery_codes;
      second = "totp";
    } else {
      const row = await activeTotp(stores, app, userId);
      // Turned off or reset since the ticket was issued: the ticket has nothing left to prove.
      if (!row) throw ticketInvalid();
      second = await proveSecondFactor(stores, app, row, input, clientIp);
    }
  } catch (error) {
    if (error instanceof ApiError && error.code === "SECOND_FACTOR_INVALID") await guard.fail(key, TICKET_ATTEMPTS, Date.now());
    throw error;
  }
  if ((await guard.take(key, Date.now())) === undefined) throw ticketInvalid();
  return { user: await usableUser(stores, app, userId), method: `${record.method}+${second}`, recoveryCodes };
}
