import type { UserRecord } from "../../db/users-repo";
import type { Notifier } from "../../notify";
import type { Channel, NoticePurpose } from "../../notify/purposes";
import { composeMessage } from "../../notify/templates";
import type { Application } from "../tenants/applications";
import { normalizePhone } from "../../schemas/contacts";
import type { Destination } from "../codes/destinations";

const MASK = "•";

/** a•••@example.com: enough for the owner to recognise the address, too little to learn it. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, Math.min(1, at))}${MASK.repeat(3)}${email.slice(at)}`;
}

/** +91•••••1234: the calling code and the last four digits only. */
function maskPhone(e164: string): string {
  const phone = normalizePhone(e164);
  const last = e164.slice(-4);
  return phone ? `+${phone.countryCode}${MASK.repeat(5)}${last}` : `${MASK.repeat(5)}${last}`;
}

export function maskContact(destination: Destination): string {
  return destination.channel === "email" ? maskEmail(destination.address) : maskPhone(destination.address);
}

function verifiedPrimary(user: UserRecord, channel: Channel): Destination | undefined {
  if (channel === "email") {
    const email = user.emails.find((e) => e.active && e.primary && e.verified);
    return email && { channel, address: email.email };
  }
  const phone = user.phones.find((p) => p.active && p.primary && p.verified);
  return phone && { channel, address: phone.e164 };
}

/**
 * Who is told: the account's verified primary email, else its verified primary phone, read from the
 * account as it was before the change (so a new primary never hears about itself). `prefer` picks
 * that kind first: a replaced primary is told it was replaced.
 */
export function noticeRecipient(before: UserRecord, prefer?: Channel): Destination | undefined {
  return (prefer && verifiedPrimary(before, prefer)) ?? verifiedPrimary(before, "email") ?? verifiedPrimary(before, "sms");
}

export type SecurityNotice =
  | { purpose: Extract<NoticePurpose, "contact_added" | "primary_changed" | "contact_removed">; contact: Destination }
  | { purpose: Extract<NoticePurpose, "password_changed" | "password_reset"> }
  /** Goes to the contact itself: whoever receives it controls the address someone tried to register with. */
  | { purpose: Extract<NoticePurpose, "register_attempt">; contact: Destination };

const same = (a: Destination, b: Destination) => a.channel === b.channel && a.address === b.address;

/**
 * Tells the account owner about a change to its contacts or password, when the application has
 * security notices on. Best-effort: the change is already made, so a failed delivery is logged and
 * never reaches the caller. True when a notice was due and attempted.
 */
export async function notifyAccountOwner(
  notifier: Notifier,
  app: Pick<Application, "id" | "config">,
  before: UserRecord,
  notice: SecurityNotice,
): Promise<boolean> {
  if (!app.config.security_notifications.enable) return false;
  const contact = "contact" in notice ? notice.contact : undefined;
  const to = notice.purpose === "register_attempt" ? notice.contact : noticeRecipient(before, notice.purpose === "primary_changed" ? contact?.channel : undefined);
  if (!to || (notice.purpose !== "register_attempt" && contact && same(to, contact))) return false;
  try {
    const message = composeMessage({
      applicationId: app.id,
      config: app.config,
      channel: to.channel,
      to: to.address,
      purpose: notice.purpose,
      ...(contact ? { contact: { type: contact.channel === "email" ? "email address" : "mobile number", masked: maskContact(contact) } } : {}),
    });
    await notifier.send(message);
  } catch (error) {
    console.error(JSON.stringify({ security_notice_failed: notice.purpose, application_id: app.id, user_id: before.user.id, error: String(error) }));
  }
  return true;
}
