import { sqliteTable, text, index } from "drizzle-orm/sqlite-core";
import { users } from "./users";

/**
 * Every password a user has set (its stored hash, the current one included), newest last, so a
 * new password can be refused when it repeats one of the last N (`password_settings.history`).
 * Kept for a bounded number of entries per user; hashes are as strong as the live one.
 */
export const passwordHistory = sqliteTable(
  "password_history",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    applicationId: text("application_id").notNull(),
    hash: text("hash").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("password_history_user_idx").on(t.userId, t.createdAt)],
);

/**
 * The most common passwords (lower-cased), always refused. Kept in D1 rather than in the Worker bundle:
 * it is read only when a password is set, and would otherwise be a sixth of the gzipped bundle.
 * Filled by migrations/*_common_passwords_data.sql (scripts/gen-common-passwords.mjs).
 */
export const commonPasswords = sqliteTable("common_passwords", {
  password: text("password").primaryKey(),
});
