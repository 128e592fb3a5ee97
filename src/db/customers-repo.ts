import { and, count, desc, eq, inArray, isNotNull, notInArray, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { userEmails, userPhones, users } from "./schema/users";
import type { EmailRow, PhoneRow, UserRecord, UserRow, UsersRepo } from "./users-repo";

export interface Window {
  limit: number;
  offset: number;
}

/** Columns of the `customers_search` FTS5 index (migration customers_search). */
export type SearchColumn = "name" | "emails" | "phones" | "ids";

export type NewEmailRow = typeof userEmails.$inferInsert;
export type NewPhoneRow = typeof userPhones.$inferInsert;

/** An FTS5 MATCH expression: the literal text as one phrase, optionally limited to some columns. */
export function phraseMatch(text: string, columns?: SearchColumn[]): string {
  const phrase = `"${text.replace(/"/g, '""')}"`;
  return columns ? `{${columns.join(" ")}} : ${phrase}` : phrase;
}

/**
 * The admin's view of an application's customers at scale: pages over an index, partial search
 * through the trigram FTS index, exact contact lookups over the contact indexes, and the bulk
 * statements of admin actions (run by the caller in one batch with their audit events).
 * Query builders are public so a test can check their plans with EXPLAIN QUERY PLAN.
 */
export class CustomersRepo {
  constructor(
    private readonly db: Database,
    private readonly usersRepo: UsersRepo,
  ) {}

  /** Newest first; rowid breaks ties in created_at so pages never overlap. Walks users_app_created_idx. */
  pageQuery(applicationId: string, window: Window) {
    return this.db
      .select()
      .from(users)
      .where(eq(users.applicationId, applicationId))
      .orderBy(desc(users.createdAt), sql`${users}.rowid desc`)
      .limit(window.limit)
      .offset(window.offset);
  }

  countQuery(applicationId: string) {
    return this.db.select({ n: count() }).from(users).where(eq(users.applicationId, applicationId));
  }

  /** User ids matching an FTS5 expression in this application, newest first (the index's rowid order). */
  matchQuery(applicationId: string, match: string, window: Window): SQL {
    return sql`select d.user_id as id from customers_search s join customer_search_docs d on d.doc_id = s.rowid
      where customers_search match ${match} and d.application_id = ${applicationId}
      order by s.rowid desc limit ${window.limit} offset ${window.offset}`;
  }

  matchCountQuery(applicationId: string, match: string): SQL {
    return sql`select count(*) as n from customers_search s join customer_search_docs d on d.doc_id = s.rowid
      where customers_search match ${match} and d.application_id = ${applicationId}`;
  }

  /** Users owning any of these (active) emails, over user_emails_app_email_idx. */
  emailOwnersQuery(applicationId: string, emails: string[], limit: number) {
    return this.db
      .selectDistinct({ id: userEmails.userId })
      .from(userEmails)
      .where(and(eq(userEmails.applicationId, applicationId), inArray(userEmails.email, emails), eq(userEmails.active, true)))
      .limit(limit);
  }

  /** Users owning any of these (active) phones, over user_phones_app_e164_idx. */
  phoneOwnersQuery(applicationId: string, e164s: string[], limit: number) {
    return this.db
      .selectDistinct({ id: userPhones.userId })
      .from(userPhones)
      .where(and(eq(userPhones.applicationId, applicationId), inArray(userPhones.e164, e164s), eq(userPhones.active, true)))
      .limit(limit);
  }

  async page(applicationId: string, window: Window): Promise<{ records: UserRecord[]; total: number }> {
    const [rows, counted] = await this.db.batch([this.pageQuery(applicationId, window), this.countQuery(applicationId)]);
    return { records: await this.usersRepo.withContacts(rows), total: counted[0]?.n ?? 0 };
  }

  async match(applicationId: string, match: string, window: Window): Promise<{ records: UserRecord[]; total: number }> {
    const [ids, counted] = await Promise.all([
      this.db.all<{ id: string }>(this.matchQuery(applicationId, match, window)),
      this.db.all<{ n: number }>(this.matchCountQuery(applicationId, match)),
    ]);
    return { records: await this.records(applicationId, ids.map((r) => r.id)), total: counted[0]?.n ?? 0 };
  }

  async matchIds(applicationId: string, match: string, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ id: string }>(this.matchQuery(applicationId, match, { limit, offset: 0 }));
    return rows.map((r) => r.id);
  }

  async contactOwnerIds(applicationId: string, emails: string[], e164s: string[], limit: number): Promise<string[]> {
    const [byEmail, byPhone] = await Promise.all([
      emails.length ? this.emailOwnersQuery(applicationId, emails, limit) : [],
      e164s.length ? this.phoneOwnersQuery(applicationId, e164s, limit) : [],
    ]);
    return [...byEmail, ...byPhone].map((r) => r.id);
  }

  /** The users with these ids in this application, with contacts, in the order of `ids`. */
  async records(applicationId: string, ids: string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.usersOf(applicationId, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return this.usersRepo.withContacts(ids.flatMap((id) => byId.get(id) ?? []));
  }

  async usersOf(applicationId: string, ids: string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(users).where(and(eq(users.applicationId, applicationId), inArray(users.id, ids)));
  }

  // --- statements of admin actions ---

  updateUserStatement(applicationId: string, userId: string, fields: Partial<typeof users.$inferInsert> & { updatedAt: string }) {
    return this.db.update(users).set(fields).where(and(eq(users.id, userId), eq(users.applicationId, applicationId)));
  }

  /** Archive: the user leaves the sales channel and its contacts stop counting, so they can register again. */
  archiveStatements(applicationId: string, userId: string, now: string): BatchItem<"sqlite">[] {
    return [
      this.updateUserStatement(applicationId, userId, { archived: true, updatedAt: now }),
      this.db.update(userEmails).set({ active: false }).where(eq(userEmails.userId, userId)),
      this.db.update(userPhones).set({ active: false }).where(eq(userPhones.userId, userId)),
    ];
  }

  setBlockedStatement(applicationId: string, userIds: string[], blocked: boolean, now: string) {
    return this.db
      .update(users)
      .set({ blocked, updatedAt: now })
      .where(and(eq(users.applicationId, applicationId), inArray(users.id, userIds)));
  }

  cancelDeletionStatement(applicationId: string, userId: string, now: string) {
    return this.db
      .update(users)
      .set({ deleteOn: null, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.applicationId, applicationId), isNotNull(users.deleteOn)));
  }

  /**
   * Makes `rows` the user's whole email list. Primaries are cleared first so moving the primary
   * never trips the one-primary index mid-batch; the claimed-contact index still refuses an email
   * another user has verified (ContactTakenError on commit).
   */
  replaceEmailsStatements(userId: string, rows: NewEmailRow[]): BatchItem<"sqlite">[] {
    const keep = rows.map((r) => r.email);
    return [
      this.db.update(userEmails).set({ primary: false }).where(eq(userEmails.userId, userId)),
      this.db
        .delete(userEmails)
        .where(keep.length ? and(eq(userEmails.userId, userId), notInArray(userEmails.email, keep)) : eq(userEmails.userId, userId)),
      ...rows.map((row) =>
        this.db
          .insert(userEmails)
          .values(row)
          .onConflictDoUpdate({
            target: [userEmails.userId, userEmails.email],
            set: { primary: row.primary, verified: row.verified, active: row.active } satisfies Partial<EmailRow>,
          }),
      ),
    ];
  }

  /** replaceEmailsStatements for phones (identity: E.164). */
  replacePhonesStatements(userId: string, rows: NewPhoneRow[]): BatchItem<"sqlite">[] {
    const keep = rows.map((r) => r.e164);
    return [
      this.db.update(userPhones).set({ primary: false }).where(eq(userPhones.userId, userId)),
      this.db
        .delete(userPhones)
        .where(keep.length ? and(eq(userPhones.userId, userId), notInArray(userPhones.e164, keep)) : eq(userPhones.userId, userId)),
      ...rows.map((row) =>
        this.db
          .insert(userPhones)
          .values(row)
          .onConflictDoUpdate({
            target: [userPhones.userId, userPhones.e164],
            set: { primary: row.primary, verified: row.verified, active: row.active } satisfies Partial<PhoneRow>,
          }),
      ),
    ];
  }
}
