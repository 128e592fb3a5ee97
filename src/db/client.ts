import { drizzle } from "drizzle-orm/d1";
import * as tenants from "./schema/tenants";
import * as users from "./schema/users";

export const schema = { ...tenants, ...users };

export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;
