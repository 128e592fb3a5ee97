import { createTableRelationsHelpers, extractTablesRelationalConfig, type RelationalSchemaConfig, type TablesRelationalConfig } from "drizzle-orm";
import { drizzle, DrizzleD1Database, SQLiteD1Session } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import * as tenants from "./schema/tenants";
import * as users from "./schema/users";
import * as events from "./schema/events";
import * as passwords from "./schema/passwords";
import * as social from "./schema/social";
import * as customers from "./schema/customers";
import * as attributes from "./schema/attributes";
import * as groups from "./schema/groups";
import * as jobs from "./schema/jobs";
import * as guards from "./schema/guards";

export const schema = { ...tenants, ...users, ...events, ...social, ...customers, ...passwords, ...attributes, ...groups, ...jobs, ...guards };

const connect = (d1: D1Database) => drizzle(d1, { schema });

export type Database = ReturnType<typeof connect>;

// drizzle() walks the whole schema to build its relational config each time it makes an instance
// (measured ≈ 0.1–0.5 ms of CPU). Every request has its own D1 session (src/wiring/database.ts) and
// so its own instance: they are made from one config, built once per isolate (≈ µs each).
let shared: { dialect: SQLiteAsyncDialect; config: RelationalSchemaConfig<TablesRelationalConfig> } | undefined;

function instance(d1: D1Database): Database {
  if (!shared) {
    const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
    shared = { dialect: new SQLiteAsyncDialect(), config: { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap } };
  }
  const { dialect, config } = shared;
  const db = new DrizzleD1Database("async", dialect, new SQLiteD1Session(d1, dialect, config, {}), config) as unknown as Database;
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
