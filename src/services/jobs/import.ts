import { eq } from "drizzle-orm";
import type { Statement } from "../../db/batch";
import type { AttributesRepo } from "../../db/attributes-repo";
import { errorText } from "../../db/attributes-repo";
import type { Database } from "../../db/client";
import { usersByEmails, usersByPhones } from "../../db/contact-lookup";
import { userEmails, userPhones, users } from "../../db/schema/users";
import { usersByIds } from "../../db/user-filter-sql";
import { ContactTakenError, type UserRecord, type UsersRepo } from "../../db/users-repo";
import type { AttributeCipher } from "../../crypto/attribute-cipher";
import { newId } from "../../crypto/tokens";
import type { AttributeModel } from "../attributes/model";
import { parseDay, type AttributeValue } from "../attributes/types";
import { valueFromText } from "../attributes/checks";
import { toStored } from "../attributes/values";
import { normalizeEmail, normalizePhone, type NormalizedPhone } from "../../schemas/contacts";
import { recordMap } from "./csv";
import { newUserRecord } from "../accounts/users";

/*
 * Customer import, one chunk of rows at a time. Every row is checked on its own; a good row creates
 * a customer or updates the one owning its email/phone, and all of its writes (user, contacts,
 * attributes) land in one transaction, so a row is either wholly written or not at all.
 */

export const ATTRIBUTE_COLUMN = "attribute:";
const PROFILE_COLUMNS = ["first_name", "last_name", "gender", "dob", "external_id", "rr_id"] as const;
const PHONE_COLUMNS = ["phone_number", "phone", "mobile"];
const CONTACT_COLUMNS = ["email", ...PHONE_COLUMNS, "country_code"];
/** Columns our export writes that describe, not define, a customer. Accepted and ignored. */
const INFORMATIONAL_COLUMNS = ["user_id", "username", "status", "created_at", "updated_at"];

export interface ImportDeps {
  db: Database;
  users: UsersRepo;
  attributes: AttributesRepo;
  cipher: AttributeCipher;
}

/** Why a header cannot be imported, or undefined. */
export function headerProblem(header: string[], models: Map<string, AttributeModel>): string | undefined {
  const slugs = new Set([...models.values()].map((m) => m.row.slug));
  const known = new Set<string>([...PROFILE_COLUMNS, ...CONTACT_COLUMNS, ...INFORMATIONAL_COLUMNS]);
  const unknown = header.filter((h) => (h.startsWith(ATTRIBUTE_COLUMN) ? !slugs.has(h.slice(ATTRIBUTE_COLUMN.length)) : !known.has(h)));
  if (unknown.length) return `Unknown columns: ${unknown.join(", ")} (attribute columns are attribute:<slug> of a defined attribute)`;
  if (new Set(header).size !== header.length) return "A column appears more than once";
  if (!header.includes("email") && !PHONE_COLUMNS.some((c) => header.includes(c))) return "The file needs an email or phone_number column";
  return undefined;
}

export interface ImportRow {
  line: number;
  record: string[];
  email?: string;
  phone?: NormalizedPhone;
  profile: Partial<Record<(typeof PROFILE_COLUMNS)[number], string>>;
  attributes: { model: AttributeModel; value: AttributeValue }[];
}

export interface RowFailure {
  line: number;
  record: string[];
  message: string;
}

const LIMITS: Record<(typeof PROFILE_COLUMNS)[number], number> = { first_name: 100, last_name: 100, gender: 20, dob: 10, external_id: 100, rr_id: 100 };

