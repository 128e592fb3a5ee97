import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";
import { users } from "./users";

export interface GroupCondition {
  user_attribute_definition_id: string;
  type: string;
  value: unknown;
  ignore_year?: boolean;
}

/** A user group (§3.6): `bulk` (explicit members) or `conditional` (members computed from conditions). */
export const userGroups = sqliteTable(
  "user_groups",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull().references(() => applications.id),
    /** Fynd's numeric group id, per application. */
    uid: integer("uid").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    type: text("type").notNull().$type<"bulk" | "conditional">(),
    status: text("status").notNull(),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    fileUrl: text("file_url").notNull().default(""),
    conditions: text("conditions", { mode: "json" }).notNull().$type<GroupCondition[]>().default([]),
    errorCount: integer("error_count").notNull().default(0),
    errorFileUrl: text("error_file_url").notNull().default(""),
    createdAt: text("created_at").notNull(),
    modifiedAt: text("modified_at").notNull(),
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("user_groups_app_uid_uq").on(t.applicationId, t.uid),
    index("user_groups_app_created_idx").on(t.applicationId, t.createdAt),
  ],
);

/** Members of `bulk` groups. */
export const userGroupMembers = sqliteTable(
  "user_group_members",
  {
    groupId: text("group_id").notNull().references(() => userGroups.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    addedAt: text("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("user_group_members_user_idx").on(t.userId)],
);
