import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv } from "./context";
import { ApiError } from "../errors";
import { applicationsRepo } from "./tenant";

const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
// What the Fynd SDK and browsers send; anything else in a preflight is refused.
const ALLOWED_HEADER = /^(authorization|content-type|accept|accept-language|x-fp-[a-z0-9-]+|x-location-detail|x-currency-code|x-user-data|x-request-id)$/;
const PREFLIGHT_MAX_AGE = "600";
const ORIGIN_CACHE_TTL_MS = 5_000;
const originCache = new Map<string, { allowed: boolean; expiresAt: number }>();

async function allowedForSomeApplication(c: AppContext, origin: string): Promise<boolean> {
  const now = Date.now();
  const hit = originCache.get(origin);
  if (hit && hit.expiresAt > now) return hit.allowed;
  const allowed = await applicationsRepo(c).isOriginAllowedForAnyApplication(origin);
  if (originCache.size > 10_000) originCache.clear();
  originCache.set(origin, { allowed, expiresAt: now + ORIGIN_CACHE_TTL_MS });
  return allowed;
}

const sameOrigin = (c: AppContext, origin: string) => new URL(c.req.url).origin === origin;

function allowCredentialedOrigin(c: AppContext, origin: string) {
  c.header("Access-Control-Allow-Origin", origin);
  c.header("Access-Control-Allow-Credentials", "true");
  c.header("Access-Control-Expose-Headers", "x-request-id, retry-after");
  c.header("Vary", "Origin", { append: true });
}

const originRefused = () =>
  new ApiError(403, "ORIGIN_NOT_ALLOWED", "This origin is not allowed to call this application's API");

/**
 * Preflights carry no credentials, so the application is unknown here: an origin passes when some
 * application lists it. The real request is then checked against its own application's list.
 */
export const storefrontPreflight = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "OPTIONS") return next();
  const origin = c.req.header("origin");
  if (!origin || !(sameOrigin(c, origin) || (await allowedForSomeApplication(c, origin.toLowerCase())))) {
    throw originRefused();
  }
  const requested = (c.req.header("access-control-request-headers") ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (requested.some((h) => !ALLOWED_HEADER.test(h))) throw originRefused();
  allowCredentialedOrigin(c, origin);
  c.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
  if (requested.length) c.header("Access-Control-Allow-Headers", requested.join(", "));
  c.header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
  return c.body(null, 204);
});

/**
 * After the tenant is known: a browser request from an origin the application does not list is
 * refused outright (not just left unreadable), because the session cookie is SameSite=None and
 * even a GET such as logout changes state.
 */
export const storefrontOriginPolicy = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  if (origin && !sameOrigin(c, origin)) {
    if (!c.get("application").config.allowed_origins.includes(origin.toLowerCase())) throw originRefused();
    allowCredentialedOrigin(c, origin);
  }
  await next();
});
