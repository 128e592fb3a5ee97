import { sqliteTable, text, integer, real, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";
import { users } from "./users";

/** A customer attribute an application defines (§3.7). Values must reference one. */
export const attributeDefinitions = sqliteTable(
  "attribute_definitions",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull().references(() => applications.id),
    name: text("name").notNull(),
    /** The attribute key; unique per application, immutable once values exist. */
    slug: text("slug").notNull(),
    description: text("description").notNull().default(""),
    type: text("type").notNull(),
    icon: text("icon").notNull().default(""),
    orderingChannels: text("ordering_channels", { mode: "json" }).notNull().$type<string[]>().default([]),
    masking: text("masking", { mode: "json" }).notNull().$type<{ enabled: boolean; type: string }>(),
    registration: text("registration", { mode: "json" }).notNull().$type<{ enabled: boolean; type: "mandatory" | "optional" }>(),
    isMultiValue: integer("is_multi_value", { mode: "boolean" }).notNull().default(false),
    customerEditable: integer("customer_editable", { mode: "boolean" }).notNull().default(false),
    encrypted: integer("encrypted", { mode: "boolean" }).notNull().default(false),
    pinned: integer("pinned", { mode: "boolean" }).notNull().default(false),
    pinOrder: integer("pin_order").notNull().default(0),
    isLocked: integer("is_locked", { mode: "boolean" }).notNull().default(false),
    defaultValue: text("default_value"),
    validations: text("validations", { mode: "json" }).notNull().$type<{ type: string; value: unknown }[]>().default([]),
    options: text("options", { mode: "json" }).notNull().$type<string[]>().default([]),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: text("created_at").notNull(),
    modifiedAt: text("modified_at").notNull(),
    version: integer("version").notNull().default(0),
  },
  (t) => [uniqueIndex("attribute_definitions_app_slug_uq").on(t.applicationId, t.slug)],
);

/**
 * One value of one attribute for one user (§3.9): the canonical JSON value, or its AES-GCM
 * ciphertext when the definition is encrypted (then `value` is null and nothing is indexed).
 */
export const userAttributes = sqliteTable(
  "user_attributes",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    definitionId: text("definition_id").notNull().references(() => attributeDefinitions.id, { onDelete: "cascade" }),
    /** JSON text of the value (a list for multi-value attributes). */
    value: text("value"),
    /** `v1.<iv>.<ciphertext>` for encrypted attributes. */
    ciphertext: text("ciphertext"),
    customerOverridden: integer("customer_overridden", { mode: "boolean" }).notNull().default(false),
    updatedBy: text("updated_by").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("user_attributes_def_user_uq").on(t.definitionId, t.userId),
    index("user_attributes_user_idx").on(t.userId, t.definitionId),
  ],
);

/**
 * The search index of attribute values: one row per value element (several for multi-value
 * attributes) in typed columns, so filters are index range scans instead of JSON parsing per row.
 * Text lives in `value_text` (exact) and `value_fold` (lower-cased); numbers, booleans (0/1) and
 * dates (epoch ms) in `value_num`; `month_day` (MMDD) serves year-less date conditions.
 */
export const attributeValues = sqliteTable(
  "attribute_values",
  {
    definitionId: text("definition_id").notNull().references(() => attributeDefinitions.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    valueText: text("value_text"),
    valueFold: text("value_fold"),
    valueNum: real("value_num"),
    monthDay: integer("month_day"),
  },
  (t) => [
    index("attribute_values_num_idx").on(t.definitionId, t.valueNum, t.userId),
    index("attribute_values_fold_idx").on(t.definitionId, t.valueFold, t.userId),
    index("attribute_values_month_day_idx").on(t.definitionId, t.monthDay, t.userId),
    index("attribute_values_user_idx").on(t.userId, t.definitionId),
  ],
);
