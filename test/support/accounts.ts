import { newId } from "../../src/crypto/tokens";
import { call, json } from "./http";
import type { Tenant } from "./tenants";

export const APP = "/service/application/user";
export const REGISTER = `${APP}/authentication/v1.0/register/form`;
export const LOGIN = `${APP}/authentication/v1.0/login/password`;
export const SESSION = `${APP}/authentication/v1.0/session`;
export const SESSIONS = `${APP}/authentication/v1.0/sessions`;
export const LOGOUT = `${APP}/authentication/v1.0/logout`;
export const PASSWORD = `${APP}/authentication/v1.0/password`;
export const HAS_PASSWORD = `${APP}/authentication/v1.0/has-password`;
export const USER_EXISTS = `${APP}/authentication/v1.0/user-exists`;

/** Passes every default rule (long, not common, not the email). */
export const GOOD_PASSWORD = "Violet-Anchor-Teacup-93";

export const uniqueEmail = () => `u${newId()}@example.com`;

/** `f.session=<value>` from a response's Set-Cookie, ready for a Cookie header. */
export function sessionCookie(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  const match = /f\.session=([^;]*)/.exec(header);
  if (!match?.[1]) throw new Error(`no f.session cookie in: ${header}`);
  return `f.session=${match[1]}`;
}

/** Headers of a storefront call as this tenant, optionally with a session cookie and more. */
export function storefront(tenant: Tenant, cookie?: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: tenant.appAuth, ...(cookie ? { cookie } : {}), ...extra };
}

export function register(tenant: Tenant, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(REGISTER, json(body, { method: "POST", headers: storefront(tenant, undefined, headers) }));
}

export function login(tenant: Tenant, username: string, password: string, headers: Record<string, string> = {}) {
  return call(LOGIN, json({ username, password }, { method: "POST", headers: storefront(tenant, undefined, headers) }));
}

export function get(tenant: Tenant, path: string, cookie?: string, headers: Record<string, string> = {}) {
  return call(path, { headers: storefront(tenant, cookie, headers) });
}

export function updatePassword(tenant: Tenant, cookie: string, old_password: string, new_password: string) {
  return call(PASSWORD, json({ old_password, new_password }, { method: "POST", headers: storefront(tenant, cookie) }));
}

export interface Account {
  email: string;
  password: string;
  userId: string;
  /** The cookie registration set. */
  cookie: string;
}

/** A registered (and so logged-in) user of the tenant. */
export async function registeredUser(tenant: Tenant, overrides: Record<string, unknown> = {}): Promise<Account> {
  const email = (overrides.email as string | undefined) ?? uniqueEmail();
  const password = (overrides.password as string | undefined) ?? GOOD_PASSWORD;
  const res = await register(tenant, { first_name: "Asha", last_name: "Rao", email, password, ...overrides });
  if (res.status !== 200) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  const cookie = sessionCookie(res);
  const me = (await (await get(tenant, SESSION, cookie)).json()) as { user: { _id: string } };
  return { email, password, userId: me.user._id, cookie };
}
