import { env } from "cloudflare:workers";

/** Row counts of every D1 table, plus the session/refresh-token records in KV. */
export type StorageCounts = Record<string, number>;

let countQuery: string | undefined;

/** Every table the migrations made (FTS shadow tables included), read from sqlite_master. */
async function buildCountQuery(): Promise<string> {
  const { results } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations' order by name",
  ).all<{ name: string }>();
  if (!results.length) throw new Error("no tables in D1: migrations not applied?");
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return `select ${results.map(({ name }) => `(select count(*) from ${quote(name)}) as ${quote(name)}`).join(", ")}`;
}

async function kvKeyCount(kv: KVNamespace): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<unknown> = await kv.list(cursor ? { cursor } : {});
    count += page.keys.length;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return count;
}

/** One statement for all of D1, one listing of SESSIONS_KV: cheap enough to take around every request. */
export async function storageCounts(): Promise<StorageCounts> {
  countQuery ??= await buildCountQuery();
  const [rows, sessionRecords] = await Promise.all([
    env.DB.prepare(countQuery).first<Record<string, number>>(),
    kvKeyCount(env.SESSIONS_KV),
  ]);
  return { ...rows, "kv:SESSIONS_KV": sessionRecords };
}

/** What changed between two snapshots, e.g. `{ users: [3, 4] }`. */
export function countChanges(before: StorageCounts, after: StorageCounts): Record<string, [number, number]> {
  return Object.fromEntries(
    Object.keys({ ...before, ...after })
      .filter((key) => before[key] !== after[key])
      .map((key) => [key, [before[key] ?? 0, after[key] ?? 0]]),
  );
}

const ERROR_KEYS = new Set(["message", "code", "status", "request_id", "info"]);

/** Why a non-2xx response is not the one error shape; undefined when it is. */
export function errorShapeProblem(res: Response, text: string): string | undefined {
  if (!/^application\/json\b/i.test(res.headers.get("content-type") ?? "")) return `content-type ${res.headers.get("content-type")}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "body is not JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body is not an object";
  const b = body as Record<string, unknown>;
  const unknownKeys = Object.keys(b).filter((k) => !ERROR_KEYS.has(k));
  if (unknownKeys.length) return `unexpected keys ${unknownKeys.join(", ")}`;
  if (typeof b.message !== "string" || !b.message) return "no message";
  if (typeof b.code !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(b.code)) return `bad code ${String(b.code)}`;
  if (b.status !== res.status) return `status field ${String(b.status)} != ${res.status}`;
  const header = res.headers.get("x-request-id");
  if (typeof b.request_id !== "string" || !b.request_id || b.request_id !== header) {
    return `request_id ${String(b.request_id)} != x-request-id ${header}`;
  }
  return undefined;
}

/** A response that starts a session (a non-empty f.session cookie). */
export const setsSession = (res: Response) => /(?:^|,\s*)f\.session=[^;]/.test(res.headers.get("set-cookie") ?? "");
