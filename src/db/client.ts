import { drizzle } from "drizzle-orm/d1";
import * as tenants from "./schema/tenants";
import * as users from "./schema/users";
import * as events from "./schema/events";
import * as attributes from "./schema/attributes";
import * as groups from "./schema/groups";
import * as jobs from "./schema/jobs";

export const schema = { ...tenants, ...users, ...events, ...attributes, ...groups, ...jobs };

export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;
