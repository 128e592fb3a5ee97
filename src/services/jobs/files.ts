import { newId } from "../../crypto/tokens";
import { ApiError } from "../../errors";
import { PLATFORM_BASE } from "../../api-paths";

/*
 * Customer files (import sources, export results, error reports) live in R2 under the application's
 * prefix, so a file id only ever resolves inside its own application. Clients reach them through the
 * platform download route, which checks platform auth like every other platform call.
 */

export const MAX_FILE_BYTES = 32 * 1024 * 1024;
const FILE_ID = /^[0-9a-f]{24}$/;
const OWN_FILE_PATH = /\/application\/([^/]+)\/users\/files\/([0-9a-f]{24})\/?$/;

export const fileKey = (applicationId: string, fileId: string) => `apps/${applicationId}/files/${fileId}`;

export interface FileLinks {
  absolute_url: string;
  relative_url: string;
}

export function fileLinks(baseUrl: string, companyId: string, applicationId: string, fileId: string): FileLinks {
  const relative = `${PLATFORM_BASE.replace("{company_id}", companyId).replace("{application_id}", applicationId)}/users/files/${fileId}`;
  return { absolute_url: `${baseUrl}${relative}`, relative_url: relative };
}

export const fileError = (message: string) => new ApiError(400, "FILE_UNREADABLE", message);

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV_TYPE = "text/csv; charset=utf-8";
const contentTypeOf = (name: string) => (/\.xlsx$/i.test(name) ? XLSX_TYPE : CSV_TYPE);

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 100) || "file.csv";
}

export async function saveFile(
  bucket: R2Bucket,
  applicationId: string,
  name: string,
  body: string | ArrayBuffer | Uint8Array | ReadableStream,
): Promise<string> {
  const fileId = newId();
  await bucket.put(fileKey(applicationId, fileId), body, {
    httpMetadata: { contentType: contentTypeOf(name) },
    customMetadata: { name: safeName(name) },
  });
  return fileId;
}

export async function openFile(bucket: R2Bucket, applicationId: string, fileId: string): Promise<R2ObjectBody | null> {
  if (!FILE_ID.test(fileId)) return null;
  return bucket.get(fileKey(applicationId, fileId));
}

export function downloadHeaders(object: R2Object): Record<string, string> {
  return {
    "content-type": object.httpMetadata?.contentType ?? CSV_TYPE,
    "content-disposition": `attachment; filename="${safeName(object.customMetadata?.name ?? "file.csv")}"`,
    "content-length": String(object.size),
    "cache-control": "no-store",
  };
}

/** The file a URL (absolute, or just its path) names, when it is one of our file URLs. */
export function ownFileRef(url: string): { applicationId: string; fileId: string } | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not absolute: a path.
  }
  const own = OWN_FILE_PATH.exec(path);
  return own ? { applicationId: own[1]!, fileId: own[2]! } : undefined;
}

/**
 * Where a client-given URL points: one of this application's files (read from R2), or an external
 * http(s) URL (fetched). A URL of another application's files is refused, never fetched.
 */
export function resolveFileUrl(url: string, applicationId: string): { fileId: string } | { external: string } {
  const own = ownFileRef(url);
  if (own) {
    if (own.applicationId !== applicationId) throw new ApiError(404, "NOT_FOUND", "File not found");
    return { fileId: own.fileId };
  }
  let absolute: URL | undefined;
  try {
    absolute = new URL(url);
  } catch {
    absolute = undefined;
  }
  if (!absolute || (absolute.protocol !== "https:" && absolute.protocol !== "http:")) {
    throw fileError("The file URL must be an absolute http(s) URL or a file of this application (…/users/files/{file_id})");
  }
  return { external: absolute.toString() };
}

/** Reads a stream whole, up to `maxBytes`; past that, `tooLarge` is thrown (an unreadable file by default). */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  tooLarge: () => ApiError = () => fileError(`The file is larger than ${maxBytes} bytes`),
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Downloads an external file (bounded), answering 400 when it cannot be had. */
export async function fetchExternal(url: string, maxBytes: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow", headers: { accept: `text/csv, ${XLSX_TYPE}, */*` } });
  } catch {
    throw fileError(`The file at ${url} could not be fetched`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw fileError(`The file at ${url} could not be fetched (HTTP ${response.status})`);
  }
  return readLimited(response.body, maxBytes);
}

/** The bytes a client-given URL points to (this application's file, or an external URL). */
export async function readFileUrl(bucket: R2Bucket, applicationId: string, url: string, maxBytes: number): Promise<Uint8Array> {
  const target = resolveFileUrl(url, applicationId);
  if ("external" in target) return fetchExternal(target.external, maxBytes);
  const object = await openFile(bucket, applicationId, target.fileId);
  if (!object) throw new ApiError(404, "NOT_FOUND", "File not found");
  if (object.size > maxBytes) {
    await object.body.cancel();
    throw fileError(`The file is larger than ${maxBytes} bytes`);
  }
  return new Uint8Array(await object.arrayBuffer());
}

/** Writes the concatenation of several objects as one, streaming (nothing is held in memory whole). */
export async function concatObjects(bucket: R2Bucket, keys: string[], destination: string, name: string): Promise<void> {
  const heads = await Promise.all(keys.map((k) => bucket.head(k)));
  const missing = heads.findIndex((h) => h === null);
  if (missing >= 0) throw new Error(`Missing file part ${keys[missing]}`);
  const total = heads.reduce((sum, h) => sum + h!.size, 0);
  const { readable, writable } = new FixedLengthStream(total);
  const put = bucket.put(destination, readable, {
    httpMetadata: { contentType: CSV_TYPE },
    customMetadata: { name: safeName(name) },
  });
  const writer = writable.getWriter();
  for (const key of keys) {
    const part = await bucket.get(key);
    if (!part) throw new Error(`Missing file part ${key}`);
    const reader = part.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await writer.write(value);
    }
  }
  await writer.close();
  await put;
}
