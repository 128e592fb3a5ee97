import { env } from "cloudflare:workers";
import { defineAttribute, setAttribute, uploadCsv } from "./attributes";
import { adminFor } from "./customers";
import { call, json } from "./http";
import { adminSession, sessionIsValid, type LoggedIn } from "./sessions";
import { adminHeaders, createTenant, type Tenant } from "./tenants";

/** A tenant holding one of each kind of thing an id can name: the target of cross-tenant attempts. */
export interface Victim {
  tenant: Tenant;
  user: LoggedIn;
  email: string;
  /** Ids of the victim's things by the field names requests use for them. */
  idsByName: Record<string, string[]>;
  /** Every id above, the application's and the company's. */
  allIds: string[];
}

async function ok<T>(res: Response, what: string): Promise<T> {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function createVictim(options: { companyId?: string } = {}): Promise<Victim> {
  const tenant = await createTenant(options.companyId ? { companyId: options.companyId } : {});
  const admin = await adminFor(tenant);
  const email = `victim-${crypto.randomUUID()}@example.com`;
  const created = await admin.createUser({ email, first_name: "Victim" });
  const user = await adminSession(admin, created._id);
  const auth = await adminHeaders(tenant);
  const definition = await defineAttribute(tenant, auth, { name: "Nickname", slug: "nickname", type: "string" });
  const value = await ok<{ _id: string }>(await setAttribute(tenant, auth, definition._id, created._id, "vicky"), "set attribute");
  const group = await ok<{ _id: string }>(await call(`${tenant.plat}/user_group`, json({ name: "VIP", description: "" }, { method: "POST", headers: auth })), "create group");
  const job = await ok<{ _id: string }>(await call(`${tenant.plat}/users/jobs/export`, json({ file_format: "csv" }, { method: "POST", headers: auth })), "export");
  const file = await uploadCsv(tenant, auth, "email\nsomeone@example.com\n");
  const idsByName: Record<string, string[]> = {
    user_id: [created._id],
    id: [created._id],
    _id: [created._id],
    session_id: [user.sessionId],
    attribute_def_id: [definition._id],
    definition_id: [definition._id],
    user_attribute_definition_id: [definition._id],
    attribute_id: [value._id],
    group_id: [group._id],
    job_id: [job._id],
    file_id: [file.file_id],
  };
  const allIds = [...new Set([...Object.values(idsByName).flat(), tenant.applicationId, tenant.companyId])];
  return { tenant, user, email, idsByName, allIds };
}

let textColumns: { table: string; columns: string[] }[] | undefined;

async function tablesAndTextColumns() {
  const { results } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations' and sql not like 'create virtual%' and name not like '%search%'",
  ).all<{ name: string }>();
  const out: { table: string; columns: string[] }[] = [];
  for (const { name } of results) {
    const columns = await env.DB.prepare("select name, type from pragma_table_info(?)").bind(name).all<{ name: string; type: string }>();
    const text = columns.results.filter((c) => /text|char|^$/i.test(c.type)).map((c) => c.name);
    if (text.length) out.push({ table: name, columns: text });
  }
  return out;
}

/** Every row, in any table, that names one of the victim's ids: what a cross-tenant request must leave alone. */
export async function victimRows(victim: Victim): Promise<Record<string, unknown[]>> {
  textColumns ??= await tablesAndTextColumns();
  const ids = JSON.stringify(victim.allIds);
  // One batch (one round trip), one bound parameter per statement (a JSON array; D1 allows 100).
  const results = await env.DB.batch(
    textColumns.map(({ table, columns }) =>
      env.DB.prepare(`select * from "${table}" where ${columns.map((c) => `"${c}" in (select value from json_each(?1))`).join(" or ")} order by rowid`).bind(ids),
    ),
  );
  const snapshot = Object.fromEntries(textColumns.map(({ table }, i) => [table, results[i]!.results]));
  return snapshot;
}

/** The victim's state: its rows and whether its user's session still works. */
export async function victimState(victim: Victim) {
  return { rows: await victimRows(victim), sessionValid: await sessionIsValid(victim.tenant, victim.user.token) };
}
