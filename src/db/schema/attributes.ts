import { sqliteTable, text, integer, real, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";
import { users } from "./users";

/** A customer attribute an application defines (§3.7). Values must reference one. */
export const attributeDefinitions = sqliteTable(
  "attribute_definitions",
  {
    id: text("id").primaryKey(),
    /** Compact number of the definition in the search index (attribute_values), assigned at creation. */
    key: integer("key").notNull(),
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
  (t) => [uniqueIndex("attribute_definitions_app_slug_uq").on(t.applicationId, t.slug), uniqueIndex("attribute_definitions_key_uq").on(t.key)],
);

/**
 * A compact integer per user that has attribute values: the search index refers to users by it, so
 * index entries and the sets a filter builds are small integers rather than 24-character ids. It
 * carries the user's creation time so matches can be ordered without visiting the users table.
 */
export const attributeSubjects = sqliteTable(
  "attribute_subjects",
  {
    seq: integer("seq").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    applicationId: text("application_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("attribute_subjects_user_uq").on(t.userId), index("attribute_subjects_app_created_idx").on(t.applicationId, t.createdAt, t.seq)],
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
 * dates (epoch ms) in `value_num`; `month_day` (MMDD) serves year-less date conditions. Encrypted and
 * JSON attributes have no rows here: they are never searchable.
 */
export const attributeValues = sqliteTable(
  "attribute_values",
  {
    definitionKey: integer("def_key").notNull().references(() => attributeDefinitions.key, { onDelete: "cascade" }),
    subject: integer("subject").notNull().references(() => attributeSubjects.seq, { onDelete: "cascade" }),
    valueText: text("value_text"),
    valueFold: text("value_fold"),
    valueNum: real("value_num"),
    monthDay: integer("month_day"),
  },
  (t) => [
    // Range scans of one attribute's values (a condition's matches).
    index("attribute_values_num_idx").on(t.definitionKey, t.valueNum, t.subject),
    index("attribute_values_fold_idx").on(t.definitionKey, t.valueFold, t.subject),
    index("attribute_values_month_day_idx").on(t.definitionKey, t.monthDay, t.subject),
    // Probes "does this user's value of that attribute match" without a table lookup, and reads one
    // attribute's matches in subject order (de-duplicated and in subject ranges without sorting) when
    // broad filters are intersected in the Worker (db/user-filter-sql.ts).
    index("attribute_values_def_subject_idx").on(t.definitionKey, t.subject, t.valueNum, t.valueFold, t.monthDay),
    // Deletes by user, including the cascade from attribute_subjects.
    index("attribute_values_by_subject_idx").on(t.subject),
  ],
);
