import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { UserRecord } from "../db/users-repo";
import {
  createSession,
  endSession,
  parseSessionToken,
  validateSession,
  type ClientInfo,
  type ValidSession,
} from "../services/sessions/sessions";
import { accountUnusableReason } from "../services/accounts/users";
import type { AppContext, AppEnv } from "./context";
import { eventsRepo, sessionDeps, usersRepo } from "../wiring/accounts";
import { secondFactorGate } from "../wiring/factors";
import { requestDatabase } from "../wiring/database";
import { ApiError, unauthorized } from "../errors";

export const SESSION_COOKIE = "f.session";

export function clientInfo(c: AppContext): ClientInfo {
  return {
    userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
    ip: c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "",
    domain: (c.req.header("origin") ?? new URL(c.req.url).origin).slice(0, 255),
  };
}

const notLoggedIn = () => new ApiError(401, "SESSION_INVALID", "Not logged in, or the session has ended");

/**
 * The request's session: a valid `f.session` cookie, checked by the user's Durable Object (one
 * call). If the object cannot be reached the request fails closed with 503: a session is never
 * assumed valid.
 */
async function checkSession(c: AppContext, token: string | undefined): Promise<ValidSession> {
  if (!token) throw unauthorized("Not logged in (no f.session cookie)");
  let session;
  try {
    session = await validateSession(sessionDeps(c), c.get("application").id, token);
  } catch (error) {
    console.error(JSON.stringify({ request_id: c.var.requestId, session_check_failed: String(error) }));
    throw new ApiError(503, "SESSION_CHECK_UNAVAILABLE", "Sessions cannot be checked right now; try again", undefined, { "Retry-After": "1" });
  }
  if (!session) throw notLoggedIn();
  return session;
}

/** Storefront routes that need a session (c.var.session). */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const session = await checkSession(c, getCookie(c, SESSION_COOKIE));
  if (session.bookmark) requestDatabase(c).catchUp(session.bookmark);
  c.set("session", session);
  c.set("bookmarkUser", session.userId);
  await next();
});

/**
 * requireSession plus the user record (c.var.user); blocked, archived or deleting users are refused.
 * The cookie names the user, so the user is read while the object checks the session: the two
 * round trips overlap instead of adding up, and nothing read is used unless the session is valid.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const claimedUserId = token ? parseSessionToken(token)?.userId : undefined;
  const read = () => (claimedUserId ? usersRepo(c).findById(c.get("application").id, claimedUserId) : Promise.resolve(undefined));
  let [session, record] = await Promise.all([checkSession(c, token), read()]);
  // Read-your-writes: if that read came from a replica older than the user's latest write, read
  // again from a session that starts at that write (D1 waits for a replica that has it).
  if (session.bookmark && requestDatabase(c).catchUp(session.bookmark)) record = await read();
  if (!record || record.user.id !== session.userId || accountUnusableReason(record.user)) throw notLoggedIn();
  c.set("session", session);
  c.set("bookmarkUser", session.userId);
  c.set("user", record);
  await next();
});

/**
 * The logged-in user (c.var.user) when the request carries a valid session, else none: for the OTP sends
 * and verifies, which serve visitors too and bind a code to the user when one is logged in. A stale or
 * unreadable cookie counts as no session (never an error), so a visitor's old cookie cannot block a login.
 */
export const optionalUser = createMiddleware<AppEnv>(async (c, next) => {
  if (getCookie(c, SESSION_COOKIE)) {
    try {
      await requireUser(c, async () => {});
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }
  await next();
});

/** The user optionalUser found, if any. */
export const sessionUser = (c: AppContext): UserRecord | undefined => c.get("user") as UserRecord | undefined;

export function setSessionCookie(c: AppContext, token: string, maxAgeSeconds: number) {
  // SameSite=None so storefronts on their own domains can send it (CORS with credentials); Secure is then required.
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: "None", path: "/", maxAge: maxAgeSeconds });
}

export function clearSessionCookie(c: AppContext) {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: "None", path: "/" });
}

/**
 * Starts a session for `user` and sets the cookie: the one way every login flow (password, OTP,
 * social, token) ends. The caller has already checked the account is usable.
 */
export async function logIn(c: AppContext, user: UserRecord, method: string): Promise<string> {
  await secondFactorGate(c, user.user.id, method);
  const app = c.var.application;
  const issued = await createSession(sessionDeps(c), app.id, app.config.session_config, user.user.id, clientInfo(c));
  setSessionCookie(c, issued.token, issued.maxAgeSeconds);
  c.set("bookmarkUser", user.user.id);
  await eventsRepo(c).record({
    applicationId: app.id,
    userId: user.user.id,
    type: "user.logged_in",
    title: "Logged in",
    subTitle: method,
    actor: "user",
    visible: false,
    data: { method, session_id: issued.sessionId },
  });
  return issued.sessionId;
}

/** Ends the request's session (set by requireSession) and clears the cookie. */
export async function logOut(c: AppContext): Promise<void> {
  const app = c.var.application;
  const { userId, sessionId } = c.var.session;
  await endSession(sessionDeps(c), app.id, userId, sessionId, getCookie(c, SESSION_COOKIE));
  clearSessionCookie(c);
  await eventsRepo(c).record({
    applicationId: app.id,
    userId,
    type: "user.logged_out",
    title: "Logged out",
    actor: "user",
    visible: false,
    data: { session_id: sessionId },
  });
}
