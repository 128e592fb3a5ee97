import { z } from "@hono/zod-openapi";
import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { platformActor } from "../../http/platform-caller";
import {
  CreateDefinitionBody,
  DefinitionBody,
  DefinitionListQuery,
  PlatformDefinition,
  PlatformDefinitionList,
  SuccessMessage,
} from "../../schemas/attributes";
import {
  createDefinition,
  deleteDefinition,
  listDefinitions,
  requireDefinition,
  toPlatformDefinition,
  updateDefinition,
} from "../../services/attributes/definitions";
import { customerDataDeps } from "../../wiring/customer-data";

const tags = ["Platform: user attributes"];
const DefinitionParams = PlatformParams.extend({
  attribute_def_id: z.string().min(1).max(64).openapi({ param: { name: "attribute_def_id", in: "path" } }),
});

export const attributeDefinitionRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "post",
      path: "/user_attribute/definition",
      operationId: "createUserAttributeDefinition",
      tags,
      summary: "Define a customer attribute (name, slug, type, validations, …)",
      request: { params: PlatformParams, body: jsonBody(CreateDefinitionBody) },
      responses: ok(PlatformDefinition),
    }),
    async (c) => {
      const row = await createDefinition(customerDataDeps(c.env), c.var.application.id, c.req.valid("json"), platformActor(c));
      return c.json(toPlatformDefinition(row), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_attribute/definition",
      operationId: "getUserAttributeDefinitions",
      tags,
      summary: "List attribute definitions (pinned first)",
      request: { params: PlatformParams, query: DefinitionListQuery },
      responses: ok(PlatformDefinitionList),
    }),
    async (c) => {
      const { rows, page } = await listDefinitions(customerDataDeps(c.env).attributes, c.var.application.id, c.req.valid("query"));
      return c.json({ items: rows.map(toPlatformDefinition), page }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_attribute/definition/{attribute_def_id}",
      operationId: "getUserAttributeDefinitionById",
      tags,
      summary: "One attribute definition",
      request: { params: DefinitionParams },
      responses: ok(PlatformDefinition),
    }),
    async (c) => {
      const row = await requireDefinition(customerDataDeps(c.env).attributes, c.var.application.id, c.req.valid("param").attribute_def_id);
      return c.json(toPlatformDefinition(row), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "put",
      path: "/user_attribute/definition/{attribute_def_id}",
      operationId: "updateUserAttributeDefinition",
      tags,
      summary: "Update a definition (fields sent replace stored ones; slug, type, is_multi_value and encrypted are frozen once values exist)",
      request: { params: DefinitionParams, body: jsonBody(DefinitionBody) },
      responses: ok(PlatformDefinition),
    }),
    async (c) => {
      const { attribute_def_id } = c.req.valid("param");
      const row = await updateDefinition(customerDataDeps(c.env), c.var.application.id, attribute_def_id, c.req.valid("json"), platformActor(c));
      return c.json(toPlatformDefinition(row), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/user_attribute/definition/{attribute_def_id}",
      operationId: "deleteUserAttributeDefinitionById",
      tags,
      summary: "Delete a definition and every value of it",
      request: { params: DefinitionParams },
      responses: ok(SuccessMessage),
    }),
    async (c) => {
      await deleteDefinition(customerDataDeps(c.env), c.var.application.id, c.req.valid("param").attribute_def_id, platformActor(c));
      return c.json({ success: "true" }, 200);
    },
  );
