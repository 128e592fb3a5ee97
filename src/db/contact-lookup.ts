import { and, eq, inArray, or } from "drizzle-orm";
import { chunked, MAX_PARAMS } from "./attributes-repo";
import { readAll, type Statement } from "./batch";
import type { Database } from "./client";
import { userEmails, userPhones, users } from "./schema/users";

/*
 * Many-at-once versions of UsersRepo's lookups, for bulk work (group members, imports): claimed
 * (active and verified or primary) contacts only, like findByEmail/findByPhone, in statements that
 * stay under D1's bound-parameter limit.
 */

function runChunked<T>(db: Database, keys: string[], build: (part: string[]) => Statement): Promise<T[]> {
  return readAll<T>(db, chunked([...new Set(keys)], MAX_PARAMS - 2).map(build));
}

/** email → user id, for the emails that belong to a customer of the application. */
export async function usersByEmails(db: Database, applicationId: string, emails: string[]): Promise<Map<string, string>> {
  const rows = await runChunked<{ email: string; userId: string }>(db, emails, (part) =>
    db
      .select({ email: userEmails.email, userId: userEmails.userId })
      .from(userEmails)
      .where(
        and(
          eq(userEmails.applicationId, applicationId),
          inArray(userEmails.email, part),
          eq(userEmails.active, true),
          or(eq(userEmails.verified, true), eq(userEmails.primary, true)),
        ),
      ),
  );
  return new Map(rows.map((r) => [r.email, r.userId]));
}

/** E.164 phone → user id. */
export async function usersByPhones(db: Database, applicationId: string, e164s: string[]): Promise<Map<string, string>> {
  const rows = await runChunked<{ e164: string; userId: string }>(db, e164s, (part) =>
    db
      .select({ e164: userPhones.e164, userId: userPhones.userId })
      .from(userPhones)
      .where(
        and(
          eq(userPhones.applicationId, applicationId),
          inArray(userPhones.e164, part),
          eq(userPhones.active, true),
          or(eq(userPhones.verified, true), eq(userPhones.primary, true)),
        ),
      ),
  );
  return new Map(rows.map((r) => [r.e164, r.userId]));
}

/** The ids among `ids` that are users of the application. */
export async function existingUserIds(db: Database, applicationId: string, ids: string[]): Promise<Set<string>> {
  const rows = await runChunked<{ id: string }>(db, ids, (part) =>
    db.select({ id: users.id }).from(users).where(and(eq(users.applicationId, applicationId), inArray(users.id, part))),
  );
  return new Set(rows.map((r) => r.id));
}
