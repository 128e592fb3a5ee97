import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";
import { users } from "./users";

/**
 * WebAuthn credentials (passkeys). The credential id is the authenticator's own, unique within an
 * application; the public key is the COSE key the authenticator registered, base64url.
 */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull().references(() => applications.id),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    /** The signature counter last seen; an assertion must carry a higher one (unless the authenticator keeps none: 0). */
    counter: integer("counter").notNull(),
    transports: text("transports", { mode: "json" }).notNull().$type<string[]>(),
    /** `singleDevice` or `multiDevice` (synced passkey). */
    deviceType: text("device_type").notNull(),
    backedUp: integer("backed_up", { mode: "boolean" }).notNull(),
    aaguid: text("aaguid").notNull(),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [uniqueIndex("passkeys_credential_idx").on(t.applicationId, t.credentialId), index("passkeys_user_idx").on(t.userId)],
);

/**
 * A user's TOTP second factor: the secret (AES-GCM, bound to the user, like encrypted attributes)
 * and whether it is confirmed (`confirmed_at`): an enrollment counts only once a first code proved it.
 */
export const totpFactors = sqliteTable(
  "totp_factors",
  {
    applicationId: text("application_id").notNull().references(() => applications.id),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    secret: text("secret").notNull(),
    createdAt: text("created_at").notNull(),
    confirmedAt: text("confirmed_at"),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.userId] })],
);

/** Single-use recovery codes of the second factor, as HMACs; `used_at` marks a spent one. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    applicationId: text("application_id").notNull().references(() => applications.id),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.userId, t.codeHash] })],
);
