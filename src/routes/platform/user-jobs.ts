import { z } from "@hono/zod-openapi";
import { ApiError, badRequest, notFound } from "../../errors";
import { commonErrors, createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { platformCaller } from "../../http/platform-caller";
import {
  BulkActionModel,
  BulkActionPaginationSchema,
  BulkUserExportSchema,
  CreateStoreFrontUsersPayload,
  JobListQuery,
  UploadedFile,
} from "../../schemas/jobs";
import { downloadHeaders, fileLinks, MAX_FILE_BYTES, openFile, readLimited, saveFile, XLSX_TYPE } from "../../services/jobs/files";
import { createExportJob, createImportJob, getJob, listJobs, toBulkActionModel } from "../../services/jobs/jobs";
import { customerDataDeps } from "../../wiring/customer-data";

const tags = ["Platform: customer import/export"];

export const userJobRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "post",
      path: "/users/jobs/import",
      operationId: "bulkImportStoreFrontUsers",
      tags,
      summary: "Import customers from a CSV or XLSX file (created, or updated by email/phone); runs in the background",
      description:
        "Columns: email and/or phone_number (international, or with country_code), first_name, last_name, gender, dob, external_id, rr_id, " +
        "and attribute:<slug> per attribute (multi-value: a JSON list or values separated by |). The file is one uploaded with " +
        "POST …/users/files (its URL) or any http(s) URL. Bad rows are reported in links.error, good rows are written.",
      request: { params: PlatformParams, body: jsonBody(CreateStoreFrontUsersPayload) },
      responses: ok(BulkActionModel),
    }),
    async (c) => {
      const job = await createImportJob(customerDataDeps(c.env), platformCaller(c), c.req.valid("json"));
      return c.json(toBulkActionModel(job), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/users/jobs/import",
      operationId: "getBulkImportUsersList",
      tags,
      summary: "Import jobs, newest first",
      request: { params: PlatformParams, query: JobListQuery },
      responses: ok(BulkActionPaginationSchema),
    }),
    async (c) => {
      const { rows, page } = await listJobs(customerDataDeps(c.env), c.var.application.id, "import", c.req.valid("query"));
      return c.json({ items: rows.map(toBulkActionModel), page }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/users/jobs/export",
      operationId: "createBulkExportUsers",
      tags,
      summary: "Export every customer of the application with their attributes to a CSV or XLSX file; runs in the background",
      request: { params: PlatformParams, body: jsonBody(BulkUserExportSchema) },
      responses: ok(BulkActionModel),
    }),
    async (c) => {
      const job = await createExportJob(customerDataDeps(c.env), platformCaller(c), c.req.valid("json").file_format);
      return c.json(toBulkActionModel(job), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/users/jobs/export",
      operationId: "getBulkExportUsersList",
      tags,
      summary: "Export jobs, newest first",
      request: { params: PlatformParams, query: JobListQuery },
      responses: ok(BulkActionPaginationSchema),
    }),
    async (c) => {
      const { rows, page } = await listJobs(customerDataDeps(c.env), c.var.application.id, "export", c.req.valid("query"));
      return c.json({ items: rows.map(toBulkActionModel), page }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/users/jobs/{job_id}",
      operationId: "getUsersJobByJobId",
      tags,
      summary: "A job with its progress (count) and file links",
      request: { params: PlatformParams.extend({ job_id: z.string().min(1).max(64).openapi({ param: { name: "job_id", in: "path" } }) }) },
      responses: ok(BulkActionModel),
    }),
    async (c) => {
      const job = await getJob(customerDataDeps(c.env), c.var.application.id, c.req.valid("param").job_id);
      return c.json(toBulkActionModel(job), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/users/files",
      operationId: "uploadUsersFile",
      tags,
      summary: "Extension: upload a CSV or XLSX file (raw body, up to 32 MiB; name it .xlsx for a workbook) for an import or a group; answers its URLs",
      request: {
        params: PlatformParams,
        query: z.object({ file_name: z.string().min(1).max(200).default("upload.csv") }),
        body: { content: { "text/csv": { schema: z.string() }, [XLSX_TYPE]: { schema: z.string().openapi({ format: "binary" }) } }, required: true },
      },
      responses: ok(UploadedFile),
    }),
    async (c) => {
      // An upload over the limit is a request body too large, like any other (413), not an unreadable file.
      const bytes = await readLimited(c.req.raw.body, MAX_FILE_BYTES, () => new ApiError(413, "PAYLOAD_TOO_LARGE", `The file is larger than ${MAX_FILE_BYTES} bytes`));
      if (bytes.byteLength === 0) throw badRequest("The file is empty");
      const app = c.var.application;
      const fileName = c.req.valid("query").file_name;
      const fileId = await saveFile(c.env.USER_FILES, app.id, fileName, bytes);
      const links = fileLinks(new URL(c.req.url).origin, app.companyId, app.id, fileId);
      return c.json({ file_id: fileId, file_name: fileName, size: bytes.byteLength, ...links }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/users/files/{file_id}",
      operationId: "downloadUsersFile",
      tags,
      summary: "Extension: download a file of this application (export result, error report, upload)",
      request: { params: PlatformParams.extend({ file_id: z.string().min(1).max(64).openapi({ param: { name: "file_id", in: "path" } }) }) },
      responses: { 200: { description: "The file", content: { "text/csv": { schema: z.string() }, [XLSX_TYPE]: { schema: z.string().openapi({ format: "binary" }) } } }, ...commonErrors },
    }),
    async (c) => {
      const object = await openFile(c.env.USER_FILES, c.var.application.id, c.req.valid("param").file_id);
      if (!object) throw notFound("File not found");
      return c.body(object.body, 200, downloadHeaders(object));
    },
  );
