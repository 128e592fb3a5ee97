import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Never holds a row. A batch (one transaction) that must not commit unless some condition holds at its
 * end inserts NULL here when the condition fails; the NOT NULL constraint then aborts the whole batch.
 * See src/db/guards.ts.
 */
export const writeGuards = sqliteTable("write_guards", {
  violation: text("violation").notNull(),
});
