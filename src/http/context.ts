import type { Context } from "hono";
import type { Bindings } from "../env";
import type { Application } from "../services/applications";

/** The platform API client a request was authenticated as. */
export interface PlatformCaller {
  clientId: string;
  companyId: string;
}

export interface AppVariables {
  requestId: string;
  /** Set by the tenant middleware on storefront and platform routes. */
  application: Application;
  /** Set on platform routes. */
  platformCaller: PlatformCaller;
}

export type AppEnv = { Bindings: Bindings; Variables: AppVariables };
export type AppContext = Context<AppEnv>;
