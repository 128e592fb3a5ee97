import type { EventsRepo } from "../../db/events-repo";
import type { JobRow, JobsRepo } from "../../db/jobs-repo";
import type { JobMessage, XlsxConverter } from "../../env";
import { newId } from "../../crypto/tokens";
import { ApiError, notFound } from "../../errors";
import type { BulkActionModel, CreateStoreFrontUsersPayload, JobListQuery } from "../../schemas/jobs";
import { pagination, type Pagination } from "../../schemas/pagination";
import { loadModels } from "../attributes/definitions";
import type { AttributeModel } from "../attributes/model";
import { parseDay } from "../attributes/types";
import { CsvError, csvLine, errorHeader, errorRows, normalizeHeader, parseCsv } from "./csv";
import { concatObjects, fetchExternal, fileKey, fileLinks, MAX_FILE_BYTES, ownFileRef, resolveFileUrl, saveFile } from "./files";
import { csvToXlsx, MAX_XLSX_ROWS, SheetError, XLSX_LIMITS, xlsxToCsv } from "./xlsx";
import { exportChunk, exportColumns, type ExportCursor } from "./export";
import { headerProblem, importRows, parseImportRow, type ImportDeps, type RowFailure } from "./import";

/*
 * Import and export jobs run on a queue, one chunk per message: each invocation reads a bounded
 * slice (a byte range of the source, or a page of customers), writes it, records progress on the
 * job row and enqueues the next chunk. Progress is guarded by the chunk number, so a message
 * delivered twice does its work once.
 */

export interface JobDeps extends ImportDeps {
  jobs: JobsRepo;
  events: EventsRepo;
  bucket: R2Bucket;
  queue: Queue<JobMessage>;
  xlsx: XlsxConverter;
  chunkRows: number;
}

export interface JobCaller {
  applicationId: string;
  companyId: string;
  clientId: string;
  baseUrl: string;
}

const encoder = new TextEncoder();
// The BOM is kept in the text so byte offsets stay exact; the first chunk drops it itself.
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const MIN_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

const partKey = (job: JobRow, kind: "errors" | "parts", name: string | number) => `apps/${job.applicationId}/jobs/${job.id}/${kind}/${name}.csv`;

