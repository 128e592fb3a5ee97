import { env } from "cloudflare:workers";
import { DEFAULT_PLATFORM_CONFIG } from "../../src/schemas/platform-config";
import { createSession } from "../../src/services/sessions/sessions";
import { call, json } from "./http";
import { e164, lastCode, randomEmail, randomMobile } from "./otp";
import type { Tenant } from "./tenants";
import { createUser } from "./users";

export const APP = "/service/application/user";

/** A logged-in user of the tenant: its id, contacts and the f.session cookie. */
export interface Member {
  tenant: Tenant;
  userId: string;
  email?: string;
  mobile?: string;
  cookie: string;
  /** Calls a storefront route (path under APP) as this user. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Calls a storefront route as the tenant's application, with the cookie when given. */
export function storefrontCall(tenant: Tenant, cookie: string | undefined, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: tenant.appAuth, ...(cookie ? { cookie } : {}) };
  const init = body === undefined ? { method, headers } : json(body, { method, headers });
  return call(`${APP}${path}`, init);
}

/** A session for an existing user, as a login would start it. */
export async function sessionFor(tenant: Tenant, userId: string): Promise<string> {
  const issued = await createSession(
    { registry: env.USER_SESSIONS, records: env.SESSIONS_KV },
    tenant.applicationId,
    DEFAULT_PLATFORM_CONFIG.session_config,
    userId,
    { userAgent: "test", ip: "198.51.100.7", domain: "https://shop.test" },
  );
  return `f.session=${issued.token}`;
}

/** A user with a (by default verified, primary) email and/or mobile, logged in. */
export async function member(
  tenant: Tenant,
  options: { email?: string | false; mobile?: string | false; verified?: boolean } = {},
): Promise<Member> {
  const email = options.email === false ? undefined : (options.email ?? randomEmail());
  const mobile = options.mobile === false ? undefined : (options.mobile ?? randomMobile());
  const user = await createUser(tenant, { ...(email ? { email } : {}), ...(mobile ? { mobile } : {}), verified: options.verified ?? true });
  const cookie = await sessionFor(tenant, user.user.id);
  return {
    tenant,
    userId: user.user.id,
    ...(email ? { email } : {}),
    ...(mobile ? { mobile } : {}),
    cookie,
    call: (method, path, body) => storefrontCall(tenant, cookie, method, path, body),
  };
}

export interface ContactRow {
  address: string;
  primary: number;
  verified: number;
  active: number;
}

/** The user's contact rows as stored (emails by address, phones by E.164). */
export async function contactRows(userId: string): Promise<{ emails: ContactRow[]; phones: ContactRow[] }> {
  const [emails, phones] = await env.DB.batch<ContactRow>([
    env.DB.prepare("select email as address, is_primary as \"primary\", verified, active from user_emails where user_id = ? order by email").bind(userId),
    env.DB.prepare("select e164 as address, is_primary as \"primary\", verified, active from user_phones where user_id = ? order by e164").bind(userId),
  ]);
  return { emails: emails!.results, phones: phones!.results };
}

/** Event types of the user, oldest first. */
export async function eventTypes(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("select type from events where user_id = ? order by created_at, rowid").bind(userId).all<{ type: string }>();
  return results.map((r) => r.type);
}

/** Runs the v2 proof steps (send + verify on the primary) and answers the proof. */
export async function primaryProof(m: Member, entity: "email" | "mobile"): Promise<string> {
  const sent = await m.call("POST", `/profile/v2.0/${entity}/primary/otp/send`, {});
  if (sent.status !== 200) throw new Error(`sendOTPOnPrimary: ${sent.status} ${await sent.text()}`);
  const { request_id } = (await sent.json()) as { request_id: string };
  const to = entity === "email" ? (m.email ?? e164(m.mobile!)) : m.mobile ? e164(m.mobile) : m.email!;
  const verified = await m.call("POST", `/profile/v2.0/${entity}/primary/otp/verify`, { request_id, otp: await lastCode(to) });
  if (verified.status !== 200) throw new Error(`verifyOTPonPrimary: ${verified.status} ${await verified.text()}`);
  return ((await verified.json()) as { request_id: string }).request_id;
}
