import { sql, type Placeholder, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * `column = applicationId`, written so SQLite cannot use it to choose an index (unary `+` is a no-op
 * on the value). For lookups by user id: without statistics, SQLite otherwise prefers an
 * (application_id, …) index for `user_id = ? AND application_id = ?` and walks every row of the
 * application — 100k index entries per call for a large store — instead of the user's few rows.
 */
export function inApplication(column: SQLiteColumn, applicationId: string | Placeholder): SQL {
  return sql`+${column} = ${applicationId}`;
}
