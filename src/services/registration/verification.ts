import { newSecret, randomBytes, toHex } from "../../crypto/tokens";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import { ApiError } from "../../errors";
import type { CodeStore } from "../../kv/code-store";
import type { Notifier } from "../../notify";
import type { PlatformConfig } from "../../schemas/platform-config";
import type { Application } from "../tenants/applications";
import { contactEntry, markContactVerified, notOnAccount, requireUsable, type ContactVerificationDeps } from "../accounts/by-contact";
import type { Destination } from "../codes/destinations";
import { issueCode, peekCode } from "../codes/one-time-codes";
import { issueOtp, verifyOtp, type IssuedOtp, type OtpDeps, type OtpLookup, type SendOtpInput } from "../codes/otp";

/*
 * The login rule for accounts that registered with a form (and so chose a password without proving
 * any contact): an account starts its first session only once its owner has proven one of its
 * contacts, when the application asks for proof (`register_required_fields.<email|mobile>.level`
 * "hard"). Registration then sends an OTP to each such contact and answers with a register_token
 * instead of a session; verifyEmailOTP / verifyMobileOTP with that token mark the contact verified
 * and log in. A password login before that is refused with a fresh register_token (the client asks
 * for the code with the token: sendOTPOnEmail / sendOTPOnMobile).
 * Every other way in proves a contact by itself (OTP login, reset codes, a provider-verified email)
 * or is the store's own decision (platform createUserSession). With "soft" levels nothing is sent and
 * registration logs in at once; contacts can be verified later.
 */

/** How long a register_token lets its holder send and verify the registration OTPs. */
export const REGISTER_TOKEN_TTL_SECONDS = 3600;

export interface RegistrationVerificationDeps extends OtpDeps, ContactVerificationDeps {
  users: UsersRepo;
  codes: CodeStore;
}

/** What registration (or a refused password login) tells the client about verifying: the RegisterFormSuccess OTP fields. */
export interface VerificationStart {
  verify_email_otp: boolean;
  verify_mobile_otp: boolean;
  request_id?: string;
  resend_timer?: number;
  resend_token?: string;
  resend_email_token?: string;
  register_token?: string;
}

export const verificationPending = (v: VerificationStart) => v.verify_email_otp || v.verify_mobile_otp;

/** Whether the application wants this kind of contact proven before the first session (level "hard"). */
const wantsProof = (config: PlatformConfig, d: Destination) =>
  (d.channel === "email" ? config.register_required_fields.email.level : config.register_required_fields.mobile.level) === "hard";

const sameDestination = (a: Destination) => (b: Destination) => a.channel === b.channel && a.address === b.address;

/**
 * What registration answers when a contact already has an account: the fields a new account with these
 * contacts would get (OTPs "sent", a register_token), random and bound to nothing, so the answer does
 * not tell the two apart, in the time a new account's codes take to send. The real owner gets a
 * register_attempt notice instead of a code.
 */
export async function decoyVerification(
  notifier: Notifier,
  config: PlatformConfig,
  registration: { contacts: Destination[]; taken: Destination; noticeSent: boolean },
): Promise<VerificationStart> {
  const pending = registration.contacts.filter((d) => wantsProof(config, d));
  // A new account's answer waits for one code per contact to prove; the notice to the owner was one such wait.
  for (const destination of pending) {
    const notified = registration.noticeSent && sameDestination(registration.taken)(destination);
    if (!notified) await notifier.imitate({ channel: destination.channel });
  }
  const start = flagsFor(pending);
  if (pending.length === 0) return start;
  start.resend_timer = config.otp.resend_timer;
  if (start.verify_email_otp) start.resend_email_token = newSecret();
  if (start.verify_mobile_otp) Object.assign(start, { request_id: toHex(randomBytes(16)), resend_token: newSecret() });
  start.register_token = newSecret();
  return start;
}

/** The account's unverified primary contacts whose kind the application wants proven ("hard"). */
export function contactsToVerify(config: PlatformConfig, record: UserRecord): Destination[] {
  const email = record.emails.find((e) => e.active && e.primary && !e.verified);
  const phone = record.phones.find((p) => p.active && p.primary && !p.verified);
  const unverified: Destination[] = [
    ...(email ? [{ channel: "email" as const, address: email.email }] : []),
    ...(phone ? [{ channel: "sms" as const, address: phone.e164 }] : []),
  ];
  return unverified.filter((d) => wantsProof(config, d));
}

/** The contacts standing between the account and a session: none once any of its contacts is verified. */
export function pendingVerification(config: PlatformConfig, record: UserRecord): Destination[] {
  const proven = record.emails.some((e) => e.active && e.verified) || record.phones.some((p) => p.active && p.verified);
  return proven ? [] : contactsToVerify(config, record);
}

