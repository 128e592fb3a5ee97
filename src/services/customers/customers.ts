import type { BatchItem } from "drizzle-orm/batch";
import type { CustomersRepo } from "../../db/customers-repo";
import type { EventsRepo, NewEvent } from "../../db/events-repo";
import type { IdentitiesRepo } from "../../db/identities-repo";
import { StaleWriteError } from "../../db/guards";
import { ContactTakenError, type UserRecord, type UsersRepo } from "../../db/users-repo";
import { conflict, notFound } from "../../errors";
import type { BlockUserRequest, CreateUserRequest, UpdateUserRequest } from "../../schemas/customers";
import type { UserSchema } from "../../schemas/user";
import { normalizeEmail } from "../../schemas/contacts";
import { adminPhone, emailRows, invalidField, phoneRows } from "./contacts";
import { endAllSessions, type SessionDeps } from "../sessions/sessions";
import { newUserRecord, toUserSchema } from "../accounts/users";

export interface CustomerDeps {
  users: UsersRepo;
  customers: CustomersRepo;
  identities: IdentitiesRepo;
  events: EventsRepo;
  sessions: SessionDeps;
}

/** Where an admin action happens and who does it (`platform:<client_id>`), for the audit trail. */
export interface AdminScope {
  applicationId: string;
  actor: string;
}

const TIMELINE_LIMIT = 200;

export function adminEvent(
  scope: AdminScope,
  userId: string,
  type: string,
  title: string,
  extra: { subTitle?: string | null; data?: Record<string, unknown> } = {},
): NewEvent {
  return {
    applicationId: scope.applicationId,
    userId,
    type,
    title,
    subTitle: extra.subTitle || null,
    actor: scope.actor,
    visible: true,
    data: extra.data ?? null,
  };
}

/** The user in this application, or 404 (users of other applications do not exist here). */
export async function findCustomer(stores: CustomerDeps, scope: AdminScope, userId: string): Promise<UserRecord> {
  const record = await stores.users.findById(scope.applicationId, userId);
  if (!record) throw notFound("User not found");
  return record;
}

/** One D1 batch (one transaction); a contact another account holds becomes 409 and nothing is written. */
async function commitChange(stores: CustomerDeps, statements: BatchItem<"sqlite">[]): Promise<void> {
  try {
    await stores.users.commit(statements);
  } catch (error) {
    if (error instanceof StaleWriteError) throw conflict("The user was changed by another request at the same time; read it again and retry");
    if (error instanceof ContactTakenError) {
      throw conflict(`That ${error.kind === "email" ? "email" : "phone number"} already belongs to another account`, {
        field: error.kind,
      });
    }
    throw error;
  }
}

async function reloaded(stores: CustomerDeps, scope: AdminScope, userId: string): Promise<UserSchema> {
  return toUserSchema(await findCustomer(stores, scope, userId));
}

/** platform createUser: contacts are verified unless `verified` is false; they become the primaries. */
export async function createCustomer(
  stores: CustomerDeps,
  scope: AdminScope,
  input: CreateUserRequest,
  verified = true,
  now = new Date().toISOString(),
): Promise<UserSchema> {
  const email = input.email === undefined ? undefined : normalizeEmail(input.email);
  if (input.email !== undefined && !email) throw invalidField("email", "is not an email address");
  const phone = input.phone_number === undefined ? undefined : adminPhone(input.phone_number, input.country_code);
  if (input.phone_number !== undefined && !phone) throw invalidField("phone_number", "is not a valid phone number");
  const record = newUserRecord(
    {
      applicationId: scope.applicationId,
      firstName: input.first_name,
      lastName: input.last_name,
      gender: input.gender,
      dob: input.dob,
      email: email ? { email, verified } : undefined,
      phone: phone ? { ...phone, verified } : undefined,
      meta: input.meta,
      externalId: input.external_id,
      rrId: input.rr_id,
      username: input.username,
    },
    now,
  );
  await commitChange(stores, [
    ...stores.users.insertStatements(record),
    stores.events.insertStatement({ ...adminEvent(scope, record.id, "admin.user.created", "Account created by the store"), createdAt: now }),
  ]);
  return reloaded(stores, scope, record.id);
}

/**
 * platform updateUser. `emails` / `phone_numbers`, when given, are the user's whole lists: the
 * same invariants as the storefront hold (one primary each, a contact verified by another account
 * cannot be taken), and the profile, contacts and audit event are written in one batch.
 */
