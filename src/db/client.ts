import { DrizzleD1Database, SQLiteD1Session } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";

/*
 * A drizzle instance without a relational schema: no repository uses `db.query.<table>` (every
 * query names its tables), and with a schema drizzle builds one relational query builder per table
 * each time it makes an instance — per request, since every request has its own D1 session
 * (src/wiring/database.ts): ≈ 0.06 ms of CPU on every request that touches D1, getLoggedInUser's
 * included, for nothing. The type has no `query` tables either, so a relational query does not compile.
 */
export type Database = DrizzleD1Database<Record<string, never>> & { $client: D1Database };

const dialect = new SQLiteAsyncDialect();

function instance(d1: D1Database): Database {
  const db = new DrizzleD1Database("async", dialect, new SQLiteD1Session(d1, dialect, undefined, {}), undefined) as unknown as Database;
  db.$client = d1;
  return db;
}

// A request builds several repos over the same D1 (its session): one instance for all of them.
const instances = new WeakMap<D1Database, Database>();

export function database(d1: D1Database): Database {
  let db = instances.get(d1);
  if (!db) instances.set(d1, (db = instance(d1)));
  return db;
}
