import { sqliteTable, text, index, primaryKey } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";
import { users } from "./users";

/**
 * Accounts at social providers linked to a user. The provider's subject (Google `sub`, Apple `sub`,
 * Facebook app-scoped id) is the identity; the email is only what the provider reported at link time.
 */
export const userIdentities = sqliteTable(
  "user_identities",
  {
    applicationId: text("application_id").notNull().references(() => applications.id),
    /** `google`, `apple` or `facebook`. */
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    email: text("email"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.provider, t.subject] }), index("user_identities_user_idx").on(t.userId)],
);
