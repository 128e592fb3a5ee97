import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./http/context";
import { storefrontOriginPolicy, storefrontPreflight } from "./http/cors";
import { onError, onNotFound } from "./http/error-handler";
import { ApiError } from "./errors";
import { PLATFORM_BASE, STOREFRONT_BASE } from "./api-paths";
import { requestId } from "./http/request-id";
import { databaseSession } from "./wiring/database";
import type { RoutesOf } from "./http/typed-routes";
import { platformTenant, storefrontTenant } from "./http/tenant";
import { webhookFanOut } from "./http/webhook-fan-out";
import { storefrontRouters } from "./routes/application";
import { benchRoutes } from "./routes/bench";
import { devOutboxRoutes } from "./routes/dev-outbox";
import { platformRouters } from "./routes/platform";
import { oauthRoutes } from "./routes/platform/oauth";

const MAX_BODY_BYTES = 64 * 1024;
const FILE_UPLOAD_PATH = /^\/service\/platform\/user\/v1\.0\/company\/[^/]+\/application\/[^/]+\/users\/files$/;
const toHonoPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ":$1");

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(onError);
  app.notFound(onNotFound);

  app.use(requestId);
  app.use(databaseSession);
  app.use(secureHeaders({ crossOriginResourcePolicy: "cross-origin" }));
  const smallBodies = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The request body exceeds ${MAX_BODY_BYTES} bytes`);
    },
  });
  // File uploads (customer CSVs) are read by their route up to its own, larger limit.
  app.use((c, next) => (c.req.method === "POST" && FILE_UPLOAD_PATH.test(c.req.path) ? next() : smallBodies(c, next)));

  app.use(`${STOREFRONT_BASE}/*`, storefrontPreflight, storefrontTenant, storefrontOriginPolicy);
  app.use(`${toHonoPath(PLATFORM_BASE)}/*`, platformTenant);
  app.use(`${STOREFRONT_BASE}/*`, webhookFanOut);
  app.use(`${toHonoPath(PLATFORM_BASE)}/*`, webhookFanOut);

  app.route("/", oauthRoutes);
  for (const router of storefrontRouters) app.route("/", router);
  for (const router of platformRouters) app.route("/", router);

  app.get("/_health", (c) => c.json({ ok: true }));
  app.route("/", benchRoutes);
  app.route("/", devOutboxRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "applicationCredential", {
    type: "http",
    scheme: "bearer",
    description: "base64(application_id:application_token), as the Fynd SDK sends it",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "f.session",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "platformToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access token from POST /service/panel/authentication/v1.0/company/{company_id}/oauth/token",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "platformClient", { type: "http", scheme: "basic" });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "user-edge",
      version: "0.1.0",
      description:
        "User management and authentication at the edge, wire-compatible with the Fynd platform's User module.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "user-edge API" }));
  return app;
}

export const app = buildApp();

/**
 * The API's type for typed clients: `hc<App>(url)` from hono/client. The routers are mounted in loops
 * above, which keep no route types, so the type is built from the same lists.
 */
export type App = RoutesOf<[typeof oauthRoutes, ...typeof storefrontRouters, ...typeof platformRouters]>;
