import type { Context } from "hono";
import type { Bindings } from "../env";
import type { UserRecord } from "../db/users-repo";
import type { Application } from "../services/tenants/applications";
import type { ValidSession } from "../services/sessions/sessions";
import type { PlatformCaller } from "../services/tenants/platform-auth";

export interface AppVariables {
  requestId: string;
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
