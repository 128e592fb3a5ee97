import type { ContactsRepo } from "../../db/contacts-repo";
import type { EventsRepo } from "../../db/events-repo";
import { ContactTakenError, type UserRecord, type UsersRepo } from "../../db/users-repo";
import { accountUnusableReason } from "./users";
import { ApiError, conflict } from "../../errors";
import type { Destination } from "../codes/destinations";

/** The account that has claimed this email or phone in the application, if any. */
export function findAccount(users: UsersRepo, applicationId: string, destination: Destination): Promise<UserRecord | undefined> {
  return destination.channel === "email"
    ? users.findByEmail(applicationId, destination.address)
    : users.findByPhone(applicationId, destination.address);
}

/** Refuses blocked, archived and deleting accounts with the reason (only after the caller proved the contact). */
export function requireUsable(record: UserRecord): UserRecord {
  const reason = accountUnusableReason(record.user);
  if (reason) throw new ApiError(403, "ACCOUNT_UNAVAILABLE", reason);
  return record;
}

export const notOnAccount = () => new ApiError(400, "CONTACT_NOT_FOUND", "This contact is not on the account");

/** The account's own active entry for this contact, if it has one. */
export function contactEntry(record: UserRecord, destination: Destination): { primary: boolean; verified: boolean } | undefined {
  return destination.channel === "email"
    ? record.emails.find((e) => e.active && e.email === destination.address)
    : record.phones.find((p) => p.active && p.e164 === destination.address);
}

/** Whether the account's own entry for this contact is verified. */
export function contactVerified(record: UserRecord, destination: Destination): boolean {
  return contactEntry(record, destination)?.verified ?? false;
}

export interface ContactVerificationDeps {
  contacts: ContactsRepo;
  events: EventsRepo;
}

/**
 * Marks the user's contact verified and records it; false when the user no longer has that contact,
 * 409 when another account verified it first.
 */
export async function markContactVerified(
  deps: ContactVerificationDeps,
  applicationId: string,
  userId: string,
  destination: Destination,
  via: "otp" | "link",
): Promise<boolean> {
  let updated: boolean;
  try {
    updated = await deps.contacts.markVerified(applicationId, userId, destination.channel, destination.address);
  } catch (error) {
    if (error instanceof ContactTakenError) throw conflict(`Another account has already verified this ${error.kind === "email" ? "email" : "mobile number"}`);
    throw error;
  }
  if (updated) {
    await deps.events.record({
      applicationId,
      userId,
      type: "user.contact_verified",
      title: destination.channel === "email" ? "Email verified" : "Mobile number verified",
      subTitle: via,
      actor: "user",
      visible: true,
      data: { channel: destination.channel, via },
    });
  }
  return updated;
}
