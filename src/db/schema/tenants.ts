import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";

export const companies = sqliteTable("companies", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull(),
});

/** A sales channel (storefront) of a company: the unit of isolation for users and config. */
export const applications = sqliteTable(
  "applications",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id").notNull().references(() => companies.id),
    name: text("name").notNull(),
    /** SHA-256 of the application token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    /** The platform config (PlatformSchema, §3.4 + our extensions) as JSON. */
    config: text("config", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
    configVersion: integer("config_version").notNull().default(0),
    /** Random per write; lets the statements of one batched config write recognise their own update. */
    configEtag: text("config_etag"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("applications_company_idx").on(t.companyId)],
);

/** Browser origins allowed to call an application's storefront API with credentials (CORS). */
export const applicationOrigins = sqliteTable(
  "application_origins",
  {
    applicationId: text("application_id").notNull().references(() => applications.id, { onDelete: "cascade" }),
    origin: text("origin").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.origin] }), index("application_origins_origin_idx").on(t.origin)],
);

/** Credentials of a company's platform API (OAuth client credentials). */
export const platformClients = sqliteTable(
  "platform_clients",
  {
    clientId: text("client_id").primaryKey(),
    companyId: text("company_id").notNull().references(() => companies.id),
    /** SHA-256 of the client secret. */
    secretHash: text("secret_hash").notNull(),
    name: text("name").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("platform_clients_company_client_idx").on(t.companyId, t.clientId)],
);
