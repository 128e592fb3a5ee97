import { and, eq, getTableColumns, inArray, is, or, Placeholder, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { rethrowStaleWrite } from "./guards";
import { userEmails, userPhones, users } from "./schema/users";
import { inApplication } from "./tenant-filter";

export type UserRow = typeof users.$inferSelect;
export type EmailRow = typeof userEmails.$inferSelect;
export type PhoneRow = typeof userPhones.$inferSelect;

/** A user with its contacts: what every service works with. */
export interface UserRecord {
  user: UserRow;
  emails: EmailRow[];
  phones: PhoneRow[];
}

export interface NewUserRecord {
  user: typeof users.$inferInsert;
  emails: (typeof userEmails.$inferInsert)[];
  phones: (typeof userPhones.$inferInsert)[];
}

/** Raised when a write hits a uniqueness index: a contact already claimed by another user. */
export class ContactTakenError extends Error {
  constructor(readonly kind: "email" | "phone") {
    super(`${kind} already belongs to another account`);
  }
}

/** Maps D1's unique-constraint failures on contacts to ContactTakenError; rethrows anything else. */
export function rethrowContactConflict(error: unknown): never {
  const message = String((error as Error)?.message ?? error);
  if (/UNIQUE constraint failed: user_emails\.(application_id|email)/.test(message)) throw new ContactTakenError("email");
  if (/UNIQUE constraint failed: user_phones\.(application_id|e164)/.test(message)) throw new ContactTakenError("phone");
  throw error;
}

/** Groups contact rows under their users, in the users' order. */
export function attachContacts(rows: UserRow[], emails: EmailRow[], phones: PhoneRow[]): UserRecord[] {
  return rows.map((user) => ({
    user,
    emails: emails.filter((e) => e.userId === user.id),
    phones: phones.filter((p) => p.userId === user.id),
  }));
}

/** A correlated subquery returning `table`'s matching rows as one JSON array, keyed by property name. */
function rowsAsJson(table: SQLiteTable, where: SQL): SQL<string> {
  const pairs = Object.entries(getTableColumns(table)).map(([key, column]) => sql`${key}, ${column}`);
  return sql<string>`(select json_group_array(json_object(${sql.join(pairs, sql`, `)})) from ${table} where ${where})`;
}

// The contact arrays of every signed-in request's user read are decoded with the same two tables'
// column lists: listed once per isolate instead of an Object.entries per table per request.
const columnEntries = new WeakMap<SQLiteTable, [string, SQLiteColumn][]>();

function columnsOf(table: SQLiteTable): [string, SQLiteColumn][] {
  let entries = columnEntries.get(table);
  if (!entries) columnEntries.set(table, (entries = Object.entries(getTableColumns(table))));
  return entries;
}

/** Decodes rowsAsJson's array the way drizzle decodes a row (booleans, numbers, JSON columns). */
function rowsFromJson<T>(table: SQLiteTable, json: string): T[] {
  const columns = columnsOf(table);
  return (JSON.parse(json) as Record<string, unknown>[]).map((raw) => {
    const row: Record<string, unknown> = {};
    for (const [key, column] of columns) row[key] = raw[key] === null || raw[key] === undefined ? null : column.mapFromDriverValue(raw[key]);
    return row as T;
  });
}

type OneUserRow = UserRow & { contactEmails: string; contactPhones: string };

function toRecord(row: OneUserRow | undefined): UserRecord | undefined {
  if (!row) return undefined;
  const { contactEmails, contactPhones, ...user } = row;
  return { user, emails: rowsFromJson<EmailRow>(userEmails, contactEmails), phones: rowsFromJson<PhoneRow>(userPhones, contactPhones) };
}

/**
 * The by-id read every signed-in request makes, built once per isolate: its SQL is the same for
 * every request, while each request runs it on its own D1 session (building it with drizzle each
 * time measured ≈ 0.5 ms of CPU).
 */
let byIdStatement: { sql: string; params: unknown[]; columns: [string, SQLiteColumn][] } | undefined;

function byId(db: Database) {
  if (!byIdStatement) {
    const built = new UsersRepo(db).selectOne(sql.placeholder("applicationId"), eq(users.id, sql.placeholder("id"))).toSQL();
    byIdStatement = { sql: built.sql, params: built.params, columns: Object.entries(getTableColumns(users)) };
  }
  return byIdStatement;
}

/** Decodes a raw row of selectOne the way drizzle does: the users columns in order, then the two contact arrays. */
function rowFromRaw(columns: [string, SQLiteColumn][], raw: unknown[]): OneUserRow {
  const row: Record<string, unknown> = {};
  columns.forEach(([key, column], i) => (row[key] = raw[i] === null || raw[i] === undefined ? null : column.mapFromDriverValue(raw[i])));
  row.contactEmails = raw[columns.length];
  row.contactPhones = raw[columns.length + 1];
  return row as OneUserRow;
}

/** Storage of users and their contacts. Only contacts that are active count for lookups. */
export class UsersRepo {
  constructor(readonly db: Database) {}

  async findById(applicationId: string, id: string): Promise<UserRecord | undefined> {
    const statement = byId(this.db);
    // The placeholders take this request's values; the other parameters (JSON keys) are constants.
    const values = statement.params.map((p) => (is(p, Placeholder) ? (p.name === "id" ? id : applicationId) : p));
    const [raw] = await this.db.$client.prepare(statement.sql).bind(...values).raw();
    return toRecord(raw ? rowFromRaw(statement.columns, raw) : undefined);
  }

  /** The user owning a claimed (verified or primary, active) email. */
  async findByEmail(applicationId: string, email: string): Promise<UserRecord | undefined> {
    return this.findOwner(
      applicationId,
      this.db
        .select({ userId: userEmails.userId })
        .from(userEmails)
        .where(
          and(
            eq(userEmails.applicationId, applicationId),
            eq(userEmails.email, email),
            eq(userEmails.active, true),
            or(eq(userEmails.verified, true), eq(userEmails.primary, true)),
          ),
        ),
    );
  }

  /** The user owning a claimed (verified or primary, active) phone. */
  async findByPhone(applicationId: string, e164: string): Promise<UserRecord | undefined> {
    return this.findOwner(
      applicationId,
      this.db
        .select({ userId: userPhones.userId })
        .from(userPhones)
        .where(
          and(
            eq(userPhones.applicationId, applicationId),
            eq(userPhones.e164, e164),
            eq(userPhones.active, true),
            or(eq(userPhones.verified, true), eq(userPhones.primary, true)),
          ),
        ),
    );
  }

  /** The user (with contacts) whose id `owner` selects. */
  private findOwner(applicationId: string, owner: SQLWrapper): Promise<UserRecord | undefined> {
    return this.readOne(applicationId, inArray(users.id, owner));
  }

  /**
   * One user with its contacts in a single statement (the contacts come back as JSON arrays):
   * every authenticated request and every login reads a user, and one statement costs markedly
   * less than a batch of three.
   */
  private async readOne(applicationId: string, which: SQL): Promise<UserRecord | undefined> {
    return toRecord(await this.selectOne(applicationId, which).get());
  }

  /** Public for byId, which builds it once. */
  selectOne(applicationId: string | Placeholder, which: SQL) {
    return this.db
      .select({
        ...getTableColumns(users),
        contactEmails: rowsAsJson(userEmails, and(eq(userEmails.userId, users.id), inApplication(userEmails.applicationId, applicationId))!),
        contactPhones: rowsAsJson(userPhones, and(eq(userPhones.userId, users.id), inApplication(userPhones.applicationId, applicationId))!),
      })
      .from(users)
      .where(and(which, inApplication(users.applicationId, applicationId)));
  }

  /**
   * Attaches contacts to many users with two queries. The ids travel as one JSON parameter: D1 binds
   * at most 100 values, and an export chunk has 500 users.
   */
  async withContacts(rows: UserRow[]): Promise<UserRecord[]> {
    if (rows.length === 0) return [];
    const ids = sql`(select value from json_each(${JSON.stringify(rows.map((r) => r.id))}))`;
    const [emails, phones] = await this.db.batch([
      this.db.select().from(userEmails).where(sql`${userEmails.userId} in ${ids}`),
      this.db.select().from(userPhones).where(sql`${userPhones.userId} in ${ids}`),
    ]);
    return attachContacts(rows, emails, phones);
  }

  /** The statements that insert a user with its contacts; run them in one batch with anything else. */
  insertStatements(record: NewUserRecord): BatchItem<"sqlite">[] {
    return [
      this.db.insert(users).values(record.user),
      ...record.emails.map((e) => this.db.insert(userEmails).values(e)),
      ...record.phones.map((p) => this.db.insert(userPhones).values(p)),
    ];
  }

  /** Removes a user; its contacts, password history and social links go with it (ON DELETE CASCADE). */
  deleteStatement(applicationId: string, userId: string) {
    return this.db.delete(users).where(and(eq(users.id, userId), inApplication(users.applicationId, applicationId)));
  }

  /** Runs statements as one D1 batch (one transaction); a contact conflict becomes ContactTakenError. */
  async commit(statements: BatchItem<"sqlite">[]): Promise<void> {
    if (statements.length === 0) return;
    try {
      await this.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    } catch (error) {
      rethrowStaleWrite(error);
      rethrowContactConflict(error);
    }
  }
}