function fileNameOf(url: string): string {
  const last = url.split(/[?#]/)[0]!.split("/").filter(Boolean).at(-1) ?? "";
  try {
    return decodeURIComponent(last) || "import.csv";
  } catch {
    return last || "import.csv";
  }
}

async function enqueue(stores: JobDeps, job: Pick<JobRow, "id" | "applicationId">, chunk: number): Promise<void> {
  await stores.queue.send({ job_id: job.id, application_id: job.applicationId, chunk });
}

type FileFormat = CreateStoreFrontUsersPayload["file_format"];

function newJob(caller: JobCaller, actionType: "import" | "export", fileName: string, fileFormat: FileFormat) {
  const now = new Date().toISOString();
  return {
    id: newId(),
    applicationId: caller.applicationId,
    companyId: caller.companyId,
    actionType,
    fileName,
    fileFormat,
    status: "inprogress" as const,
    createdByName: caller.clientId,
    createdById: caller.clientId,
    baseUrl: caller.baseUrl,
    createdAt: now,
    updatedAt: now,
  };
}

async function started(stores: JobDeps, caller: JobCaller, job: ReturnType<typeof newJob> & { fileId?: string | null; sourceUrl?: string | null }): Promise<JobRow> {
  await stores.jobs.insert(job);
  await enqueue(stores, job, 0);
  await jobEvent(stores, job, "started", { file_name: job.fileName }, `platform:${caller.clientId}`);
  return (await stores.jobs.find(caller.applicationId, job.id))!;
}

/**
 * bulkImportStoreFrontUsers: the source is one of this application's files (by its URL) or an
 * external URL, copied into a file when the job starts.
 */
export async function createImportJob(stores: JobDeps, caller: JobCaller, body: CreateStoreFrontUsersPayload): Promise<JobRow> {
  const target = ownFileRef(body.relative_url) ? resolveFileUrl(body.relative_url, caller.applicationId) : resolveFileUrl(body.absolute_url, caller.applicationId);
  if ("fileId" in target) {
    const head = await stores.bucket.head(fileKey(caller.applicationId, target.fileId));
    if (!head) throw notFound("File not found");
    return started(stores, caller, { ...newJob(caller, "import", head.customMetadata?.name ?? "import.csv", body.file_format), fileId: target.fileId });
  }
  return started(stores, caller, { ...newJob(caller, "import", fileNameOf(body.relative_url), body.file_format), sourceUrl: target.external });
}

export async function createExportJob(stores: JobDeps, caller: JobCaller, fileFormat: FileFormat): Promise<JobRow> {
  return started(stores, caller, newJob(caller, "export", `customers-${new Date().toISOString().slice(0, 10)}.${fileFormat}`, fileFormat));
}

export async function getJob(stores: JobDeps, applicationId: string, id: string): Promise<JobRow> {
  const job = await stores.jobs.find(applicationId, id);
  if (!job) throw notFound("Job not found");
  return job;
}

/** A date bound of the list filters: a day means from its start (start_date) or to its end (end_date). */
function dateBound(value: string | undefined, field: string, end: boolean): string | undefined {
  if (value === undefined) return undefined;
  const day = parseDay(value);
  if (day !== undefined) return new Date(end ? day + 86_399_999 : day).toISOString();
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError(400, "VALIDATION_FAILED", `${field}: must be a date like 2024-05-31 or an ISO date-time`);
  return new Date(ms).toISOString();
}

export async function listJobs(
  stores: JobDeps,
  applicationId: string,
  actionType: "import" | "export",
  query: JobListQuery,
): Promise<{ rows: JobRow[]; page: Pagination }> {
  const { rows, total } = await stores.jobs.list(
    applicationId,
    actionType,
    {
      search: query.search,
      startDate: dateBound(query.start_date, "start_date", false),
      endDate: dateBound(query.end_date, "end_date", true),
      status: query.status,
      fileFormat: query.file_format,
    },
    query.page_size,
    (query.page_no - 1) * query.page_size,
  );
  return { rows, page: pagination({ page_no: query.page_no, page_size: query.page_size }, total) };
}

export function toBulkActionModel(job: JobRow): BulkActionModel {
  const links = (fileId: string | null) => (fileId ? fileLinks(job.baseUrl, job.companyId, job.applicationId, fileId) : undefined);
  return {
    _id: job.id,
    file_name: job.fileName,
    file_format: job.fileFormat,
    action_type: job.actionType,
    created_by: { name: job.createdByName, user_id: job.createdById },
    count: { total: job.total, success: job.success, error: job.error },
    status: job.status,
    links: { file: links(job.fileId), error: links(job.errorFileId) },
    application_id: job.applicationId,
    company_id: job.companyId,
    ...(job.message ? { message: job.message } : {}),
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

function jobEvent(
  stores: JobDeps,
  job: Pick<JobRow, "id" | "applicationId" | "actionType">,
  stage: string,
  data: Record<string, unknown>,
  actor = "system",
) {
  return stores.events.record({
    applicationId: job.applicationId,
    type: `admin.users.${job.actionType}_${stage}`,
    title: `Customer ${job.actionType} ${stage}`,
    actor,
    visible: false,
    data: { job_id: job.id, ...data },
  });
}

/** Ends a job as failed as a whole (unreadable file, bad header, repeated crashes). */
export async function failJob(stores: JobDeps, job: JobRow, message: string): Promise<void> {
  await stores.jobs.update(job.id, { status: "failed", message });
  await jobEvent(stores, job, "failed", { message });
}

/** A failure the job owner caused (their file), as opposed to one worth retrying. */
class JobInputError extends Error {}

async function finish(stores: JobDeps, job: JobRow, changes: Partial<JobRow>): Promise<void> {
  await stores.jobs.update(job.id, changes);
  await jobEvent(stores, job, "finished", { status: changes.status });
}

/** Joins a job's parts (plus an optional leading header) into one downloadable file and drops the parts. */
async function assemble(stores: JobDeps, job: JobRow, kind: "errors" | "parts", name: string, header?: string): Promise<string> {
  const keys = job.parts.map((p) => partKey(job, kind, p));
  if (header !== undefined) {
    const headerKey = partKey(job, kind, "header");
    await stores.bucket.put(headerKey, header);
    keys.unshift(headerKey);
  }
  const fileId = newId();
  await concatObjects(stores.bucket, keys, fileKey(job.applicationId, fileId), name);
  await stores.bucket.delete(keys);
  return fileId;
}

async function copyExternalSource(stores: JobDeps, job: JobRow): Promise<JobRow> {
  let bytes: Uint8Array;
  try {
    bytes = await fetchExternal(job.sourceUrl!, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof ApiError) throw new JobInputError(error.message);
    throw error;
  }
  const fileId = await saveFile(stores.bucket, job.applicationId, job.fileName, bytes);
  await stores.jobs.update(job.id, { fileId, sourceUrl: null });
  return { ...job, fileId, sourceUrl: null };
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_FILE = "The file is empty (no header row)";

/**
 * Where an import's CSV is: the file itself, or for an XLSX file the CSV its first sheet is converted
 * to once, in the first chunk (bounded by XLSX_LIMITS), and read from R2 by every chunk after it.
 */
async function importSource(stores: JobDeps, job: JobRow): Promise<string> {
  const key = fileKey(job.applicationId, job.fileId!);
  if (job.fileFormat !== "xlsx") return key;
  const converted = partKey(job, "parts", "source");
  if (job.chunk > 0) return converted;
  const object = await stores.bucket.get(key);
  if (!object) throw new JobInputError("The file to import is no longer available");
  if (object.size > XLSX_LIMITS.maxBytes) {
    await object.body.cancel();
    throw new JobInputError(`The file is larger than ${XLSX_LIMITS.maxBytes} bytes`);
  }
  let csv: string;
  try {
    csv = await xlsxToCsv(stores.xlsx, new Uint8Array(await object.arrayBuffer()));
  } catch (error) {
    if (error instanceof SheetError) throw new JobInputError(error.message);
    throw error;
  }
  if (!csv) throw new JobInputError(EMPTY_FILE);
  await stores.bucket.put(converted, csv);
  return converted;
}

async function importChunk(stores: JobDeps, job: JobRow, models: Map<string, AttributeModel>): Promise<boolean> {
  if (job.sourceUrl) job = await copyExternalSource(stores, job);
  const offset = Number(job.cursor ?? 0);
  const budget = Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, stores.chunkRows * 2048));
  const source = await importSource(stores, job);
  const object = await stores.bucket.get(source, { range: { offset, length: budget } });
  if (!object) throw new JobInputError("The file to import is no longer available");
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (offset === 0 && job.fileFormat === "csv" && ZIP_SIGNATURE.every((b, i) => bytes[i] === b)) {
    throw new JobInputError("The file is an XLSX workbook, not a CSV: import it with file_format xlsx");
  }
  const final = offset + bytes.byteLength >= object.size;
  let text = decoder.decode(bytes);
  const bom = offset === 0 && text.startsWith("\uFEFF") ? 1 : 0;
  text = text.slice(bom);

  let parsed;
  try {
    parsed = parseCsv(text, { final, maxRecords: stores.chunkRows + (job.columns ? 0 : 1) });
  } catch (error) {
    if (error instanceof CsvError) throw new JobInputError(error.message);
    throw error;
  }
  const records = parsed.records;
  let header = job.columns;
  if (!header) {
    const raw = records.shift();
    if (!raw) throw new JobInputError(EMPTY_FILE);
    header = normalizeHeader(raw);
    const problem = headerProblem(header, models);
    if (problem) throw new JobInputError(problem);
  }
  if (parsed.consumed === 0 && !final) throw new JobInputError(`A row is longer than ${budget} bytes`);

  const bySlug = new Map([...models.values()].map((m) => [m.row.slug, m]));
  const checked = records.map((r, i) => parseImportRow(header!, r, bySlug, job.total + i + 2));
  const failures: RowFailure[] = checked.filter((r): r is RowFailure => "message" in r);
  const good = checked.filter((r) => !("message" in r)) as Exclude<(typeof checked)[number], RowFailure>[];
  failures.push(...(await importRows(stores, job.applicationId, good)));
  failures.sort((a, b) => a.line - b.line);
  if (failures.length) await stores.bucket.put(partKey(job, "errors", job.chunk), errorRows(failures));

  const next = offset + encoder.encode("\uFEFF".repeat(bom) + text.slice(0, parsed.consumed)).byteLength;
  const advanced = await stores.jobs.advance(job.id, job.chunk, {
    total: records.length,
    success: records.length - failures.length,
    error: failures.length,
    cursor: String(next),
    parts: failures.length ? [...job.parts, job.chunk] : job.parts,
    columns: job.columns ? undefined : header,
  });
  if (!advanced) return false;
  if (next < object.size) return true;

  const done = (await stores.jobs.find(job.applicationId, job.id))!;
  const errorName = `${done.fileName.replace(/\.(csv|xlsx)$/i, "")}-errors.${done.fileFormat}`;
  const errorFileId = done.parts.length ? await inFormat(stores, done, await assemble(stores, done, "errors", errorName, errorHeader(header)), errorName) : null;
  if (source !== fileKey(job.applicationId, job.fileId!)) await stores.bucket.delete(source);
  const status = done.error === 0 ? "complete" : done.success === 0 ? "failed" : "partial";
  await finish(stores, done, { status, errorFileId });
  return false;
}

/** A finished job's CSV file, turned into a workbook when the job is XLSX (the CSV is then dropped). */
async function inFormat(stores: JobDeps, job: JobRow, csvFileId: string, name: string): Promise<string> {
  if (job.fileFormat !== "xlsx") return csvFileId;
  const key = fileKey(job.applicationId, csvFileId);
  const csv = await stores.bucket.get(key);
  if (!csv) throw new Error(`Missing file ${key}`);
  const fileId = await saveFile(stores.bucket, job.applicationId, name, await csvToXlsx(stores.xlsx, await csv.text(), "customers"));
  await stores.bucket.delete(key);
  return fileId;
}

async function exportJobChunk(stores: JobDeps, job: JobRow, models: Map<string, AttributeModel>): Promise<boolean> {
  const columns = job.columns ?? exportColumns(models);
  const cursor = job.cursor ? (JSON.parse(job.cursor) as ExportCursor) : undefined;
  const { csv, count, next } = await exportChunk(stores, models, job.applicationId, columns, cursor, stores.chunkRows);
  if (job.fileFormat === "xlsx" && job.total + count > MAX_XLSX_ROWS) {
    throw new JobInputError(`An XLSX export holds at most ${MAX_XLSX_ROWS} customers; export as CSV instead`);
  }
  const body = (job.chunk === 0 ? csvLine(columns) : "") + csv;
  if (body) await stores.bucket.put(partKey(job, "parts", job.chunk), body);
  const advanced = await stores.jobs.advance(job.id, job.chunk, {
    total: count,
    success: count,
    error: 0,
    cursor: next ? JSON.stringify(next) : null,
    parts: body ? [...job.parts, job.chunk] : job.parts,
    columns: job.columns ? undefined : columns,
  });
  if (!advanced) return false;
  if (count === stores.chunkRows) return true;

  const done = (await stores.jobs.find(job.applicationId, job.id))!;
  await finish(stores, done, { status: "complete", fileId: await inFormat(stores, done, await assemble(stores, done, "parts", done.fileName), done.fileName) });
  return false;
}

/**
 * Runs chunk `message.chunk` of a job, then enqueues the next one. A message for a chunk that is
 * already done (redelivery) changes nothing; if it is a retry of the chunk just done, the next chunk
 * is enqueued again in case the first attempt failed after committing but before enqueueing.
 */
export async function runJobChunk(stores: JobDeps, message: JobMessage, attempt: number): Promise<void> {
  const job = await stores.jobs.find(message.application_id, message.job_id);
  if (!job || job.status !== "inprogress") return;
  if (job.chunk !== message.chunk) {
    if (job.chunk === message.chunk + 1 && attempt > 1) await enqueue(stores, job, job.chunk);
    return;
  }
  const models = await loadModels(stores.attributes, job.applicationId);
  let more: boolean;
  try {
    more = job.actionType === "import" ? await importChunk(stores, job, models) : await exportJobChunk(stores, job, models);
  } catch (error) {
    if (error instanceof JobInputError) return failJob(stores, job, error.message);
    throw error;
  }
  if (more) await enqueue(stores, job, job.chunk + 1);
}
