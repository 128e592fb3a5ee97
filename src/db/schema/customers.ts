import { index, sqliteTable, text, integer, primaryKey, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One row per user: the text the admin customer search matches against, kept up to date by
 * triggers on users / user_emails / user_phones (migration `customers_search`), so every way of
 * writing a user — registration, admin, import — is searchable without knowing about search.
 * `doc_id` is an integer key on purpose: it is the rowid of the FTS5 index over this table
 * (`customers_search`, trigram tokenizer), and grows with insertion, so it orders newest last.
 */
export const customerSearchDocs = sqliteTable(
  "customer_search_docs",
  {
    docId: integer("doc_id").primaryKey(),
    userId: text("user_id").notNull(),
    applicationId: text("application_id").notNull(),
    /** "first last" */
    name: text("name").notNull().default(""),
    /** Active emails, space separated. */
    emails: text("emails").notNull().default(""),
    /** Active phones in E.164, space separated (the national number is a substring of it). */
    phones: text("phones").notNull().default(""),
    /** User id, username, external_id, rr_id. */
    ids: text("ids").notNull().default(""),
  },
  (t) => [
    uniqueIndex("customer_search_docs_user_uq").on(t.userId),
    // The exact count of a search: the FTS matches' rowids probed in this narrow index, never each
    // match's whole document row (CustomersRepo.matchCountQuery).
    index("customer_search_docs_app_doc_idx").on(t.applicationId, t.docId),
  ],
);

/**
 * How many users an application has per day and per minute of `created_at` (its first 10 and 16
 * characters), kept by triggers on users (migration customer_counts) for every writer: the list's
 * `item_total` without counting rows, and where a deep page of the newest-first list starts without
 * walking its OFFSET (CustomersRepo.page). Rows can reach 0 and stay; they change no sum.
 */
export const customerDayCounts = sqliteTable(
  "customer_day_counts",
  {
    applicationId: text("application_id").notNull(),
    day: text("day").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.day] })],
);

export const customerMinuteCounts = sqliteTable(
  "customer_minute_counts",
  {
    applicationId: text("application_id").notNull(),
    minute: text("minute").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.minute] })],
);
