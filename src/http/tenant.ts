import { createMiddleware } from "hono/factory";
import { ApplicationsRepo } from "../db/applications-repo";
import { database } from "../db/client";
import { credentialMatches } from "../crypto/credentials";
import { loadConfig } from "../env";
import { findApplication } from "../services/tenants/applications";
import { requireActiveClient, verifyAccessToken } from "../services/tenants/platform-auth";
import type { AppContext, AppEnv } from "./context";
import { useApplicationDatabase } from "../wiring/database";
import { ApiError, forbidden, notFound, unauthorized } from "../errors";

export function applicationsRepo(c: AppContext): ApplicationsRepo {
  return new ApplicationsRepo(database(c.env.DB), c.env.DB);
}

function bearer(c: AppContext): string | undefined {
  const header = c.req.header("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** `Authorization: Bearer base64(application_id:application_token)`, as the Fynd SDK sends it. */
function decodeApplicationCredential(token: string): { id: string; secret: string } | undefined {
  let decoded: string;
  try {
    decoded = atob(token);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

const invalidApplication = () =>
  new ApiError(401, "INVALID_APPLICATION_CREDENTIALS", "Missing or invalid application credentials");

/** Storefront: which application is calling. The x-fp-* signing headers carry no secret and are ignored. */
export const storefrontTenant = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c);
  const credential = token ? decodeApplicationCredential(token) : undefined;
  if (!credential || credential.id.length > 64) throw invalidApplication();
  const app = await findApplication(applicationsRepo(c), credential.id);
  // Compare even for unknown applications so timing says nothing about which ids exist.
  const matches = await credentialMatches(credential.secret, app?.tokenHash ?? "0".repeat(64));
  if (!app || !matches) throw invalidApplication();
  if (!app.config.active) throw new ApiError(403, "APPLICATION_INACTIVE", "This application is not active");
  c.set("application", app);
  useApplicationDatabase(c, app.id);
  await next();
});

/**
 * Platform: a valid access token whose company is the one in the path, and an application of that
 * company. Another company's application answers 403 for the company and 404 for the application,
 * so nothing tells an admin which applications other companies have.
 */
export const platformTenant = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c);
  if (!token) throw unauthorized("A platform access token is required (Authorization: Bearer <token>)");
  const caller = await verifyAccessToken(token, loadConfig(c.env).tokenSigningKey);
  const companyId = c.req.param("company_id");
  const applicationId = c.req.param("application_id");
  if (caller.companyId !== companyId) throw forbidden("This token is not valid for that company");
  const repo = applicationsRepo(c);
  const [app] = await Promise.all([applicationId ? findApplication(repo, applicationId) : undefined, requireActiveClient(repo, caller)]);
  if (!app || app.companyId !== caller.companyId) throw notFound("Application not found");
  c.set("platformCaller", caller);
  c.set("application", app);
  useApplicationDatabase(c, app.id);
  await next();
});
