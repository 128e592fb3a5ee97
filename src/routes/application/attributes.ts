import { z } from "@hono/zod-openapi";
import { requireUser } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { DefinitionListQuery, StorefrontDefinitionList, UpdateUserAttributes, UserAttributes } from "../../schemas/attributes";
import { listDefinitions, toStorefrontDefinition } from "../../services/attributes/definitions";
import { ownAttributes, updateOwnAttributes } from "../../services/attributes/values";
import { customerDataDeps } from "../../wiring/customer-data";

const tags = ["Storefront: user attributes"];

export const storefrontAttributeRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/profile/v1.0/attributes/definition",
      operationId: "getAttributesDefinition",
      tags,
      summary: "The application's customer attributes (e.g. to build a profile or registration form)",
      request: { query: DefinitionListQuery },
      responses: ok(StorefrontDefinitionList),
    }),
    async (c) => {
      const { rows, page } = await listDefinitions(customerDataDeps(c.env).attributes, c.var.application.id, c.req.valid("query"));
      return c.json({ items: rows.map(toStorefrontDefinition), page }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/profile/v1.0/user-attributes",
      operationId: "getUserAttributes",
      tags,
      summary: "The logged-in customer's attribute values, slug → value",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: z.object({ slug: z.string().max(64).optional() }) },
      responses: ok(UserAttributes),
    }),
    async (c) => {
      const attributes = await ownAttributes(customerDataDeps(c.env), c.var.application.id, c.var.user.user.id, c.req.valid("query").slug);
      return c.json({ attributes }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "patch",
      path: "/profile/v1.0/user-attributes",
      operationId: "updateUserAttributes",
      tags,
      summary: "Set (or with null, clear) the customer's values of customer-editable attributes",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(UpdateUserAttributes) },
      responses: ok(UserAttributes),
    }),
    async (c) => {
      const attributes = await updateOwnAttributes(customerDataDeps(c.env), c.var.application.id, c.var.user.user.id, c.req.valid("json").attributes);
      return c.json({ attributes }, 200);
    },
  );
