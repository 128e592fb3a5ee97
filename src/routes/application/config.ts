import { z } from "@hono/zod-openapi";
import { createRouter, ok, storefrontRoute } from "../../http/openapi";
import { StorefrontConfigResponse } from "../../schemas/platform-config";
import { storefrontView } from "../../services/tenants/platform-config";

export const configRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/platform/v1.0/config",
      operationId: "getPlatformConfig",
      tags: ["Storefront: config"],
      summary: "The application's public auth configuration (no secrets)",
      request: {
        query: z.object({ name: z.string().max(100).optional().openapi({ description: "Application name; informational" }) }),
      },
      responses: ok(StorefrontConfigResponse),
    }),
    (c) => c.json(storefrontView(c.var.application), 200),
  );
