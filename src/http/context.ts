import type { Context } from "hono";
import type { Bindings } from "../env";
import type { SessionDatabase } from "../db/session-database";
import type { UserRecord } from "../db/users-repo";
import type { Application } from "../services/tenants/applications";
import type { ValidSession } from "../services/sessions/sessions";
import type { PlatformCaller } from "../services/tenants/platform-auth";

// Middleware on every request's path reads these with c.get("name"), not c.var.name: Hono's `c.var`
// copies every variable into a new object on each access (Object.fromEntries), ≈ µs each time.
export interface AppVariables {
  requestId: string;
  /** The request's D1 session (wiring/database.ts), which stands in for `env.DB`. */
  database: SessionDatabase;
  /** The Worker's own bindings, before the request's session replaced `DB`. */
  bindings: Bindings;
  /** The user whose latest write bookmark this request keeps, if it writes (signed in, or logging in). */
  bookmarkUser?: string;
  /** Set by the tenant middleware on storefront and platform routes. */
  application: Application;
  /** Set on platform routes. */
  platformCaller: PlatformCaller;
  /** Set by requireSession / requireUser (storefront). */
  session: ValidSession;
  /** Set by requireUser (storefront): the logged-in user with contacts. */
  user: UserRecord;
}

export type AppEnv = { Bindings: Bindings; Variables: AppVariables };
export type AppContext = Context<AppEnv>;
