import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull().references(() => applications.id),
    username: text("username").notNull(),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name").notNull().default(""),
    gender: text("gender"),
    dob: text("dob"),
    profilePicUrl: text("profile_pic_url").notNull().default(""),
    accountType: text("account_type").notNull().default("user"),
    meta: text("meta", { mode: "json" }).notNull().$type<Record<string, unknown>>().default({}),
    externalId: text("external_id"),
    rrId: text("rr_id"),
    /** `{privacy_policy: {value, updated_at}}` as the SDK shows it. */
    consent: text("consent", { mode: "json" }).$type<Record<string, unknown>>(),
    /** Self-describing PBKDF2 hash (see crypto/password-hash.ts); null when the user has no password. */
    passwordHash: text("password_hash"),
    passwordChangedAt: text("password_changed_at"),
    /** Blocked by the seller: cannot log in, sessions end. */
    blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
    /** Archived by the seller: removed from the sales channel, contacts released. */
    archived: integer("archived", { mode: "boolean" }).notNull().default(false),
    /** Set when the user asked for erasure; personal data goes at this time unless undeleted. */
    deleteOn: text("delete_on"),
    /** When the scheduled erasure ran: the row is then an anonymised stub kept for the timeline. */
    erasedAt: text("erased_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("users_app_created_idx").on(t.applicationId, t.createdAt),
    index("users_app_external_idx").on(t.applicationId, t.externalId),
    // The erasure cron's work list: only accounts waiting for erasure are in it.
    index("users_erasure_due_idx").on(t.deleteOn).where(sql`${t.deleteOn} is not null and ${t.erasedAt} is null`),
  ],
);

/**
 * Contacts live in their own tables so uniqueness is enforced by the database:
 * a verified or primary contact that is active belongs to at most one user per application.
 * Archiving or erasing a user sets `active = 0` on its contacts, which releases them.
 */
export const userEmails = sqliteTable(
  "user_emails",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    applicationId: text("application_id").notNull(),
    /** Lower-cased, trimmed. */
    email: text("email").notNull(),
    primary: integer("is_primary", { mode: "boolean" }).notNull().default(false),
    verified: integer("verified", { mode: "boolean" }).notNull().default(false),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("user_emails_claimed_uq")
      .on(t.applicationId, t.email)
      .where(sql`${t.active} = 1 and (${t.verified} = 1 or ${t.primary} = 1)`),
    uniqueIndex("user_emails_one_primary_uq").on(t.userId).where(sql`${t.primary} = 1`),
    uniqueIndex("user_emails_user_email_uq").on(t.userId, t.email),
    index("user_emails_app_email_idx").on(t.applicationId, t.email),
  ],
);

export const userPhones = sqliteTable(
  "user_phones",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    applicationId: text("application_id").notNull(),
    /** Digits of the country calling code, e.g. 91. */
    countryCode: integer("country_code").notNull(),
    /** National significant number, digits only. */
    phone: text("phone").notNull(),
    /** E.164 (`+919876543210`): the identity used for uniqueness and lookups. */
    e164: text("e164").notNull(),
    primary: integer("is_primary", { mode: "boolean" }).notNull().default(false),
    verified: integer("verified", { mode: "boolean" }).notNull().default(false),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("user_phones_claimed_uq")
      .on(t.applicationId, t.e164)
      .where(sql`${t.active} = 1 and (${t.verified} = 1 or ${t.primary} = 1)`),
    uniqueIndex("user_phones_one_primary_uq").on(t.userId).where(sql`${t.primary} = 1`),
    uniqueIndex("user_phones_user_phone_uq").on(t.userId, t.e164),
    index("user_phones_app_e164_idx").on(t.applicationId, t.e164),
  ],
);
