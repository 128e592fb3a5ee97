import { OpenAPIHono, createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { ErrorBody, validationError } from "../errors";
import { PLATFORM_BASE, STOREFRONT_BASE } from "../api-paths";

/** A router whose request validation failures become the one error shape (400, each bad field named). */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target === "json" ? "body" : result.target);
    },
  });
}

const errorContent = { "application/json": { schema: ErrorBody } };

/** The failures every route can answer with, documented once. */
export const commonErrors = {
  400: { description: "Invalid input; `info.fields` names each bad field", content: errorContent },
  401: { description: "Missing or invalid credentials", content: errorContent },
  403: { description: "Not allowed for this caller", content: errorContent },
  404: { description: "Not found", content: errorContent },
  409: { description: "Conflicts with the current state", content: errorContent },
  429: { description: "Too many requests; see Retry-After", content: errorContent },
  503: { description: "A store the request depends on (sessions, throttles, single-use claims) cannot be reached; nothing was done, retry after Retry-After", content: errorContent },
} as const;

/** For routes that depend on another service (e.g. a social provider): it failed or could not be reached. */
export const upstreamErrors = {
  502: { description: "An upstream service failed or could not be reached; nothing was done", content: errorContent },
} as const;

export function jsonBody<T extends z.ZodType>(schema: T, description = "JSON body") {
  return { content: { "application/json": { schema } }, required: true, description };
}

/** The responses of a route: its 200 body and the common failures. Pass it whole as `responses`. */
export function ok<T extends z.ZodType>(schema: T, description = "Success") {
  return { 200: { description, content: { "application/json": { schema } } }, ...commonErrors };
}

/** Path params of every platform route; extend it for routes with more (`PlatformParams.extend({...})`). */
export const PlatformParams = z.object({
  company_id: z.string().min(1).max(64).openapi({ param: { name: "company_id", in: "path" }, example: "1" }),
  application_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "application_id", in: "path" }, example: "000000000000000000000001" }),
});

/** A route config whose path carries its base in the type too, so typed clients (hono/client) call the real URL. */
type UnderBase<Base extends string, R extends RouteConfig> = Omit<R, "path"> & { path: `${Base}${R["path"]}` };

/** A platform (seller admin) route: path under PLATFORM_BASE, bearer token. Declare `request.params: PlatformParams`. */
export function platformRoute<const R extends RouteConfig & { request: { params: typeof PlatformParams | z.ZodObject } }>(route: R) {
  return createRoute({ ...route, path: `${PLATFORM_BASE}${route.path}`, security: [{ platformToken: [] }] } as UnderBase<typeof PLATFORM_BASE, R>);
}

/** A storefront route: path under STOREFRONT_BASE, application credential (and the session cookie where noted). */
export function storefrontRoute<const R extends RouteConfig>(route: R & { withSession?: boolean }) {
  const { withSession, ...rest } = route;
  return createRoute({
    ...rest,
    path: `${STOREFRONT_BASE}${route.path}`,
    security: withSession ? [{ applicationCredential: [], sessionCookie: [] }] : [{ applicationCredential: [] }],
  } as unknown as UnderBase<typeof STOREFRONT_BASE, R>);
}
