import { z } from "@hono/zod-openapi";
import { PageQuery, paged } from "./pagination";

const FileLinks = z.object({ absolute_url: z.string(), relative_url: z.string() }).openapi("FileLinks");

const fileFormat = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(["csv", "xlsx"], { error: "must be csv or xlsx" }))
  .openapi({ description: "csv or xlsx (any case). XLSX: the first sheet, at most 20,000 customers and a 5 MiB file", example: "csv" });

export const BulkActionModel = z
  .object({
    _id: z.string(),
    file_name: z.string(),
    file_format: z.string(),
    action_type: z.enum(["import", "export"]),
    created_by: z.object({ name: z.string(), user_id: z.string() }),
    count: z.object({ total: z.number().int(), success: z.number().int(), error: z.number().int() }),
    status: z.enum(["inprogress", "complete", "partial", "failed"]),
    links: z.object({ file: FileLinks.optional(), error: FileLinks.optional() }),
    application_id: z.string(),
    company_id: z.string(),
    message: z.string().optional().openapi({ description: "Extension: why a job failed as a whole" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("BulkActionModel");
export type BulkActionModel = z.infer<typeof BulkActionModel>;

export const CreateStoreFrontUsersPayload = z
  .object({
    absolute_url: z.string().min(1).max(2048),
    relative_url: z.string().min(1).max(2048),
    file_format: fileFormat,
  })
  .openapi("CreateStoreFrontUsersPayload");
export type CreateStoreFrontUsersPayload = z.infer<typeof CreateStoreFrontUsersPayload>;

export const BulkUserExportSchema = z.object({ file_format: fileFormat }).openapi("BulkUserExportSchema");

export const JobListQuery = PageQuery.extend({
  search: z.string().max(200).optional().openapi({ description: "File name contains" }),
  start_date: z.string().max(40).optional().openapi({ description: "Created at or after (date or ISO date-time)" }),
  end_date: z.string().max(40).optional().openapi({ description: "Created at or before (a date means the whole day)" }),
  status: z.enum(["inprogress", "failed", "complete", "partial"]).optional(),
  file_format: z.enum(["csv", "xlsx"]).optional(),
});
export type JobListQuery = z.infer<typeof JobListQuery>;

export const BulkActionPaginationSchema = paged(BulkActionModel).openapi("BulkActionPaginationSchema");

export const UploadedFile = z
  .object({ file_id: z.string(), file_name: z.string(), size: z.number().int(), absolute_url: z.string(), relative_url: z.string() })
  .openapi("UploadedFile");
