import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { applicationsRepo } from "../../http/tenant";
import { PlatformConfigResponse, PlatformConfigUpdate } from "../../schemas/platform-config";
import { findApplication } from "../../services/tenants/applications";
import { platformView, updatePlatformConfig } from "../../services/tenants/platform-config";
import { notFound } from "../../errors";

export const platformConfigRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "get",
      path: "/platform/config",
      operationId: "getPlatformConfig",
      tags: ["Platform: config"],
      summary: "The application's auth configuration, secrets included",
      request: { params: PlatformParams },
      responses: ok(PlatformConfigResponse),
    }),
    (c) => c.json(platformView(c.var.application), 200),
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/platform/config",
      operationId: "updatePlatformConfig",
      tags: ["Platform: config"],
      summary: "Update the configuration (the whole object, or any part of it)",
      request: { params: PlatformParams, body: jsonBody(PlatformConfigUpdate) },
      responses: ok(PlatformConfigResponse),
    }),
    async (c) => {
      const repo = applicationsRepo(c);
      await updatePlatformConfig(repo, c.var.application, c.req.valid("json"));
      const updated = await findApplication(repo, c.var.application.id);
      if (!updated) throw notFound("Application not found");
      return c.json(platformView(updated), 200);
    },
  );
