import { env } from "cloudflare:workers";
import { database } from "../../src/db/client";
import { UsersRepo } from "../../src/db/users-repo";
import { normalizePhone } from "../../src/schemas/contacts";
import { newUserRecord } from "../../src/services/accounts/users";
import { call, json } from "./http";
import { sessionFor } from "./profile";
import type { Tenant } from "./tenants";

/** A customer inserted the way every creation path does (newUserRecord + UsersRepo); answers its id. */
export async function createCustomer(
  tenant: Tenant,
  options: { email?: string; phone?: string; firstName?: string; lastName?: string; createdAt?: string } = {},
): Promise<string> {
  const repo = new UsersRepo(database(env.DB));
  const phone = options.phone ? normalizePhone(options.phone) : undefined;
  if (options.phone && !phone) throw new Error(`bad test phone ${options.phone}`);
  const record = newUserRecord(
    {
      applicationId: tenant.applicationId,
      firstName: options.firstName,
      lastName: options.lastName,
      email: options.email ? { email: options.email, verified: true } : undefined,
      phone: phone ? { ...phone, verified: true } : undefined,
    },
    options.createdAt,
  );
  await repo.commit(repo.insertStatements(record));
  return record.id;
}

/**
 * A customer with a live storefront session, made directly (the login routes live on another
 * branch): the `cookie` header value to send is `f.session=<token>`.
 */
export async function loggedInCustomer(tenant: Tenant, options: { email?: string } = {}): Promise<{ userId: string; cookie: string }> {
  const userId = await createCustomer(tenant, { email: options.email ?? `shopper-${crypto.randomUUID()}@example.com` });
  return { userId, cookie: await sessionFor(tenant, userId) };
}

/** Creates an attribute definition through the platform API and answers it. */
export async function defineAttribute(
  tenant: Tenant,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<{ _id: string; slug: string } & Record<string, unknown>> {
  const res = await call(`${tenant.plat}/user_attribute/definition`, json(body, { method: "POST", headers }));
  if (res.status !== 200) throw new Error(`defineAttribute failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Creates several definitions (slug, type, extra fields; the name is the slug); answers their ids by slug. */
export async function defineAttributes(
  tenant: Tenant,
  headers: Record<string, string>,
  specs: [slug: string, type: string, extra?: Record<string, unknown>][],
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [slug, type, extra] of specs) ids[slug] = (await defineAttribute(tenant, headers, { name: slug, slug, type, ...extra }))._id;
  return ids;
}

/** Sets one value through the platform API; answers the response. */
export function setAttribute(tenant: Tenant, headers: Record<string, string>, definitionId: string, userId: string, value: unknown) {
  return call(`${tenant.plat}/user_attribute/definition/${definitionId}/user/${userId}`, json({ attribute: { value } }, { method: "PUT", headers }));
}

export interface Job {
  _id: string;
  file_name: string;
  status: string;
  count: { total: number; success: number; error: number };
  links: { file?: { absolute_url: string; relative_url: string }; error?: { absolute_url: string; relative_url: string } };
  message?: string;
}

/** Waits until the local queue has run a job to its end (each chunk is one queue message). */
export async function waitForJob(tenant: Tenant, headers: Record<string, string>, jobId: string): Promise<Job> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const job = (await (await call(`${tenant.plat}/users/jobs/${jobId}`, { headers })).json()) as Job;
    if (job.status !== "inprogress") return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** Uploads a CSV (or, named .xlsx, a workbook's bytes) as a file of the tenant; answers its links. */
export async function uploadCsv(tenant: Tenant, headers: Record<string, string>, csv: string | Uint8Array, fileName = "customers.csv") {
  const contentType = fileName.endsWith(".xlsx") ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
  const res = await call(`${tenant.plat}/users/files?file_name=${encodeURIComponent(fileName)}`, {
    method: "POST",
    headers: { ...headers, "content-type": contentType },
    body: csv,
  });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { file_id: string; absolute_url: string; relative_url: string };
}

/** Downloads a file by its relative URL. */
export async function download(headers: Record<string, string>, relativeUrl: string): Promise<string> {
  return (await downloadResponse(headers, relativeUrl)).text();
}

/** Downloads a file by its relative URL; answers the 200 response. */
export async function downloadResponse(headers: Record<string, string>, relativeUrl: string): Promise<Response> {
  const res = await call(relativeUrl, { headers });
  if (res.status !== 200) throw new Error(`download failed: ${res.status} ${await res.text()}`);
  return res;
}

/** The search-index rows (attribute_values) of one definition, optionally for one user: what filters see. */
export async function indexRows(definitionKey: number, userId?: string) {
  const query = userId
    ? env.DB.prepare(
        "select v.value_text, v.value_fold, v.value_num, v.month_day from attribute_values v join attribute_subjects s on s.seq = v.subject where v.def_key = ? and s.user_id = ?",
      ).bind(definitionKey, userId)
    : env.DB.prepare("select v.value_text, v.value_fold, v.value_num, v.month_day from attribute_values v where v.def_key = ?").bind(definitionKey);
  return (await query.all<Record<string, unknown>>()).results;
}

export async function definitionKey(definitionId: string): Promise<number> {
  const row = await env.DB.prepare("select key from attribute_definitions where id = ?").bind(definitionId).first<{ key: number }>();
  if (!row) throw new Error(`no definition ${definitionId}`);
  return row.key;
}
