import type { AccountRepo } from "../../db/account-repo";
import type { NewContact } from "../../db/contacts-repo";
import { ContactTakenError, type UserRecord } from "../../db/users-repo";
import { ApiError, conflict, invalidField } from "../../errors";
import type { MessagePurpose } from "../../notify/purposes";
import type { Application } from "../tenants/applications";
import { findAccount } from "../accounts/by-contact";
import type { ContactVerificationLinkDeps } from "./verify-contact";
import { normalizePhone } from "../../schemas/contacts";
import type { Destination } from "../codes/destinations";
import { consumeCode, invalidCode, issueCode, peekCode } from "../codes/one-time-codes";
import type { OtpAccountDeps } from "../login/otp";
import { issueOtp, verifyOtp, type IssuedOtp } from "../codes/otp";
import { notifyAccountOwner } from "./security-notices";
import type { SessionDeps } from "../sessions/sessions";

/** What the profile, contact and account-deletion flows of a logged-in user run on. */
export type ProfileDeps = OtpAccountDeps & ContactVerificationLinkDeps & { account: AccountRepo; sessions: SessionDeps };

/** The `{entity}` of the profile v2 paths. */
export type ContactEntity = "email" | "mobile";

/** How long the proof from verifyOTPonPrimary can start a change (sendOTPForUpdate). */
export const CONTACT_CHANGE_PROOF_TTL_SECONDS = 600;

export const channelOf = (entity: ContactEntity) => (entity === "email" ? "email" : "sms");
const proofKind = (entity: ContactEntity) => (entity === "email" ? "change_email" : "change_mobile");
const label = (destination: Destination) => (destination.channel === "email" ? "email address" : "mobile number");

/** The user's active primary email or phone, as a destination. */
export function primaryContact(user: UserRecord, channel: Destination["channel"]): Destination | undefined {
  if (channel === "email") {
    const email = user.emails.find((e) => e.active && e.primary);
    return email && { channel, address: email.email };
  }
  const phone = user.phones.find((p) => p.active && p.primary);
  return phone && { channel, address: phone.e164 };
}

/**
 * Where the proof of control goes before `entity` changes: that kind's primary, else the other
 * kind's (someone adding a first phone proves the email they log in with).
 */
export function proofDestination(user: UserRecord, entity: ContactEntity): Destination {
  const own = channelOf(entity);
  const destination = primaryContact(user, own) ?? primaryContact(user, own === "email" ? "sms" : "email");
  if (!destination) throw new ApiError(400, "NO_PRIMARY_CONTACT", "This account has no primary email or mobile number to send a code to");
  return destination;
}

export const sameDestination = (a: Destination | undefined, b: Destination) => !!a && a.channel === b.channel && a.address === b.address;

/** A destination as a contact row to write. */
export function contactOf(destination: Destination): NewContact {
  if (destination.channel === "email") return { channel: "email", email: destination.address };
  const phone = normalizePhone(destination.address);
  if (!phone) throw new Error(`stored destination ${destination.address} is not E.164`);
  return { channel: "sms", phone };
}

/** 409 when another account has claimed (verified, or holds as primary) this contact. */
export async function assertNotClaimedByOther(deps: ProfileDeps, app: Application, user: UserRecord, destination: Destination) {
  const owner = await findAccount(deps.users, app.id, destination);
  if (owner && owner.user.id !== user.user.id) {
    throw new ApiError(409, "CONTACT_TAKEN", `This ${label(destination)} belongs to another account`, {
      field: destination.channel === "email" ? "email" : "mobile",
    });
  }
}

/** The user as stored now, after a change. */
export async function reloadUser(deps: ProfileDeps, app: Application, userId: string): Promise<UserRecord> {
  const user = await deps.users.findById(app.id, userId);
  if (!user) throw new Error(`user ${userId} missing right after a change`);
  return user;
}

/** A contact the user may move to: not already its primary, not claimed by another account. */
export async function checkNewContact(deps: ProfileDeps, app: Application, user: UserRecord, destination: Destination) {
  if (sameDestination(primaryContact(user, destination.channel), destination)) {
    throw new ApiError(400, "ALREADY_PRIMARY", `This ${label(destination)} is already the primary one of the account`);
  }
  await assertNotClaimedByOther(deps, app, user, destination);
}

export interface NewContactOtp {
  user: UserRecord;
  destination: Destination;
  ip: string;
  smsAppHash?: string | undefined;
}

