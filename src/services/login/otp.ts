import type { ContactsRepo } from "../../db/contacts-repo";
import type { EventsRepo } from "../../db/events-repo";
import { ContactTakenError, type UserRecord, type UsersRepo } from "../../db/users-repo";
import { ApiError } from "../../errors";
import type { Application } from "../tenants/applications";
import { contactVerified, findAccount, markContactVerified, requireUsable } from "../accounts/by-contact";
import { normalizePhone } from "../../schemas/contacts";
import type { Destination } from "../codes/destinations";
import { issueOtp, verifyOtp, type IssuedOtp, type OtpDeps, type OtpLookup, type SendOtpInput } from "../codes/otp";
import { notifyAccountOwner } from "../profile/security-notices";
import { newUserRecord } from "../accounts/users";
import { claimProvenContact, type ClaimDeps } from "../accounts/claim";

export interface OtpAccountDeps extends OtpDeps, ClaimDeps {
  users: UsersRepo;
  contacts: ContactsRepo;
  events: EventsRepo;
}

export interface OtpLoginResult {
  user: UserRecord;
  /** True when this login created the account (sign-up by OTP). */
  created: boolean;
}

function requireOtpLogin(app: Application) {
  if (!app.config.login.otp) throw new ApiError(403, "OTP_LOGIN_DISABLED", "This store does not offer login by OTP");
}

/**
 * Sends a login OTP. Known contacts get it; unknown ones too when sign-up is open (verifying creates
 * the account). Otherwise the OTP is a decoy that is never sent: the answer does not say whether an
 * account exists.
 */
export async function sendLoginOtp(deps: OtpAccountDeps, app: Application, input: SendOtpInput): Promise<IssuedOtp> {
  requireOtpLogin(app);
  const account = await findAccount(deps.users, app.id, input.destination);
  return issueOtp(deps, app, { ...input, purpose: "login", deliver: account !== undefined || app.config.register });
}

/** The OTP proved the contact: mark it verified on the account if it was not yet (a new way into it: the owner is told). */
async function withVerifiedContact(deps: OtpAccountDeps, app: Application, account: UserRecord, destination: Destination) {
  if (contactVerified(account, destination)) return account;
  if (await markContactVerified(deps, app.id, account.user.id, destination, "otp")) {
    await notifyAccountOwner(deps.notifier, app, account, { purpose: "contact_added", contact: destination });
  }
  return (await deps.users.findById(app.id, account.user.id)) ?? account;
}

async function registerByContact(deps: OtpAccountDeps, app: Application, destination: Destination): Promise<OtpLoginResult> {
  const phone = destination.channel === "sms" ? normalizePhone(destination.address) : undefined;
  const record = newUserRecord({
    applicationId: app.id,
    ...(phone ? { phone: { ...phone, verified: true } } : { email: { email: destination.address, verified: true } }),
  });
  const registered = deps.events.insertStatement({
    applicationId: app.id,
    userId: record.id,
    type: "user.registered",
    title: "Registered",
    subTitle: destination.channel === "email" ? "email OTP" : "mobile OTP",
    actor: "user",
    visible: true,
    data: { method: "otp", channel: destination.channel },
  });
  try {
    await deps.users.commit([...deps.users.insertStatements(record), registered]);
  } catch (error) {
    // Another request claimed this contact since the lookup; the OTP proves it, so that is the account.
    const raced = error instanceof ContactTakenError ? await findAccount(deps.users, app.id, destination) : undefined;
    if (!raced) throw error;
    return { user: await withVerifiedContact(deps, app, requireUsable(raced), destination), created: false };
  }
  const user = await deps.users.findById(app.id, record.id);
  if (!user) throw new Error(`user ${record.id} missing right after insert`);
  return { user, created: true };
}

/**
 * Verifies a login OTP and returns the account to log in: the one owning the contact (blocked,
 * archived and deleting accounts refused), or a new one with the contact verified when sign-up is open.
 */
export async function completeLoginOtp(
  deps: OtpAccountDeps,
  app: Application,
  // userId: the session user, when one sends the verify: a login code sent while logged in is bound to that user.
  check: OtpLookup & { code: string; userId?: string },
): Promise<OtpLoginResult> {
  requireOtpLogin(app);
  const record = await verifyOtp(deps, app, { ...check, purpose: "login" });
  const destination: Destination = { channel: record.channel, address: record.destination };
  const account = await findAccount(deps.users, app.id, destination);
  // An account that only lists the address (unverified) is reset for the prover, or lets the address go
  // (claim.ts), unless the code was sent and verified from that account's own session (record.userId).
  const claimed = account && (await claimProvenContact(deps, app, requireUsable(account), { destination, sessionUserId: record.userId }));
  if (claimed) return { user: await withVerifiedContact(deps, app, claimed, destination), created: false };
  if (!app.config.register) {
    throw new ApiError(403, "REGISTRATION_DISABLED", "No account uses this contact and this store does not allow sign-up");
  }
  return registerByContact(deps, app, destination);
}
