import { and, desc, eq, inArray, isNotNull, isNull, notInArray, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { abortIf } from "./guards";
import { customerDayCounts } from "./schema/customers";
import { userEmails, userPhones, users } from "./schema/users";
import { inApplication } from "./tenant-filter";
import { attachContacts, type UserRecord, type UserRow } from "./users-repo";

/** From this offset on, a page is located through the per-day/per-minute counts instead of OFFSET. */
const DEEP_OFFSET = 1000;

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
 * test/platform-search.test.ts checks the plan of every statement these methods run.
 */
export class CustomersRepo {
  constructor(private readonly db: Database) {}

  /** Newest first; rowid breaks ties in created_at so pages never overlap. Walks users_app_created_idx. */
  private pageQuery(applicationId: string, window: Window) {
    const query = this.db.select().from(users);
    if (window.offset < DEEP_OFFSET) {
      return query
        .where(eq(users.applicationId, applicationId))
        .orderBy(desc(users.createdAt), sql`${users}.rowid desc`)
        .limit(window.limit)
        .offset(window.offset);
    }
    // By primary key: the ids are the page already, in at most `limit` rows.
    return query.where(sql`${users.id} in (${this.deepPageIds(applicationId, window)})`).orderBy(desc(users.createdAt), sql`${users}.rowid desc`);
  }

  /**
   * The ids of a deep page without walking its OFFSET: the per-day counts give the day holding the
   * offset-th newest user and how many newer users come before that day, the per-minute counts of that
   * day the minute; the page then starts at the end of that minute and skips only the rest of it.
   * At 1M customers that is a few thousand count rows instead of up to a million index entries.
   */
  private deepPageIds(applicationId: string, window: Window): SQL {
    return sql`with days as materialized (
        select day, n, sum(n) over (order by day desc rows unbounded preceding) as upto
        from customer_day_counts where application_id = ${applicationId}
      ), start_day as materialized (
        select day, upto - n as newer from days where upto > ${window.offset} order by day desc limit 1
      ), minutes as materialized (
        select minute, n, (select newer from start_day) + sum(n) over (order by minute desc rows unbounded preceding) as upto
        from customer_minute_counts
        where application_id = ${applicationId} and minute >= (select day from start_day) and minute < (select day from start_day) || 'U'
      ), start_minute as materialized (
        select minute, upto - n as newer from minutes where upto > ${window.offset} order by minute desc limit 1
      )
      select id from users
      where application_id = ${applicationId} and created_at < (select minute from start_minute) || ';'
      order by created_at desc, rowid desc
      limit ${window.limit} offset coalesce(${window.offset} - (select newer from start_minute), 0)`;
  }

  /** The application's customers, from the per-day counts (a few thousand rows at most, never the users). */
  private countQuery(applicationId: string) {
    return this.db
      .select({ n: sql<number>`coalesce(sum(${customerDayCounts.n}), 0)` })
      .from(customerDayCounts)
      .where(eq(customerDayCounts.applicationId, applicationId));
  }

  /**
   * User ids matching an FTS5 expression in this application, newest first (the index's rowid
   * order), stopping at the page. The tenant check is kept out of index choice (`+`): given
   * customer_search_docs_app_doc_idx, SQLite would rather walk the application's documents and
   * run the MATCH once per document (63 s for one search at 1M customers).
   */
  private matchQuery(applicationId: string, match: string, window: Window): SQL {
    return sql`select d.user_id as id from customers_search s join customer_search_docs d on d.doc_id = s.rowid
      where customers_search match ${match} and +d.application_id = ${applicationId}
      order by s.rowid desc limit ${window.limit} offset ${window.offset}`;
  }

  /**
   * How many documents of this application match: the FTS rowids, probed in the narrow
   * (application_id, doc_id) index. Joining each match's document row instead cost ≈ 2 µs a match
   * (45 ms for a 6-character fragment with 20,000 matches at 1M customers, against 7 ms).
   */
  private matchCountQuery(applicationId: string, match: string): SQL {
    return sql`select count(*) as n from customer_search_docs d
      where d.application_id = ${applicationId} and d.doc_id in (select rowid from customers_search where customers_search match ${match})`;
  }

  /** Users owning any of these (active) emails, over user_emails_app_email_idx. */
  private emailOwnersQuery(applicationId: string, emails: string[], limit: number) {
    return this.db
      .selectDistinct({ id: userEmails.userId })
      .from(userEmails)
      .where(and(eq(userEmails.applicationId, applicationId), inArray(userEmails.email, emails), eq(userEmails.active, true)))
      .limit(limit);
  }

  /** Users owning any of these (active) phones, over user_phones_app_e164_idx. */
  private phoneOwnersQuery(applicationId: string, e164s: string[], limit: number) {
    return this.db
      .selectDistinct({ id: userPhones.userId })
      .from(userPhones)
      .where(and(eq(userPhones.applicationId, applicationId), inArray(userPhones.e164, e164s), eq(userPhones.active, true)))
      .limit(limit);
  }

  /** Contacts of these users: one batch over the (user_id, …) indexes. */
  private contactQueries(applicationId: string, ids: string[]) {
    return [
      this.db.select().from(userEmails).where(and(inArray(userEmails.userId, ids), inApplication(userEmails.applicationId, applicationId))),
      this.db.select().from(userPhones).where(and(inArray(userPhones.userId, ids), inApplication(userPhones.applicationId, applicationId))),
    ] as const;
  }

  /**
   * The page and the total, then the page's contacts. Two round trips rather than one batch with the
   * page as a subquery: a deep page's OFFSET walk then happens once, not three times.
   */
  async page(applicationId: string, window: Window): Promise<{ records: UserRecord[]; total: number }> {
    const [rows, counted] = await this.db.batch([this.pageQuery(applicationId, window), this.countQuery(applicationId)]);
    if (rows.length === 0) return { records: [], total: counted[0]?.n ?? 0 };
    const [emails, phones] = await this.db.batch(this.contactQueries(applicationId, rows.map((r) => r.id)));
    return { records: attachContacts(rows, emails, phones), total: counted[0]?.n ?? 0 };
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

  /** The users with these ids in this application, with contacts, in the order of `ids` (one batch). */
  async records(applicationId: string, ids: string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const [rows, emails, phones] = await this.db.batch([this.usersQuery(applicationId, ids), ...this.contactQueries(applicationId, ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return attachContacts(ids.flatMap((id) => byId.get(id) ?? []), emails, phones);
  }

  /**
   * By primary key; the tenant check must not steer the plan: with tens of ids SQLite would rather
   * walk an (application_id, …) index of the whole application.
   */
  private usersQuery(applicationId: string, ids: string[]) {
    return this.db.select().from(users).where(and(inArray(users.id, ids), inApplication(users.applicationId, applicationId)));
  }

  async usersOf(applicationId: string, ids: string[]): Promise<UserRow[]> {
    return ids.length ? this.usersQuery(applicationId, ids) : [];
  }

  // --- statements of admin actions ---

  updateUserStatement(applicationId: string, userId: string, fields: Partial<typeof users.$inferInsert> & { updatedAt: string }) {
    return this.db.update(users).set(fields).where(and(eq(users.id, userId), eq(users.applicationId, applicationId)));
  }

  /**
   * Aborts the batch unless, at its end, the user's contacts fit its state: a live user keeps an active
   * email or phone, an archived user's contacts no longer count. Guards whole-list updates against
   * concurrent ones and against a concurrent archive.
   */
  contactStateGuard(userId: string): BatchItem<"sqlite"> {
    const activeContact = sql`(exists (select 1 from ${userEmails} where ${userEmails.userId} = ${userId} and ${userEmails.active} = 1)
      or exists (select 1 from ${userPhones} where ${userPhones.userId} = ${userId} and ${userPhones.active} = 1))`;
    const archived = sql`(select ${users.archived} from ${users} where ${users.id} = ${userId})`;
    return abortIf(this.db, sql`(${archived} = 0 and not ${activeContact}) or (${archived} = 1 and ${activeContact})`);
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
      .where(and(inArray(users.id, userIds), inApplication(users.applicationId, applicationId)));
  }

  cancelDeletionStatement(applicationId: string, userId: string, now: string) {
    return this.db
      .update(users)
      .set({ deleteOn: null, updatedAt: now })
      // Never an erased account: its deletion date stays as the record of when it happened.
      .where(and(eq(users.id, userId), eq(users.applicationId, applicationId), isNotNull(users.deleteOn), isNull(users.erasedAt)));
  }

  /**
   * Makes `rows` the user's whole email list. Primaries are cleared first so moving the primary
   * never trips the one-primary index mid-batch; the claimed-contact index still refuses an email
   * another user has verified (ContactTakenError on commit).
   */
  replaceEmailsStatements(userId: string, rows: NewEmailRow[]): BatchItem<"sqlite">[] {
    return this.replaceContacts(userEmails, userEmails.email, userId, rows.map((r) => r.email), rows);
  }

  /** replaceEmailsStatements for phones (identity: E.164). */
  replacePhonesStatements(userId: string, rows: NewPhoneRow[]): BatchItem<"sqlite">[] {
    return this.replaceContacts(userPhones, userPhones.e164, userId, rows.map((r) => r.e164), rows);
  }

  /** Both contact tables share user_id / is_primary / verified / active; drizzle is given the email table's type. */
  private replaceContacts(
    table: typeof userEmails | typeof userPhones,
    identity: typeof userEmails.email | typeof userPhones.e164,
    userId: string,
    keep: string[],
    rows: (NewEmailRow | NewPhoneRow)[],
  ): BatchItem<"sqlite">[] {
    const contacts = table as typeof userEmails;
    const key = identity as typeof userEmails.email;
    return [
      this.db.update(contacts).set({ primary: false }).where(eq(contacts.userId, userId)),
      this.db.delete(contacts).where(keep.length ? and(eq(contacts.userId, userId), notInArray(key, keep)) : eq(contacts.userId, userId)),
      ...rows.map((row) =>
        this.db
          .insert(contacts)
          .values(row as NewEmailRow)
          .onConflictDoUpdate({
            target: [contacts.userId, key],
            set: { primary: row.primary, verified: row.verified, active: row.active },
          }),
      ),
    ];
  }
}
