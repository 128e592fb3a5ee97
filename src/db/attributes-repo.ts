import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import { commitBatch, readAll, type Statement } from "./batch";
import type { Database } from "./client";
import { attributeDefinitions, attributeSubjects, attributeValues, userAttributes } from "./schema/attributes";
import { users } from "./schema/users";

/** One row of the search index for an element (see the attribute_values table). */
export interface IndexEntry {
  valueText: string | null;
  valueFold: string | null;
  valueNum: number | null;
  monthDay: number | null;
}

export type DefinitionRow = typeof attributeDefinitions.$inferSelect;
export type NewDefinitionRow = Omit<typeof attributeDefinitions.$inferInsert, "key">;
export type ValueRow = typeof userAttributes.$inferSelect;

/** Raised when a slug is already used by another definition of the application. */
export class SlugTakenError extends Error {}

// D1 allows 100 bound parameters per statement; lists are split below that.
export const MAX_PARAMS = 90;
const INDEX_ROWS_PER_INSERT = Math.floor(MAX_PARAMS / 6);

export function chunked<T>(items: T[], size = MAX_PARAMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What to write for one user's value of one attribute. */
export interface StoredValue {
  definitionId: string;
  /** The definition's compact key in the search index. */
  definitionKey: number;
  userId: string;
  applicationId: string;
  value: string | null;
  ciphertext: string | null;
  index: IndexEntry[];
  customerOverridden: boolean;
  updatedBy: string;
}

export class AttributesRepo {
  constructor(readonly db: Database) {}

  /** All definitions of an application (bounded per application), pinned first. */
  async definitions(applicationId: string): Promise<DefinitionRow[]> {
    return this.db
      .select()
      .from(attributeDefinitions)
      .where(eq(attributeDefinitions.applicationId, applicationId))
      .orderBy(desc(attributeDefinitions.pinned), asc(attributeDefinitions.pinOrder), asc(attributeDefinitions.createdAt), asc(attributeDefinitions.id))
      .all();
  }

  async definition(applicationId: string, id: string): Promise<DefinitionRow | undefined> {
    return this.db
      .select()
      .from(attributeDefinitions)
      .where(and(eq(attributeDefinitions.id, id), eq(attributeDefinitions.applicationId, applicationId)))
      .get();
  }

  async countDefinitions(applicationId: string): Promise<number> {
    const row = await this.db.select({ n: count() }).from(attributeDefinitions).where(eq(attributeDefinitions.applicationId, applicationId)).get();
    return row?.n ?? 0;
  }

  async insertDefinition(row: NewDefinitionRow): Promise<void> {
    try {
      await this.db
        .insert(attributeDefinitions)
        .values({ ...row, key: sql`(select coalesce(max(${attributeDefinitions.key}), 0) + 1 from ${attributeDefinitions})` });
    } catch (error) {
      throw slugConflict(error);
    }
  }

  /**
   * Updates a definition. With `onlyIfNoValues` the write happens only while no user has a value
   * (one statement, so a value written concurrently cannot slip in between check and change).
   * Answers whether a row was updated.
   */
  async updateDefinition(
    applicationId: string,
    id: string,
    changes: Partial<NewDefinitionRow>,
    onlyIfNoValues: boolean,
  ): Promise<boolean> {
    const noValues = sql`not exists (select 1 from ${userAttributes} where ${userAttributes.definitionId} = ${id})`;
    try {
      const result = await this.db
        .update(attributeDefinitions)
        .set({ ...changes, version: sql`${attributeDefinitions.version} + 1` })
        .where(and(eq(attributeDefinitions.id, id), eq(attributeDefinitions.applicationId, applicationId), onlyIfNoValues ? noValues : undefined))
        .run();
      return result.meta.changes > 0;
    } catch (error) {
      throw slugConflict(error);
    }
  }

  /** Deletes a definition with all its values, in one transaction. */
  async deleteDefinition(applicationId: string, id: string, key: number): Promise<void> {
    await this.db.batch([
      this.db.delete(attributeValues).where(eq(attributeValues.definitionKey, key)),
      this.db.delete(userAttributes).where(and(eq(userAttributes.definitionId, id), eq(userAttributes.applicationId, applicationId))),
      this.db.delete(attributeDefinitions).where(and(eq(attributeDefinitions.id, id), eq(attributeDefinitions.applicationId, applicationId))),
    ]);
  }

  async hasValues(definitionId: string): Promise<boolean> {
    const row = await this.db.select({ id: userAttributes.id }).from(userAttributes).where(eq(userAttributes.definitionId, definitionId)).limit(1).get();
    return row !== undefined;
  }

  async value(applicationId: string, definitionId: string, userId: string): Promise<ValueRow | undefined> {
    return this.db
      .select()
      .from(userAttributes)
      .where(and(eq(userAttributes.definitionId, definitionId), eq(userAttributes.userId, userId), eq(userAttributes.applicationId, applicationId)))
      .get();
  }

  async valueById(applicationId: string, id: string): Promise<ValueRow | undefined> {
    return this.db
      .select()
      .from(userAttributes)
      .where(and(eq(userAttributes.id, id), eq(userAttributes.applicationId, applicationId)))
      .get();
  }

  /** A page of one user's values, oldest first, and how many there are. */
  async valuesPage(applicationId: string, userId: string, limit: number, offset: number): Promise<{ rows: ValueRow[]; total: number }> {
    const where = and(eq(userAttributes.userId, userId), eq(userAttributes.applicationId, applicationId));
    const [rows, total] = await this.db.batch([
      this.db.select().from(userAttributes).where(where).orderBy(asc(userAttributes.createdAt), asc(userAttributes.id)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(userAttributes).where(where),
    ]);
    return { rows, total: total[0]?.n ?? 0 };
  }

  /** Values of many users, optionally only for some definitions. */
  async valuesOf(applicationId: string, userIds: string[], definitionIds?: string[]): Promise<ValueRow[]> {
    if (userIds.length === 0 || definitionIds?.length === 0) return [];
    const rows = await readAll<ValueRow>(
      this.db,
      chunked(userIds, MAX_PARAMS - 1).map((ids) =>
        this.db.select().from(userAttributes).where(and(inArray(userAttributes.userId, ids), eq(userAttributes.applicationId, applicationId))),
      ),
    );
    // A user has at most one value per definition, so narrowing here costs little and keeps statements small.
    const wanted = definitionIds ? new Set(definitionIds) : undefined;
    return wanted ? rows.filter((r) => wanted.has(r.definitionId)) : rows;
  }

  /** The user's subject number in the search index (made once, on the first indexed value). */
  private subjectOf(userId: string) {
    return sql`(select ${attributeSubjects.seq} from ${attributeSubjects} where ${attributeSubjects.userId} = ${userId})`;
  }

  /** The statements that set (insert or replace) one value and its index rows. */
  upsertStatements(v: StoredValue, id: string, now: string): Statement[] {
    const statements: Statement[] = [
      this.db
        .insert(userAttributes)
        .values({
          id,
          applicationId: v.applicationId,
          userId: v.userId,
          definitionId: v.definitionId,
          value: v.value,
          ciphertext: v.ciphertext,
          customerOverridden: v.customerOverridden,
          updatedBy: v.updatedBy,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [userAttributes.definitionId, userAttributes.userId],
          set: { value: v.value, ciphertext: v.ciphertext, customerOverridden: v.customerOverridden, updatedBy: v.updatedBy, updatedAt: now },
        }),
      this.db
        .delete(attributeValues)
        .where(and(eq(attributeValues.subject, this.subjectOf(v.userId)), eq(attributeValues.definitionKey, v.definitionKey))),
    ];
    if (v.index.length) {
      statements.push(
        this.db
          .insert(attributeSubjects)
          .select(
            this.db
              // seq null: SQLite assigns the next integer key.
              .select({ seq: sql<number>`null`.as("seq"), userId: users.id, applicationId: users.applicationId, createdAt: users.createdAt })
              .from(users)
              .where(eq(users.id, v.userId)),
          )
          .onConflictDoNothing(),
      );
    }
    for (const rows of chunked(v.index, INDEX_ROWS_PER_INSERT)) {
      statements.push(
        this.db.insert(attributeValues).values(rows.map((r) => ({ ...r, definitionKey: v.definitionKey, subject: this.subjectOf(v.userId) }))),
      );
    }
    return statements;
  }

  /** The statements that delete some of a user's values. */
  deleteStatements(applicationId: string, userId: string, definitions: { id: string; key: number }[]): Statement[] {
    return chunked(definitions, MAX_PARAMS - 2).flatMap((part) => [
      this.db
        .delete(attributeValues)
        .where(and(eq(attributeValues.subject, this.subjectOf(userId)), inArray(attributeValues.definitionKey, part.map((d) => d.key)))),
      this.db
        .delete(userAttributes)
        .where(
          and(
            eq(userAttributes.userId, userId),
            eq(userAttributes.applicationId, applicationId),
            inArray(userAttributes.definitionId, part.map((d) => d.id)),
          ),
        ),
    ]);
  }

  commit(statements: Statement[]): Promise<void> {
    return commitBatch(this.db, statements);
  }
}

/** The text of an error and its causes (drizzle wraps D1's message as the cause). */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as Error).cause, depth++) parts.push(String((e as Error).message ?? e));
  return parts.join(" | ");
}

function slugConflict(error: unknown): unknown {
  return /UNIQUE constraint failed: attribute_definitions\.(application_id|slug)/.test(errorText(error))
    ? new SlugTakenError("slug taken")
    : error;
}
