import { z } from "@hono/zod-openapi";
import { ifMatchTags } from "../../http/etag";
import { commonErrors, createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { applicationsRepo } from "../../http/tenant";
import { PlatformConfigResponse, PlatformConfigUpdate } from "../../schemas/platform-config";
import { currentApplication } from "../../services/tenants/applications";
import { configTag, platformView, updatePlatformConfig } from "../../services/tenants/platform-config";
import { notFound } from "../../errors";

const etagHeader = { ETag: { description: "The config's version as an entity tag; send it back in If-Match", schema: { type: "string" as const } } };

const IfMatch = z.object({
  "if-match": z
    .string()
    .max(1000)
    .optional()
    .openapi({
      param: { name: "if-match", in: "header" },
      description: "Extension: the ETag of the config as read; the update applies only to that version (412 otherwise). Without it, updates merge into the latest",
      example: '"v3"',
    }),
});

export const platformConfigRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "get",
      path: "/platform/config",
      operationId: "getPlatformConfig",
      tags: ["Platform: config"],
      summary: "The application's auth configuration, secrets included",
      request: { params: PlatformParams },
      responses: { ...ok(PlatformConfigResponse), 200: { ...ok(PlatformConfigResponse)[200], headers: etagHeader } },
    }),
    async (c) => {
      // Read as stored, not from the per-isolate cache: an admin about to edit needs the latest version and its tag.
      const app = await currentApplication(applicationsRepo(c), c.var.application.id);
      if (!app) throw notFound("Application not found");
      c.header("ETag", configTag(app.configVersion));
      return c.json(platformView(app), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/platform/config",
      operationId: "updatePlatformConfig",
      tags: ["Platform: config"],
      summary: "Update the configuration (the whole object, or any part of it)",
      request: { params: PlatformParams, headers: IfMatch, body: jsonBody(PlatformConfigUpdate) },
      responses: {
        ...ok(PlatformConfigResponse),
        200: { ...ok(PlatformConfigResponse)[200], headers: etagHeader },
        412: { description: "If-Match names another version: the config changed since it was read; nothing was written", content: commonErrors[409].content },
      },
    }),
    async (c) => {
      const repo = applicationsRepo(c);
      await updatePlatformConfig(repo, c.var.application, c.req.valid("json"), ifMatchTags(c.req.valid("header")["if-match"]));
      const updated = await currentApplication(repo, c.var.application.id);
      if (!updated) throw notFound("Application not found");
      c.header("ETag", configTag(updated.configVersion));
      return c.json(platformView(updated), 200);
    },
  );
