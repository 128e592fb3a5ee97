import { createMiddleware } from "hono/factory";
import { getCookie } from "hono/cookie";
import { PLATFORM_BASE, STOREFRONT_BASE } from "../api-paths";
import { applicationDatabase } from "../db/shards";
import { SessionDatabase, validBookmark } from "../db/session-database";
import { userSessionsStub } from "../durable/user-sessions";
import type { Bindings } from "../env";
import type { AppContext, AppEnv } from "../http/context";

/*
 * Every D1 statement of a request runs in one D1 session (read replicas, sequentially consistent):
 * the request's env carries the session in place of the `DB` binding, so every repository, batch
 * and raw statement goes through it and nothing can reach the binding directly.
 *
 * Where a session starts:
 * - platform calls: from the `x-d1-bookmark` request header when it holds a well-formed bookmark
 *   (anything else is ignored), otherwise anywhere; the latest bookmark goes back in `x-d1-bookmark`;
 * - storefront calls with a session cookie: anywhere, then at least at the user's latest write,
 *   which the user's session object hands over with the session check (http/auth.ts);
 * - other storefront calls: GETs anywhere; the rest (logins, registration, OTP, resets) at the
 *   primary, so no credential or code is ever checked against a lagging replica;
 * - queue and cron work: at the primary.
 * A signed-in request (or a login) that wrote keeps its bookmark in the user's session object
 * before it answers, so the user's next request, wherever it lands, reads that write.
 */

export const BOOKMARK_HEADER = "x-d1-bookmark";

const PLATFORM = new RegExp(`^${PLATFORM_BASE.replace(/\{\w+\}/g, "[^/]+")}/`);

function startOf(c: AppContext): string {
  if (PLATFORM.test(c.req.path)) return validBookmark(c.req.header(BOOKMARK_HEADER)) ?? "first-unconstrained";
  if (c.req.path.startsWith(STOREFRONT_BASE) && getCookie(c, "f.session")) return "first-unconstrained";
  return c.req.method === "GET" || c.req.method === "HEAD" ? "first-unconstrained" : "first-primary";
}

/** The request's session database (set by databaseSession). */
export function requestDatabase(c: AppContext): SessionDatabase {
  return c.get("database");
}

/** Once the application is known: its data may live in another database than the tenant tables. */
export function useApplicationDatabase(c: AppContext, applicationId: string): void {
  c.get("database").useDatabase(applicationDatabase(c.get("bindings"), applicationId));
}

export const databaseSession = createMiddleware<AppEnv>(async (c, next) => {
  const bindings = c.env;
  const db = new SessionDatabase(bindings.DB, startOf(c));
  c.set("bindings", bindings);
  c.set("database", db);
  c.env = { ...bindings, DB: db as unknown as D1Database };
  await next();
  const bookmark = db.bookmark();
  if (!bookmark) return;
  if (PLATFORM.test(c.req.path)) c.header(BOOKMARK_HEADER, bookmark);
  const userId = c.get("bookmarkUser");
  const application = c.get("application");
  if (db.wrote && userId && application) {
    await userSessionsStub(bindings.USER_SESSIONS, application.id, userId).noteBookmark(bookmark);
  }
});

/** Bindings for background work (queue, cron): the same substitution, every session at the primary. */
export function primaryBindings(env: Bindings, applicationId?: string): Bindings {
  const binding = applicationId ? applicationDatabase(env, applicationId) : env.DB;
  return { ...env, DB: new SessionDatabase(binding, "first-primary") as unknown as D1Database };
}
