import { env } from "cloudflare:workers";
import { call, json } from "./http";
import { adminHeaders, createTenant, type Tenant } from "./tenants";

export interface UserBody {
  _id: string;
  user_id: string;
  first_name: string;
  last_name: string;
  emails: { email: string; primary: boolean; verified: boolean; active: boolean }[];
  phone_numbers: { phone: string; country_code: number; primary: boolean; verified: boolean; active: boolean }[];
  active: boolean;
  archive?: boolean;
  status?: string;
}

/** A tenant with its admin: `api(path, init)` calls `PLAT + path` with the admin's token. */
export interface Admin {
  tenant: Tenant;
  api(path: string, init?: RequestInit): Promise<Response>;
  createUser(body: Record<string, unknown>, query?: string): Promise<UserBody>;
}

export async function adminFor(tenant: Tenant): Promise<Admin> {
  const headers = await adminHeaders(tenant);
  const api = (path: string, init: RequestInit = {}) =>
    call(`${tenant.plat}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  return {
    tenant,
    api,
    async createUser(body, query = "") {
      const res = await api(`/customers${query}`, json(body, { method: "POST" }));
      if (res.status !== 200) throw new Error(`createUser failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { user: UserBody }).user;
    },
  };
}

export async function newAdmin(): Promise<Admin> {
  return adminFor(await createTenant());
}

/** Rows of `table` belonging to the application: for "nothing was written" assertions. */
export async function countRows(table: "users" | "user_emails" | "user_phones" | "events", applicationId: string) {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where application_id = ?`).bind(applicationId).first<{ n: number }>();
  return row?.n ?? 0;
}

/** The application's audit events, oldest first. */
export async function eventsOf(applicationId: string) {
  const { results } = await env.DB.prepare("select type, actor, user_id, sub_title, data from events where application_id = ? order by created_at, rowid")
    .bind(applicationId)
    .all<{ type: string; actor: string; user_id: string | null; sub_title: string | null; data: string | null }>();
  return results;
}

/** Sends `init` as a JSON body with the method. */
export const send = (method: string, body: unknown) => json(body, { method });
