import { env } from "cloudflare:workers";
import { newId } from "../../src/crypto/tokens";
import { database } from "../../src/db/client";
import { EventsRepo } from "../../src/db/events-repo";
import { PasswordsRepo } from "../../src/db/passwords-repo";
import { UsersRepo } from "../../src/db/users-repo";
import { OutboxNotifier } from "../../src/notify/outbox";
import { pacedOutbox } from "../../src/notify/pacing";
import { DEFAULT_PLATFORM_CONFIG, PlatformConfig } from "../../src/schemas/platform-config";
import { deepMerge } from "../../src/services/tenants/deep-merge";
import type { AccountDeps } from "../../src/services/passwords/passwords";
import type { VerificationStart } from "../../src/services/registration/verification";
import { call, json } from "./http";
import { lastCode } from "./otp";
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

export const VERIFY_EMAIL_OTP = `${APP}/authentication/v1.0/otp/email/verify`;

/** RegisterFormSuccess's verification fields (and the `info` of a VERIFICATION_REQUIRED login). */
export type { VerificationStart };

/** verifyEmailOTP with the register_token and the code from the outbox: the response that logs in. */
export async function verifyRegistrationEmail(tenant: Tenant, email: string, registerToken: string): Promise<Response> {
  const otp = await lastCode(email);
  return call(VERIFY_EMAIL_OTP, json({ email, otp, register_token: registerToken }, { method: "POST", headers: storefront(tenant) }));
}

/**
 * A registered and logged-in user of the tenant: when the application wants the email proven first
 * (the default), the code is read from the outbox and verified with the register_token, as a client would.
 */
export async function registeredUser(tenant: Tenant, overrides: Record<string, unknown> = {}): Promise<Account> {
  const email = (overrides.email as string | undefined) ?? uniqueEmail();
  const password = (overrides.password as string | undefined) ?? GOOD_PASSWORD;
  let res = await register(tenant, { first_name: "Asha", last_name: "Rao", email, password, ...overrides });
  if (res.status !== 200) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  const started = (await res.clone().json()) as VerificationStart;
  if (started.register_token) res = await verifyRegistrationEmail(tenant, email, started.register_token);
  if (res.status !== 200) throw new Error(`verification failed: ${res.status} ${await res.text()}`);
  const cookie = sessionCookie(res);
  const me = (await (await get(tenant, SESSION, cookie)).json()) as { user: { _id: string } };
  return { email, password, userId: me.user._id, cookie };
}

/** The account services' stores over the test bindings, for calling a service directly (e.g. a reset path). */
export function accountStoresForTest(): AccountDeps {
  const db = database(env.DB);
  return {
    users: new UsersRepo(db),
    passwords: new PasswordsRepo(db),
    events: new EventsRepo(db),
    sessions: { registry: env.USER_SESSIONS, records: env.SESSIONS_KV },
    guard: env.LOGIN_GUARD,
    peppers: { current: env.PASSWORD_PEPPER! },
    notifier: pacedOutbox(new OutboxNotifier(env.OTP_KV)),
  };
}

/** The tenant as services see it: its id and its config over the defaults. */
export function tenantApp(tenant: Tenant, config: Record<string, unknown> = {}): { id: string; config: PlatformConfig } {
  return { id: tenant.applicationId, config: PlatformConfig.parse(deepMerge(DEFAULT_PLATFORM_CONFIG, config)) };
}

export async function userRow(userId: string) {
  return env.DB.prepare("select * from users where id = ?").bind(userId).first<Record<string, unknown>>();
}

export async function countUsers(tenant: Tenant): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from users where application_id = ?").bind(tenant.applicationId).first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * A store that lets a new account in before its email is verified (`level: "soft"`): registration
 * itself then logs in, so it is one more login flow for tests about session cookies.
 */
export const SIGN_UP_LOGS_IN = {
  register_required_fields: { email: { is_required: true, level: "soft" }, mobile: { is_required: false, level: "soft" } },
};
