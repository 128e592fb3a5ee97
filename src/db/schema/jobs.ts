import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";

export type JobStatus = "inprogress" | "complete" | "partial" | "failed";

/**
 * A customer import or export (§4.7). Work happens in chunks on a queue; `chunk` is the index of the
 * next chunk to run, so a redelivered message for a chunk already done is recognised and skipped.
 */
export const userJobs = sqliteTable(
  "user_jobs",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull().references(() => applications.id),
    companyId: text("company_id").notNull(),
    actionType: text("action_type").notNull().$type<"import" | "export">(),
    fileName: text("file_name").notNull(),
    fileFormat: text("file_format").notNull(),
    status: text("status").notNull().$type<JobStatus>(),
    createdByName: text("created_by_name").notNull(),
    createdById: text("created_by_id").notNull(),
    total: integer("total").notNull().default(0),
    success: integer("success").notNull().default(0),
    error: integer("error").notNull().default(0),
    /** Import: the external URL to copy into a file before the first chunk (null once copied). */
    sourceUrl: text("source_url"),
    /** Import: byte offset of the next row. Export: JSON keyset cursor of the next user. */
    cursor: text("cursor"),
    chunk: integer("chunk").notNull().default(0),
    /** Import: column names of the source. Export: the columns written. */
    columns: text("columns", { mode: "json" }).$type<string[]>(),
    /** Indexes of the chunks that wrote an error part (import) or a data part (export). */
    parts: text("parts", { mode: "json" }).notNull().$type<number[]>().default([]),
    /** File id of the source (import) or the result (export), and of the error report (import). */
    fileId: text("file_id"),
    errorFileId: text("error_file_id"),
    /** Why a job failed as a whole (bad header, unreadable file). */
    message: text("message"),
    /** Origin the job was created on, for the absolute URLs of its files. */
    baseUrl: text("base_url").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("user_jobs_app_type_created_idx").on(t.applicationId, t.actionType, t.createdAt)],
);
