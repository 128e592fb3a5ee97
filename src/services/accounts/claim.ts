import type { AccountRepo } from "../../db/account-repo";
import type { ContactsRepo } from "../../db/contacts-repo";
import type { EventsRepo } from "../../db/events-repo";
import type { IdentitiesRepo } from "../../db/identities-repo";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import type { Destination } from "../codes/destinations";
import type { Notifier } from "../../notify";
import { notifyAccountOwner } from "../profile/security-notices";
import { endAllSessions, type SessionDeps } from "../sessions/sessions";
import type { Application } from "../tenants/applications";
import { contactEntry } from "./by-contact";

export interface ClaimDeps {
  users: UsersRepo;
  contacts: ContactsRepo;
  events: EventsRepo;
  account: AccountRepo;
  identities: IdentitiesRepo;
  sessions: SessionDeps;
  notifier: Notifier;
}

const hasProvenContact = (record: UserRecord) => record.emails.some((e) => e.active && e.verified) || record.phones.some((p) => p.active && p.verified);

/*
 * Pre-account takeover: anyone can register (or add, or bring from a provider that does not verify
 * emails) an address they do not own, with their own password, and wait. When the address's owner
 * later proves it (OTP login, a provider-verified email), silently joining that account would hand
 * the owner an account the squatter still holds. So proving an address that is only *listed*
 * (unverified) on an account decides who the account is for (SECURITY.md, "Pre-account takeover"):
 * - the account has never proven any contact: nobody but the prover has shown a claim to it, so it
 *   becomes the prover's, reset: password, profile fields and linked provider accounts cleared,
 *   every session ended (the squatter's included);
 * - the account has proven another contact: it belongs to whoever controls that one, so the address
 *   is released from it (its owner is told) and the prover gets an account of its own;
 * - unless the prover is signed in to that very account: then it is the owner's own proof (a shopper
 *   confirming the mobile they gave at registration), and the address is simply verified there.
 * A contact given at registration is no exception: registering with one's own proven email and a
 * stranger's phone is the same squat as adding that phone later.
 */

/**
 * The account the prover of `destination` may enter: `account` as it is when the address is verified
 * on it; reset for its new owner; or undefined when the address was released from it (the caller
 * then signs the prover up as for an unknown address).
 */
export async function claimProvenContact(
  deps: ClaimDeps,
  app: Pick<Application, "id" | "config">,
  account: UserRecord,
  proof: { destination: Destination; /** The account whose own session sent and verified the proof, if any. */ sessionUserId?: string | undefined },
  now = new Date().toISOString(),
): Promise<UserRecord | undefined> {
  const { destination } = proof;
  const entry = contactEntry(account, destination);
  if (!entry || entry.verified) return account;
  const userId = account.user.id;
  if (proof.sessionUserId === userId) return account;
  const applicationId = app.id;
  const event = (type: string, title: string) =>
    deps.events.insertStatement({ applicationId, userId, type, title, actor: "user", visible: true, data: { channel: destination.channel }, createdAt: now });
  if (hasProvenContact(account)) {
    await deps.users.commit([
      deps.contacts.releaseUnverifiedStatement(applicationId, userId, destination.channel, destination.address),
      deps.contacts.touchStatement(applicationId, userId, now),
      event("user.contact_released", destination.channel === "email" ? "Unverified email released: its owner proved it" : "Unverified mobile number released: its owner proved it"),
    ]);
    await notifyAccountOwner(deps.notifier, app, account, { purpose: "contact_removed", contact: destination });
    return undefined;
  }
  await deps.users.commit([
    deps.account.resetForNewOwnerStatement(applicationId, userId, now),
    deps.identities.releaseStatement(applicationId, userId),
    event("user.reclaimed", "Account reset: its first contact was proven by its owner"),
  ]);
  await endAllSessions(deps.sessions, applicationId, userId);
  return (await deps.users.findById(applicationId, userId)) ?? account;
}
