import { drizzle } from "drizzle-orm/d1";
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

export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;