/** Checks one row (no storage involved). */
export function parseImportRow(header: string[], record: string[], bySlug: Map<string, AttributeModel>, line: number): ImportRow | RowFailure {
  const cells = recordMap(header, record);
  const failure = (message: string): RowFailure => ({ line, record, message });
  const row: ImportRow = { line, record, profile: {}, attributes: [] };
  if (cells.email) {
    row.email = normalizeEmail(cells.email);
    if (!row.email) return failure("email: not an email address");
  }
  const phone = PHONE_COLUMNS.map((c) => cells[c]).find(Boolean);
  if (phone) {
    row.phone = normalizePhone(phone, phone.startsWith("+") ? undefined : cells.country_code || undefined);
    if (!row.phone) return failure("phone_number: not a valid phone number (use +<country code><number> or a country_code column)");
  }
  if (!row.email && !row.phone) return failure("needs an email or a phone_number");
  for (const column of PROFILE_COLUMNS) {
    const value = cells[column];
    if (!value) continue;
    if (value.length > LIMITS[column]) return failure(`${column}: at most ${LIMITS[column]} characters`);
    if (column === "dob" && parseDay(value) === undefined) return failure("dob: must be a date like 1990-05-31");
    row.profile[column] = column === "gender" ? value.toLowerCase() : value;
  }
  for (const [column, text] of Object.entries(cells)) {
    if (!column.startsWith(ATTRIBUTE_COLUMN) || text === "") continue;
    const model = bySlug.get(column.slice(ATTRIBUTE_COLUMN.length))!;
    try {
      row.attributes.push({ model, value: valueFromText(model, text) });
    } catch (error) {
      return failure((error as Error).message);
    }
  }
  return row;
}

/** Identity keys of a row: two rows sharing one must not be written in the same batch. */
const keysOf = (row: ImportRow) => [row.email && `e:${row.email}`, row.phone && `p:${row.phone.e164}`].filter(Boolean) as string[];

/** Splits rows into runs without repeated identities, so a later row sees (and updates) what an earlier one created. */
function runsWithoutRepeats(rows: ImportRow[]): ImportRow[][] {
  const runs: ImportRow[][] = [];
  let seen = new Set<string>();
  let current: ImportRow[] = [];
  for (const row of rows) {
    const keys = keysOf(row);
    if (keys.some((k) => seen.has(k))) {
      runs.push(current);
      current = [];
      seen = new Set();
    }
    current.push(row);
    keys.forEach((k) => seen.add(k));
  }
  if (current.length) runs.push(current);
  return runs;
}

function contactStatements(stores: ImportDeps, existing: UserRecord, row: ImportRow, now: string): Statement[] {
  const statements: Statement[] = [];
  const { db } = stores;
  const userId = existing.user.id;
  if (row.email) {
    const current = existing.emails.find((e) => e.email === row.email);
    const primary = !existing.emails.some((e) => e.primary);
    if (current) {
      statements.push(db.update(userEmails).set({ active: true, verified: true, ...(primary ? { primary } : {}) }).where(eq(userEmails.id, current.id)));
    } else {
      statements.push(db.insert(userEmails).values({ id: newId(), userId, applicationId: existing.user.applicationId, email: row.email, primary, verified: true, active: true, createdAt: now }));
    }
  }
  if (row.phone) {
    const current = existing.phones.find((p) => p.e164 === row.phone!.e164);
    const primary = !existing.phones.some((p) => p.primary);
    if (current) {
      statements.push(db.update(userPhones).set({ active: true, verified: true, ...(primary ? { primary } : {}) }).where(eq(userPhones.id, current.id)));
    } else {
      const { countryCode, phone, e164 } = row.phone;
      statements.push(
        db.insert(userPhones).values({ id: newId(), userId, applicationId: existing.user.applicationId, countryCode, phone, e164, primary, verified: true, active: true, createdAt: now }),
      );
    }
  }
  return statements;
}

const profileOf = (row: ImportRow) => ({
  firstName: row.profile.first_name,
  lastName: row.profile.last_name,
  gender: row.profile.gender,
  dob: row.profile.dob,
  externalId: row.profile.external_id,
  rrId: row.profile.rr_id,
});

