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