export async function updateCustomer(
  stores: CustomerDeps,
  scope: AdminScope,
  userId: string,
  input: UpdateUserRequest,
  now = new Date().toISOString(),
): Promise<UserSchema> {
  const current = await findCustomer(stores, scope, userId);
  if (current.user.archived) throw conflict("This account is archived and can no longer be changed");
  const emails = input.emails && emailRows(scope.applicationId, userId, input.emails, now);
  const phones = input.phone_numbers && phoneRows(scope.applicationId, userId, input.phone_numbers, now);
  const activeEmails = emails ? emails.filter((e) => e.active).length : current.emails.filter((e) => e.active).length;
  const activePhones = phones ? phones.filter((p) => p.active).length : current.phones.filter((p) => p.active).length;
  if (activeEmails + activePhones === 0) throw invalidField("emails", "the user must keep at least one active email or phone number");

  const statements: BatchItem<"sqlite">[] = [
    stores.customers.updateUserStatement(scope.applicationId, userId, {
      firstName: input.first_name,
      lastName: input.last_name,
      dob: input.dob,
      gender: input.gender,
      externalId: input.external_id,
      rrId: input.rr_id,
      meta: input.meta,
      updatedAt: now,
    }),
    ...(emails ? stores.customers.replaceEmailsStatements(userId, emails) : []),
    ...(phones ? stores.customers.replacePhonesStatements(userId, phones) : []),
    // The active-contact check above read the user before this batch; re-checked inside it.
    stores.customers.contactStateGuard(userId),
    stores.events.insertStatement({
      ...adminEvent(scope, userId, "admin.user.updated", "Profile updated by the store", {
        data: { fields: Object.keys(input).filter((k) => input[k as keyof UpdateUserRequest] !== undefined) },
      }),
      createdAt: now,
    }),
  ];
  await commitChange(stores, statements);
  return reloaded(stores, scope, userId);
}

/**
 * platform archiveUser: the account leaves the sales channel; its email/phone can register again and
 * its social accounts are unlinked, so signing in with one of them makes a new account rather than
 * reaching the archived one.
 */
export async function archiveCustomer(stores: CustomerDeps, scope: AdminScope, userId: string, now = new Date().toISOString()) {
  const current = await findCustomer(stores, scope, userId);
  if (!current.user.archived) {
    await commitChange(stores, [
      ...stores.customers.archiveStatements(scope.applicationId, userId, now),
      stores.identities.releaseStatement(scope.applicationId, userId),
      stores.events.insertStatement({ ...adminEvent(scope, userId, "admin.user.archived", "Account archived by the store"), createdAt: now }),
    ]);
  }
  await endAllSessions(stores.sessions, scope.applicationId, userId);
}

/** platform unDeleteUser: cancels a pending erasure (users.delete_on) before it runs. */
export async function undeleteCustomer(
  stores: CustomerDeps,
  scope: AdminScope,
  input: { user_id: string; reason?: string; reason_id?: string },
  now = new Date().toISOString(),
) {
  const current = await findCustomer(stores, scope, input.user_id);
  if (current.user.erasedAt) throw conflict("This account was already erased; it cannot be restored");
  if (!current.user.deleteOn) throw conflict("This account is not scheduled for deletion");
  await commitChange(stores, [
    stores.customers.cancelDeletionStatement(scope.applicationId, input.user_id, now),
    stores.events.insertStatement({
      ...adminEvent(scope, input.user_id, "admin.user.undeleted", "Account deletion cancelled by the store", {
        subTitle: input.reason,
        data: { reason: input.reason ?? null, reason_id: input.reason_id ?? null, delete_on: current.user.deleteOn },
      }),
      createdAt: now,
    }),
  ]);
}

/**
 * platform blockOrUnblockUsers (`status` is the new active state: false blocks). All ids must be
 * users of this application or nothing changes. Blocking ends every session of those users at once;
 * the storefront refuses blocked users on every request anyway, so the flag alone is already enough.
 */
export async function setCustomersActive(
  stores: CustomerDeps,
  scope: AdminScope,
  input: BlockUserRequest,
  now = new Date().toISOString(),
) {
  const blocked = !input.status;
  const rows = await stores.customers.usersOf(scope.applicationId, input.user_id);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = input.user_id.filter((id) => !byId.has(id));
  if (missing.length) throw notFound(`No such user${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  const changing = input.user_id.filter((id) => byId.get(id)!.blocked !== blocked);
  if (changing.length) {
    await commitChange(stores, [
      stores.customers.setBlockedStatement(scope.applicationId, changing, blocked, now),
      ...changing.map((id) =>
        stores.events.insertStatement({
          ...adminEvent(scope, id, blocked ? "admin.user.blocked" : "admin.user.unblocked", blocked ? "Blocked by the store" : "Unblocked by the store", {
            subTitle: input.reason,
            data: { reason: input.reason ?? null },
          }),
          createdAt: now,
        }),
      ),
    ]);
  }
  if (blocked) await Promise.all(input.user_id.map((id) => endAllSessions(stores.sessions, scope.applicationId, id)));
}

/**
 * platform getUserTimeline: the user's visible events and the pending erasure date, left out when none
 * is pending (the SDK's model accepts a missing string, not null).
 */
export async function customerTimeline(stores: CustomerDeps, scope: AdminScope, userId: string) {
  const current = await findCustomer(stores, scope, userId);
  const events = await stores.events.timeline(scope.applicationId, userId, TIMELINE_LIMIT);
  return {
    ...(current.user.deleteOn ? { delete_on: current.user.deleteOn } : {}),
    timeline: events.map((e) => ({ date: e.createdAt, title: e.title, type: e.type, visible: e.visible, sub_title: e.subTitle })),
  };
}
