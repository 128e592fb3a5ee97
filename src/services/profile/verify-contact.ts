import type { ContactsRepo } from "../../db/contacts-repo";
import type { EventsRepo } from "../../db/events-repo";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import type { OtpGuard } from "../../durable/otp-guard";
import type { Application } from "../tenants/applications";
import { contactEntry, contactVerified, markContactVerified, notOnAccount, requireUsable } from "../accounts/by-contact";
import type { Destination } from "../codes/destinations";
import { sendLink, type LinkDeps } from "../codes/links";
import { consumeCode, invalidCode } from "../codes/one-time-codes";
import { limitedSend } from "../codes/otp";
import { notifyAccountOwner } from "./security-notices";

export interface ContactVerificationLinkDeps extends LinkDeps {
  guard: DurableObjectNamespace<OtpGuard>;
  users: UsersRepo;
  contacts: ContactsRepo;
  events: EventsRepo;
}

/**
 * Sends a verification link for one of the user's contacts (profile flows: addEmail,
 * sendVerificationLinkToEmail/Mobile). False when the contact is already verified and nothing was sent.
 */
export async function sendVerificationLink(
  deps: ContactVerificationLinkDeps,
  app: Application,
  input: { user: UserRecord; destination: Destination; ip: string },
  now = Date.now(),
): Promise<boolean> {
  const { user, destination } = input;
  if (!contactEntry(user, destination)) throw notOnAccount();
  if (contactVerified(user, destination)) return false;
  const kind = destination.channel === "email" ? "verify_email" : "verify_mobile";
  await limitedSend(deps.guard, app, { purpose: "verify_link", destination, ip: input.ip, now }, () =>
    sendLink(deps, app, { kind, purpose: "verify_link", userId: user.user.id, destination }, now),
  );
  return true;
}

/** verifyEmail / verifyMobile: uses up a link code and marks its contact verified on its account. */
export async function verifyContactLink(
  deps: ContactVerificationLinkDeps,
  app: Application,
  kind: "verify_email" | "verify_mobile",
  code: string,
): Promise<void> {
  const record = await consumeCode(deps.codes, deps.guard, app.id, kind, code);
  if (!record) throw invalidCode();
  const account = await deps.users.findById(app.id, record.userId);
  if (!account) throw invalidCode();
  requireUsable(account);
  const destination: Destination = { channel: record.channel, address: record.destination };
  if (!(await markContactVerified(deps, app.id, record.userId, destination, "link"))) throw notOnAccount();
  await notifyAccountOwner(deps.notifier, app, account, { purpose: "contact_added", contact: destination });
}
