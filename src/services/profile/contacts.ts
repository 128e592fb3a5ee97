import type { ContactFlags } from "../../db/contacts-repo";
import { ContactTakenError, type UserRecord } from "../../db/users-repo";
import { ApiError, conflict, notFound } from "../../errors";
import type { Application } from "../tenants/applications";
import { assertNotClaimedByOther, contactOf, reloadUser, type ProfileDeps } from "./contact-change";
import { sendVerificationLink } from "./verify-contact";
import type { Destination } from "../codes/destinations";
import { notifyAccountOwner } from "./security-notices";

/** Contacts of one kind an account may list: enough for real use, too few to hoard addresses. */
export const MAX_CONTACTS_PER_KIND = 10;

const noun = (destination: Destination) => (destination.channel === "email" ? "email address" : "mobile number");
const title = (destination: Destination) => (destination.channel === "email" ? "Email" : "Mobile number");

/** The account's own entry for this contact (at most one: unique per user). */
function entryOf(user: UserRecord, destination: Destination): ContactFlags | undefined {
  return destination.channel === "email"
    ? user.emails.find((e) => e.email === destination.address)
    : user.phones.find((p) => p.e164 === destination.address);
}

function contactEvent(app: Application, user: UserRecord, destination: Destination, type: string, title: string) {
  return { applicationId: app.id, userId: user.user.id, type, title, actor: "user", visible: true, data: { channel: destination.channel } };
}

/**
 * The v1 contact calls change contacts on the strength of a session alone. An application that wants
 * re-authentication turns them off (`profile.v1_contact_changes`); the v2.0 flow, which proves the
 * current primary first, stays.
 */
export function requireV1ContactChanges(app: Application): void {
  if (app.config.profile.v1_contact_changes) return;
  throw new ApiError(
    403,
    "V1_CONTACT_CHANGES_DISABLED",
    "This store changes contact details only after re-authentication: use the profile v2.0 flow (sendOTPOnPrimary, verifyOTPonPrimary, sendOTPForUpdate, verifyOTPForUpdate)",
    { use: "/service/application/user/profile/v2.0/{entity}/primary/otp/send" },
  );
}

/**
 * A v1 call that changes a primary contact proves nothing but the session, so the session must be a
 * fresh login (ASVS 7.5.1): a stolen, long-lived cookie cannot move the account's recovery address.
 * The v2.0 flow proves the current primary instead and does not need this.
 */
export function requireRecentLogin(app: Application, loggedInAt: number, now = Date.now()): void {
  const minutes = app.config.profile.reauth_window_minutes;
  if (now - loggedInAt <= minutes * 60_000) return;
  throw new ApiError(
    403,
    "REAUTH_REQUIRED",
    `Changing a primary email or mobile number needs a login from the last ${minutes} minutes: log in again, or use the profile v2.0 flow that proves the current primary`,
    { use: "/service/application/user/profile/v2.0/{entity}/primary/otp/send" },
  );
}

/** A link failing only because one was just sent (cooldown, hourly cap) is reported as "no link sent". */
async function linkUnlessThrottled(deps: ProfileDeps, app: Application, input: { user: UserRecord; destination: Destination; ip: string }) {
  try {
    return await sendVerificationLink(deps, app, input);
  } catch (error) {
    if (error instanceof ApiError && error.status === 429) return false;
    throw error;
  }
}

/**
 * addEmail / addMobileNumber: the contact joins the account unverified (as its primary only when the
 * account has none of that kind) and a verification link goes to it. One another account has
 * claimed is refused with 409; one already listed is left as it is.
 */
export async function addContact(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; destination: Destination; ip: string },
  now = new Date().toISOString(),
): Promise<{ user: UserRecord; linkSent: boolean }> {
  requireV1ContactChanges(app);
  const { user, destination } = input;
  if (!entryOf(user, destination)) {
    const listed = destination.channel === "email" ? user.emails.length : user.phones.length;
    if (listed >= MAX_CONTACTS_PER_KIND) {
      throw new ApiError(400, "TOO_MANY_CONTACTS", `An account can list at most ${MAX_CONTACTS_PER_KIND} of each kind of contact; remove one first`);
    }
    await assertNotClaimedByOther(deps, app, user, destination);
    let added: boolean;
    try {
      added = await deps.contacts.add(app.id, user.user.id, contactOf(destination), now);
    } catch (error) {
      if (error instanceof ContactTakenError) throw conflict(`This ${noun(destination)} belongs to another account`);
      throw error;
    }
    if (added) await deps.events.record(contactEvent(app, user, destination, "user.contact_added", `${title(destination)} added`));
  }
  const current = await reloadUser(deps, app, user.user.id);
  return { user: current, linkSent: await linkUnlessThrottled(deps, app, { user: current, destination, ip: input.ip }) };
}

/**
 * deleteEmail / deleteMobileNumber: the entry named exactly (address and flags) leaves the account.
 * Never the primary (another one must be made primary first), never the last verified contact.
 */
export async function removeContact(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; destination: Destination; flags: ContactFlags },
): Promise<UserRecord> {
  requireV1ContactChanges(app);
  const { user, destination, flags } = input;
  const entry = entryOf(user, destination);
  if (!entry || entry.active !== flags.active || entry.primary !== flags.primary || entry.verified !== flags.verified) {
    throw notFound(`The account has no such ${noun(destination)} entry (the address and its active/primary/verified flags must match)`);
  }
  if (entry.primary) {
    throw new ApiError(400, "PRIMARY_CONTACT", `The primary ${noun(destination)} cannot be removed; make another one primary first`);
  }
  const verified = [...user.emails, ...user.phones].filter((c) => c.active && c.verified).length;
  if (entry.verified && verified - (entry.active ? 1 : 0) === 0) {
    throw new ApiError(400, "LAST_VERIFIED_CONTACT", "The account's only verified contact cannot be removed; verify another one first");
  }
  // The statement re-checks both rules, so a concurrent change cannot slip between the checks above and the write.
  if (!(await deps.contacts.remove(app.id, user.user.id, destination.channel, destination.address, flags))) {
    throw conflict("The account's contacts changed meanwhile; reload them and try again");
  }
  await deps.events.record(contactEvent(app, user, destination, "user.contact_removed", `${title(destination)} removed`));
  await notifyAccountOwner(deps.notifier, app, user, { purpose: "contact_removed", contact: destination });
  return reloadUser(deps, app, user.user.id);
}

/** setEmailAsPrimary / setMobileNumberAsPrimary: a verified entry of the account becomes the primary of its kind. */
export async function makePrimary(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; destination: Destination; loggedInAt: number },
): Promise<UserRecord> {
  requireV1ContactChanges(app);
  const { user, destination } = input;
  const entry = entryOf(user, destination);
  if (!entry?.active) throw notFound(`This ${noun(destination)} is not on the account`);
  if (!entry.verified) throw new ApiError(400, "CONTACT_NOT_VERIFIED", `Only a verified ${noun(destination)} can become the primary one; verify it first`);
  if (entry.primary) return user;
  requireRecentLogin(app, input.loggedInAt);
  if (!(await deps.contacts.setPrimary(app.id, user.user.id, destination.channel, destination.address))) {
    throw conflict("The account's contacts changed meanwhile; reload them and try again");
  }
  await deps.events.record(contactEvent(app, user, destination, "user.primary_changed", `Primary ${title(destination).toLowerCase()} changed`));
  await notifyAccountOwner(deps.notifier, app, user, { purpose: "primary_changed", contact: destination });
  return reloadUser(deps, app, user.user.id);
}
