import type { ContactsRepo } from "../../db/contacts-repo";
import type { EventsRepo } from "../../db/events-repo";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import { accountUnusableReason } from "../accounts/users";
import { ApiError } from "../../errors";
import type { CodeRecord } from "../../kv/code-store";
import type { Application } from "../tenants/applications";
import { contactEntry, findAccount, markContactVerified, requireUsable } from "../accounts/by-contact";
import type { Destination } from "../codes/destinations";
import { imitateLink, sendLink, type LinkDeps } from "../codes/links";
import { consumeCode, invalidCode, issueCode, peekCode } from "../codes/one-time-codes";
import { issueOtp, limitedSend, verifyOtp, type IssuedOtp, type OtpDeps, type OtpLookup, type SendOtpInput } from "../codes/otp";
import { setPassword, type AccountDeps } from "./passwords";

/** How long a forgot_token (proof of a verified forgot-password OTP) can be used to set a password. */
export const FORGOT_TOKEN_TTL_SECONDS = 600;

export interface PasswordResetDeps extends OtpDeps, LinkDeps {
  users: UsersRepo;
  contacts: ContactsRepo;
  events: EventsRepo;
}

function requireForgotPassword(app: Application) {
  if (!app.config.forgot_password) throw new ApiError(403, "FORGOT_PASSWORD_DISABLED", "This store does not allow password resets");
}

/** An account that may reset its password through this contact; unknown and unusable ones look alike. */
async function resettableAccount(deps: PasswordResetDeps, app: Application, destination: Destination) {
  const account = await findAccount(deps.users, app.id, destination);
  return account && !accountUnusableReason(account.user) ? account : undefined;
}

/** Sends a forgot-password OTP; unknown contacts get a decoy (same answer and time, nothing sent). */
export async function sendForgotOtp(deps: PasswordResetDeps, app: Application, input: SendOtpInput): Promise<IssuedOtp> {
  requireForgotPassword(app);
  const account = await resettableAccount(deps, app, input.destination);
  return issueOtp(deps, app, { ...input, purpose: "forgot", deliver: account !== undefined });
}

/**
 * Verifies a forgot-password OTP and returns a forgot_token: single use, bound to the user, the
 * contact and the application, valid FORGOT_TOKEN_TTL_SECONDS. resetForgotPassword consumes it.
 */
export async function verifyForgotOtp(deps: PasswordResetDeps, app: Application, check: OtpLookup & { code: string }): Promise<string> {
  requireForgotPassword(app);
  const record = await verifyOtp(deps, app, { ...check, purpose: "forgot" });
  const destination: Destination = { channel: record.channel, address: record.destination };
  const account = await findAccount(deps.users, app.id, destination);
  if (!account) throw new ApiError(403, "ACCOUNT_UNAVAILABLE", "No account uses this contact any more");
  requireUsable(account);
  const token = await issueCode(deps.codes, {
    kind: "forgot_token",
    applicationId: app.id,
    userId: account.user.id,
    channel: destination.channel,
    destination: destination.address,
  }, FORGOT_TOKEN_TTL_SECONDS);
  await deps.events.record({
    applicationId: app.id,
    userId: account.user.id,
    type: "user.password_reset_verified",
    title: "Password reset verified",
    subTitle: destination.channel === "email" ? "email OTP" : "mobile OTP",
    actor: "user",
    visible: false,
    data: { channel: destination.channel },
  });
  return token;
}

/**
 * Sends a reset link with a single-use code to a known, usable account. The limits are charged and
 * the answer is the same for unknown contacts; they get no message, in the time a message takes.
 */
export async function sendResetLink(
  deps: PasswordResetDeps,
  app: Application,
  input: { destination: Destination; ip: string },
  now = Date.now(),
): Promise<void> {
  requireForgotPassword(app);
  const account = await resettableAccount(deps, app, input.destination);
  await limitedSend(deps.guard, app, { purpose: "reset_link", destination: input.destination, ip: input.ip, now }, async () => {
    const link = { kind: "reset_password", purpose: "reset_link", destination: input.destination } as const;
    if (account) await sendLink(deps, app, { ...link, userId: account.user.id }, now);
    else await imitateLink(deps, app, link, now);
  });
}

/**
 * sendResetToken: whether a reset-link code is live. It does not use the code up, so the reset page
 * can check its link on load and forgotPassword (which consumes it) still works afterwards.
 */
export async function checkResetCode(deps: PasswordResetDeps, app: Application, code: string): Promise<CodeRecord> {
  requireForgotPassword(app);
  const record = await peekCode(deps.codes, app.id, "reset_password", code);
  if (!record) throw invalidCode();
  return record;
}

export interface ResetWithCodeInput {
  /** `forgot_token` (resetForgotPassword) or `reset_password` (forgotPassword, the link's code). */
  kind: "forgot_token" | "reset_password";
  code: string;
  password: string;
}

/**
 * The end of both forgot-password paths. The code names the account and the contact it went
 * through; the new password must pass the policy and the history, and only then is the code used
 * up (setPassword's claim), so a refused password leaves it usable and of any number of concurrent
 * uses exactly one sets a password. Every session of the account ends. The code proved the contact,
 * so an unverified primary contact becomes verified (how an account whose registration was never
 * verified is recovered). Returns the account as it now is.
 */
export async function resetPasswordWithCode(
  deps: PasswordResetDeps,
  accounts: AccountDeps,
  app: Application,
  input: ResetWithCodeInput,
): Promise<UserRecord> {
  requireForgotPassword(app);
  const record = await peekCode(deps.codes, app.id, input.kind, input.code);
  if (!record) throw invalidCode();
  const account = await deps.users.findById(app.id, record.userId);
  const destination: Destination = { channel: record.channel, address: record.destination };
  const entry = account && contactEntry(account, destination);
  // The contact left the account since the code was sent: the code no longer proves anything about it.
  if (!account || !entry) throw invalidCode();
  requireUsable(account);
  await setPassword(accounts, app, {
    user: account,
    password: input.password,
    actor: "user",
    reason: "reset",
    claim: async () => {
      if (!(await consumeCode(deps.codes, deps.guard, app.id, input.kind, input.code))) throw invalidCode();
    },
  });
  // Only a primary: it is claimed (unique) in the application, so no other account can hold it verified.
  if (entry.primary && !entry.verified) {
    await markContactVerified(deps, app.id, account.user.id, destination, input.kind === "forgot_token" ? "otp" : "link");
  }
  const updated = await deps.users.findById(app.id, account.user.id);
  if (!updated) throw new Error(`user ${account.user.id} missing right after its password was reset`);
  return updated;
}
