import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

/**
 * The audit trail: every account event and admin action. Rows with a user id form that user's
 * timeline (platform getUserTimeline); `visible` rows are the ones shown there.
 */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull(),
    userId: text("user_id"),
    /** Machine-readable action, e.g. `user.registered`, `admin.user.blocked`. */
    type: text("type").notNull(),
    title: text("title").notNull(),
    subTitle: text("sub_title"),
    /** `user`, `system`, or `platform:<client_id>`. */
    actor: text("actor").notNull(),
    visible: integer("visible", { mode: "boolean" }).notNull().default(true),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("events_user_idx").on(t.userId, t.createdAt),
    index("events_app_idx").on(t.applicationId, t.createdAt),
    // Daily activity counts (platform stats): one covering range per (application, event type) over a period.
    index("events_app_type_time_idx").on(t.applicationId, t.type, t.createdAt),
  ],
);