/** The OTP that proves a new contact; it changes only when the OTP comes back through verifyOTPForUpdate. */
export function issueNewContactOtp(deps: ProfileDeps, app: Application, input: NewContactOtp): Promise<IssuedOtp> {
  return issueOtp(deps, app, {
    purpose: "verify_contact",
    destination: input.destination,
    ip: input.ip,
    deliver: true,
    // Bound to the user who asked: verifyEmailOTP / verifyMobileOTP spend it only on this user's session.
    userId: input.user.user.id,
    ...(input.smsAppHash ? { smsAppHash: input.smsAppHash } : {}),
  });
}

/** sendOTPOnPrimary: an OTP to the user's primary contact, for a contact change (`reauth`) or an account deletion. */
export async function sendPrimaryOtp(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; entity: ContactEntity; purpose: Extract<MessagePurpose, "reauth" | "delete_account">; ip: string },
): Promise<{ issued: IssuedOtp; destination: Destination }> {
  const destination = proofDestination(input.user, input.entity);
  const issued = await issueOtp(deps, app, { purpose: input.purpose, destination, ip: input.ip, deliver: true, userId: input.user.user.id });
  return { issued, destination };
}

/**
 * verifyOTPonPrimary: the OTP proves the user controls its primary contact now. Answers a proof
 * (single use, CONTACT_CHANGE_PROOF_TTL_SECONDS) bound to the user and the kind of contact to change.
 */
export async function verifyPrimaryOtp(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; entity: ContactEntity; requestId: string; code: string },
): Promise<string> {
  const destination = proofDestination(input.user, input.entity);
  await verifyOtp(deps, app, { requestId: input.requestId, destination, purpose: "reauth", code: input.code, userId: input.user.user.id });
  return issueCode(
    deps.codes,
    { kind: proofKind(input.entity), applicationId: app.id, userId: input.user.user.id, channel: destination.channel, destination: destination.address },
    CONTACT_CHANGE_PROOF_TTL_SECONDS,
  );
}

/**
 * sendOTPForUpdate: uses up the proof from verifyOTPonPrimary and sends an OTP to the new contact.
 * The new contact is checked first, so a typo or a taken address does not burn the proof.
 */
export async function sendUpdateOtp(
  deps: ProfileDeps,
  app: Application,
  input: NewContactOtp & { entity: ContactEntity; proof: string },
): Promise<IssuedOtp> {
  const kind = proofKind(input.entity);
  const proof = await peekCode(deps.codes, app.id, kind, input.proof);
  if (!proof || proof.userId !== input.user.user.id) throw invalidCode();
  await checkNewContact(deps, app, input.user, input.destination);
  if (!(await consumeCode(deps.codes, deps.guard, app.id, kind, input.proof))) throw invalidCode();
  return issueNewContactOtp(deps, app, input);
}

/**
 * verifyOTPForUpdate: the OTP sent to a new contact came back, so it becomes the verified primary of
 * its kind. The previous primary stays on the account as a non-primary contact (still verified if it
 * was): the user can remove it, and meanwhile it can still recover an account whose contact was
 * changed by someone else, and it is told of the change (security notice).
 */
export async function completeContactChange(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; entity: ContactEntity; requestId?: string | undefined; destination?: Destination | undefined; code: string },
  now = new Date().toISOString(),
): Promise<UserRecord> {
  const { user } = input;
  const lookup = input.requestId
    ? { requestId: input.requestId, ...(input.destination ? { destination: input.destination } : {}) }
    : input.destination
      ? { destination: input.destination }
      : undefined;
  if (!lookup) throw invalidField("body", "request_id", "required (or, for an email, the email)");
  const record = await verifyOtp(deps, app, { ...lookup, purpose: "verify_contact", code: input.code, userId: user.user.id });
  const destination: Destination = { channel: record.channel, address: record.destination };
  if (destination.channel !== channelOf(input.entity)) {
    throw new ApiError(400, "OTP_EXPIRED", `This code was sent to an ${destination.channel === "email" ? "email address" : "mobile number"}, not an ${input.entity}`);
  }
  try {
    await deps.users.commit([
      ...deps.contacts.verifiedPrimaryStatements(app.id, user.user.id, contactOf(destination), now),
      deps.events.insertStatement({
        applicationId: app.id,
        userId: user.user.id,
        type: "user.contact_changed",
        title: destination.channel === "email" ? "Primary email changed" : "Primary mobile number changed",
        subTitle: "verified by OTP",
        actor: "user",
        visible: true,
        data: { channel: destination.channel },
        createdAt: now,
      }),
    ]);
  } catch (error) {
    if (error instanceof ContactTakenError) throw conflict(`Another account has already verified this ${label(destination)}`);
    throw error;
  }
  const purpose = primaryContact(user, destination.channel) ? "primary_changed" : "contact_added";
  await notifyAccountOwner(deps.notifier, app, user, { purpose, contact: destination });
  return reloadUser(deps, app, user.user.id);
}
