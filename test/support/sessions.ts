import { env } from "cloudflare:workers";
import { parseSessionToken, validateSession } from "../../src/services/sessions/sessions";
import type { Admin } from "./customers";
import { json } from "./http";
import { e164, lastCode, post, randomMobile, type MobileSent } from "./otp";
import type { Tenant } from "./tenants";

/** A storefront user with a live session: the `f.session` value and its parts. */
export interface LoggedIn {
  userId: string;
  sessionId: string;
  /** The `f.session` cookie value, `<userId>.<sessionId>.<secret>`. */
  token: string;
  /** A `Cookie` header carrying it. */
  cookie: string;
}

export const sessionStores = () => ({ registry: env.USER_SESSIONS, records: env.SESSIONS_KV });

/** The f.session value a response sets, if any (decoded). */
export function issuedToken(res: Response): string | undefined {
  const match = /(?:^|,\s*)f\.session=([^;]*)/.exec(res.headers.get("set-cookie") ?? "");
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

function loggedIn(token: string): LoggedIn {
  const parts = parseSessionToken(token);
  if (!parts) throw new Error(`not a session token: ${token}`);
  return { userId: parts.userId, sessionId: parts.sessionId, token, cookie: `f.session=${token}` };
}

/** Logs a new (or existing) user in by mobile OTP, the way a shopper does: send, read the SMS, verify. */
export async function loginByOtp(tenant: Tenant, mobile = randomMobile(), headers: Record<string, string> = {}): Promise<LoggedIn> {
  const sent = await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" }, headers);
  if (sent.status !== 200) throw new Error(`OTP send failed: ${sent.status} ${await sent.text()}`);
  const { request_id } = (await sent.json()) as MobileSent;
  const res = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id, otp: await lastCode(e164(mobile)) }, headers);
  const token = issuedToken(res);
  if (res.status !== 200 || !token) throw new Error(`OTP verify failed: ${res.status} ${await res.text()}`);
  return loggedIn(token);
}

/** A session for `userId` started by the platform createUserSession route. */
export async function adminSession(admin: Admin, userId: string): Promise<LoggedIn> {
  const res = await admin.api("/customers/session", json({ user_id: userId, domain: "shop.example.com" }, { method: "POST" }));
  if (res.status !== 200) throw new Error(`createUserSession failed: ${res.status} ${await res.text()}`);
  const { cookie } = (await res.json()) as { cookie: Record<string, string> };
  return loggedIn(cookie["f.session"]!);
}

/** Whether the session registry accepts `token` for the tenant right now. */
export async function sessionIsValid(tenant: Tenant, token: string): Promise<boolean> {
  return (await validateSession(sessionStores(), tenant.applicationId, token)) !== undefined;
}