const invalidRegisterToken = () =>
  new ApiError(400, "REGISTER_TOKEN_INVALID", "The register_token is invalid or expired; log in with your password to get a new one");

function issueRegisterToken(deps: RegistrationVerificationDeps, app: Application, record: UserRecord, first: Destination): Promise<string> {
  const bound = { kind: "register_token" as const, applicationId: app.id, userId: record.user.id, channel: first.channel, destination: first.address };
  return issueCode(deps.codes, bound, REGISTER_TOKEN_TTL_SECONDS);
}

const flagsFor = (pending: Destination[]): VerificationStart => ({
  verify_email_otp: pending.some((d) => d.channel === "email"),
  verify_mobile_otp: pending.some((d) => d.channel === "sms"),
});

/**
 * Registration: sends an OTP to every contact the account must prove and issues the register_token
 * for them. Without a pending contact nothing is sent and nothing is issued: the caller logs in.
 */
export async function startVerification(
  deps: RegistrationVerificationDeps,
  app: Application,
  record: UserRecord,
  ip: string,
): Promise<VerificationStart> {
  const pending = pendingVerification(app.config, record);
  const start = flagsFor(pending);
  const [first] = pending;
  if (!first) return start;
  for (const destination of pending) {
    const issued = await issueOtp(deps, app, { purpose: "register", destination, ip, deliver: true, userId: record.user.id });
    start.resend_timer = issued.resendTimer;
    if (destination.channel === "email") start.resend_email_token = issued.resendToken;
    else Object.assign(start, { request_id: issued.requestId, resend_token: issued.resendToken });
  }
  start.register_token = await issueRegisterToken(deps, app, record, first);
  return start;
}

/**
 * A login that proves no contact (password) of an account still to verify: a fresh register_token
 * and which contacts need it, nothing sent — the client asks for a code (sendOTPOnEmail /
 * sendOTPOnMobile with the token), so retried logins do not resend and run into the cooldown.
 * Undefined when nothing is pending.
 */
export async function verificationChallenge(
  deps: RegistrationVerificationDeps,
  app: Application,
  record: UserRecord,
): Promise<VerificationStart | undefined> {
  const pending = pendingVerification(app.config, record);
  const [first] = pending;
  if (!first) return undefined;
  return { ...flagsFor(pending), register_token: await issueRegisterToken(deps, app, record, first) };
}

/** The account a register_token was issued for; blocked, archived and deleting accounts are refused. */
async function registrant(deps: RegistrationVerificationDeps, app: Application, registerToken: string): Promise<UserRecord> {
  const token = await peekCode(deps.codes, app.id, "register_token", registerToken);
  const account = token && (await deps.users.findById(app.id, token.userId));
  if (!account) throw invalidRegisterToken();
  return requireUsable(account);
}


/** sendOTPOnEmail / sendOTPOnMobile with a register_token: (re)sends the OTP of one contact still to verify. */
export async function sendVerificationOtp(
  deps: RegistrationVerificationDeps,
  app: Application,
  input: SendOtpInput & { registerToken: string },
): Promise<IssuedOtp> {
  const { registerToken, ...send } = input;
  const account = await registrant(deps, app, registerToken);
  if (!contactsToVerify(app.config, account).some(sameDestination(send.destination))) {
    throw new ApiError(400, "CONTACT_NOT_PENDING", "This contact is not one the registration has to verify");
  }
  return issueOtp(deps, app, { ...send, purpose: "register", deliver: true, userId: account.user.id });
}

export interface VerificationResult {
  user: UserRecord;
  /** True when this verification was the account's first proven contact (it completed the sign-up). */
  completed: boolean;
}

/**
 * verifyEmailOTP / verifyMobileOTP with a register_token: checks the registration OTP (the token is
 * checked first, so a stale token spends no attempt), marks its contact verified, and returns the
 * account, which the caller logs in. Independent of `login.otp`: this is registration, not OTP login.
 */
export async function completeVerification(
  deps: RegistrationVerificationDeps,
  app: Application,
  input: OtpLookup & { registerToken: string; code: string },
): Promise<VerificationResult> {
  const { registerToken, ...check } = input;
  const account = await registrant(deps, app, registerToken);
  const otp = await verifyOtp(deps, app, { ...check, purpose: "register", userId: account.user.id });
  const destination: Destination = { channel: otp.channel, address: otp.destination };
  const entry = contactEntry(account, destination);
  if (!entry) throw notOnAccount();
  const completed = pendingVerification(app.config, account).length > 0;
  if (!entry.verified && !(await markContactVerified(deps, app.id, account.user.id, destination, "otp"))) throw notOnAccount();
  const user = await deps.users.findById(app.id, account.user.id);
  if (!user) throw invalidRegisterToken();
  return { user: requireUsable(user), completed };
}