/** The statements of one row: create or update the customer, then its attribute values. */
async function rowStatements(stores: ImportDeps, applicationId: string, row: ImportRow, existing: UserRecord | undefined, now: string): Promise<Statement[]> {
  const statements: Statement[] = [];
  let userId: string;
  if (existing) {
    userId = existing.user.id;
    const profile = Object.fromEntries(Object.entries(profileOf(row)).filter(([, v]) => v !== undefined));
    statements.push(stores.db.update(users).set({ ...profile, updatedAt: now }).where(eq(users.id, userId)));
    statements.push(...contactStatements(stores, existing, row, now));
  } else {
    const record = newUserRecord(
      {
        applicationId,
        ...profileOf(row),
        email: row.email ? { email: row.email, verified: true } : undefined,
        phone: row.phone ? { ...row.phone, verified: true } : undefined,
      },
      now,
    );
    userId = record.id;
    statements.push(...stores.users.insertStatements(record));
  }
  for (const { model, value } of row.attributes) {
    const stored = await toStored(stores.cipher, model, userId, value, { updatedBy: "import", customerOverridden: false });
    statements.push(...stores.attributes.upsertStatements(stored, newId(), now));
  }
  return statements;
}

const isConstraintError = (error: unknown) => error instanceof ContactTakenError || /constraint failed/i.test(errorText(error));

function constraintMessage(error: unknown): string {
  if (error instanceof ContactTakenError) return `${error.kind === "email" ? "email" : "phone_number"} already belongs to another customer`;
  return "conflicts with existing data";
}

/** Writes one run of rows (no repeated identities): a few large transactions, each row wholly in one. */
async function writeRun(stores: ImportDeps, applicationId: string, run: ImportRow[]): Promise<RowFailure[]> {
  const emails = await usersByEmails(stores.db, applicationId, run.flatMap((r) => (r.email ? [r.email] : [])));
  const phones = await usersByPhones(stores.db, applicationId, run.flatMap((r) => (r.phone ? [r.phone.e164] : [])));
  const failures: RowFailure[] = [];
  const owners = new Map<ImportRow, string | undefined>();
  for (const row of run) {
    const byEmail = row.email ? emails.get(row.email) : undefined;
    const byPhone = row.phone ? phones.get(row.phone.e164) : undefined;
    if (byEmail && byPhone && byEmail !== byPhone) failures.push({ line: row.line, record: row.record, message: "email and phone_number belong to different customers" });
    else owners.set(row, byEmail ?? byPhone);
  }
  const ids = [...new Set([...owners.values()].filter((id): id is string => id !== undefined))];
  const records = new Map((await stores.users.withContacts(await usersByIds(stores.db, ids))).map((r) => [r.user.id, r]));
  const now = new Date().toISOString();
  const perRow: [ImportRow, Statement[]][] = [];
  for (const [row, owner] of owners) perRow.push([row, await rowStatements(stores, applicationId, row, owner ? records.get(owner) : undefined, now)]);
  for (const group of batchesOfRows(perRow)) failures.push(...(await commitRows(stores, group)));
  return failures;
}

/** Bounds the size of one D1 batch; a row's statements always stay together. */
const MAX_BATCH_STATEMENTS = 2000;

function batchesOfRows(perRow: [ImportRow, Statement[]][]): [ImportRow, Statement[]][][] {
  const batches: [ImportRow, Statement[]][][] = [];
  let current: [ImportRow, Statement[]][] = [];
  let size = 0;
  for (const entry of perRow) {
    if (current.length && size + entry[1].length > MAX_BATCH_STATEMENTS) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry[1].length;
  }
  if (current.length) batches.push(current);
  return batches;
}

/** Commits rows in one transaction, or if that hits a conflict (a contact claimed meanwhile), one transaction per row. */
async function commitRows(stores: ImportDeps, rows: [ImportRow, Statement[]][]): Promise<RowFailure[]> {
  try {
    await stores.users.commit(rows.flatMap(([, statements]) => statements));
    return [];
  } catch (error) {
    if (!isConstraintError(error)) throw error;
  }
  const failures: RowFailure[] = [];
  for (const [row, statements] of rows) {
    try {
      await stores.users.commit(statements);
    } catch (error) {
      if (!isConstraintError(error)) throw error;
      failures.push({ line: row.line, record: row.record, message: constraintMessage(error) });
    }
  }
  return failures;
}

/** Imports checked rows; answers the rows that failed (the others are written). */
export async function importRows(stores: ImportDeps, applicationId: string, rows: ImportRow[]): Promise<RowFailure[]> {
  const failures: RowFailure[] = [];
  for (const run of runsWithoutRepeats(rows)) failures.push(...(await writeRun(stores, applicationId, run)));
  return failures;
}
