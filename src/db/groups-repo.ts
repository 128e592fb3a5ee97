import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import { commitBatch, type Statement } from "./batch";
import { chunked, MAX_PARAMS } from "./attributes-repo";
import type { Database } from "./client";
import { userGroupMembers, userGroups } from "./schema/groups";

export type GroupRow = typeof userGroups.$inferSelect;
export type NewGroupRow = Omit<typeof userGroups.$inferInsert, "uid">;

export interface GroupFilters {
  name?: string;
  type?: "bulk" | "conditional";
  status?: string;
  uid?: number;
}

const MEMBERS_PER_INSERT = Math.floor(MAX_PARAMS / 3);

export class GroupsRepo {
  constructor(readonly db: Database) {}

  /** Inserts a group; its `uid` is the next number in the application, taken in the same statement. */
  insertStatement(row: NewGroupRow) {
    return this.db.insert(userGroups).values({
      ...row,
      uid: sql`(select coalesce(max(${userGroups.uid}), 0) + 1 from ${userGroups} where ${userGroups.applicationId} = ${row.applicationId})`,
    });
  }

  async find(applicationId: string, id: string): Promise<GroupRow | undefined> {
    return this.db.select().from(userGroups).where(and(eq(userGroups.id, id), eq(userGroups.applicationId, applicationId))).get();
  }

  async findByUid(applicationId: string, uid: number): Promise<GroupRow | undefined> {
    return this.db.select().from(userGroups).where(and(eq(userGroups.uid, uid), eq(userGroups.applicationId, applicationId))).get();
  }

  async list(applicationId: string, filters: GroupFilters, limit: number, offset: number): Promise<{ rows: GroupRow[]; total: number }> {
    const where = and(
      eq(userGroups.applicationId, applicationId),
      filters.name ? sql`instr(lower(${userGroups.name}), ${filters.name.toLowerCase()}) > 0` : undefined,
      filters.type ? eq(userGroups.type, filters.type) : undefined,
      filters.status ? eq(userGroups.status, filters.status) : undefined,
      filters.uid !== undefined ? eq(userGroups.uid, filters.uid) : undefined,
    );
    const [rows, total] = await this.db.batch([
      this.db.select().from(userGroups).where(where).orderBy(desc(userGroups.createdAt), desc(userGroups.uid)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(userGroups).where(where),
    ]);
    return { rows, total: total[0]?.n ?? 0 };
  }

  updateStatement(applicationId: string, id: string, changes: Partial<NewGroupRow>) {
    return this.db
      .update(userGroups)
      .set({ ...changes, version: sql`${userGroups.version} + 1` })
      .where(and(eq(userGroups.id, id), eq(userGroups.applicationId, applicationId)));
  }

  async delete(applicationId: string, id: string): Promise<void> {
    await this.db.batch([
      this.db.delete(userGroupMembers).where(eq(userGroupMembers.groupId, id)),
      this.db.delete(userGroups).where(and(eq(userGroups.id, id), eq(userGroups.applicationId, applicationId))),
    ]);
  }

  /** Names of the conditional groups whose conditions mention a definition. */
  async usingDefinition(applicationId: string, definitionId: string): Promise<string[]> {
    const rows = await this.db
      .select({ name: userGroups.name })
      .from(userGroups)
      .where(
        and(
          eq(userGroups.applicationId, applicationId),
          eq(userGroups.type, "conditional"),
          sql`exists (select 1 from json_each(${userGroups.conditions}) where json_extract(value, '$.user_attribute_definition_id') = ${definitionId})`,
        ),
      )
      .all();
    return rows.map((r) => r.name);
  }

  addMembersStatements(groupId: string, userIds: string[], now: string): Statement[] {
    return chunked(userIds, MEMBERS_PER_INSERT).map((part) =>
      this.db
        .insert(userGroupMembers)
        .values(part.map((userId) => ({ groupId, userId, addedAt: now })))
        .onConflictDoNothing(),
    );
  }

  removeMembersStatements(groupId: string, userIds: string[]): Statement[] {
    return chunked(userIds, MAX_PARAMS - 1).map((part) =>
      this.db.delete(userGroupMembers).where(and(eq(userGroupMembers.groupId, groupId), inArray(userGroupMembers.userId, part))),
    );
  }

  clearMembersStatement(groupId: string) {
    return this.db.delete(userGroupMembers).where(eq(userGroupMembers.groupId, groupId));
  }

  commit(statements: Statement[]): Promise<void> {
    return commitBatch(this.db, statements);
  }
}
