import { z } from "@hono/zod-openapi";
import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { platformActor } from "../../http/platform-caller";
import {
  BulkUserAttribute,
  CreateBulkUserAttribute,
  CreateUserAttribute,
  DeleteBulkUserAttribute,
  SuccessMessage,
  UserAttribute,
  UserAttributeFilter,
  UserAttributeFiltered,
  UserAttributeList,
} from "../../schemas/attributes";
import { PageQuery } from "../../schemas/pagination";
import { deleteValue, deleteValues, getValue, getValueById, setValue, setValues, valuesPage } from "../../services/attributes/values";
import { filterUsers } from "../../services/attributes/user-lists";
import { customerDataDeps } from "../../wiring/customer-data";

const tags = ["Platform: user attributes"];
const pathId = (name: string) => z.string().min(1).max(64).openapi({ param: { name, in: "path" } });
const UserParams = PlatformParams.extend({ user_id: pathId("user_id") });
const ValueParams = UserParams.extend({ attribute_def_id: pathId("attribute_def_id") });

export const attributeValueRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "put",
      path: "/user_attribute/definition/{attribute_def_id}/user/{user_id}",
      operationId: "updateUserAttribute",
      tags,
      summary: "Set (create or replace) a customer's value of one attribute; `attribute.value` holds it",
      request: { params: ValueParams, body: jsonBody(CreateUserAttribute) },
      responses: ok(UserAttribute),
    }),
    async (c) => {
      const { attribute_def_id, user_id } = c.req.valid("param");
      const body = c.req.valid("json");
      const value = await setValue(customerDataDeps(c.env), c.var.application.id, attribute_def_id, user_id, body.attribute.value, {
        actor: platformActor(c),
        customerOverridden: body.customer_overridden ?? false,
      });
      return c.json(value, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_attribute/definition/{attribute_def_id}/user/{user_id}",
      operationId: "getUserAttribute",
      tags,
      summary: "A customer's value of one attribute",
      request: { params: ValueParams },
      responses: ok(UserAttribute),
    }),
    async (c) => {
      const { attribute_def_id, user_id } = c.req.valid("param");
      return c.json(await getValue(customerDataDeps(c.env), c.var.application.id, attribute_def_id, user_id), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/user_attribute/definition/{attribute_def_id}/user/{user_id}",
      operationId: "deleteUserAttribute",
      tags,
      summary: "Remove a customer's value of one attribute",
      request: { params: ValueParams },
      responses: ok(SuccessMessage),
    }),
    async (c) => {
      const { attribute_def_id, user_id } = c.req.valid("param");
      await deleteValue(customerDataDeps(c.env), c.var.application.id, attribute_def_id, user_id, platformActor(c));
      return c.json({ success: "true" }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_attribute/user/{user_id}",
      operationId: "getUserAttributesForUser",
      tags,
      summary: "A customer's attribute values, paged",
      request: { params: UserParams, query: PageQuery },
      responses: ok(UserAttributeList),
    }),
    async (c) => {
      const result = await valuesPage(customerDataDeps(c.env), c.var.application.id, c.req.valid("param").user_id, c.req.valid("query"));
      return c.json(result, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/user_attribute/user/{user_id}",
      operationId: "updateUserAttributes",
      tags,
      summary: "Set several values of a customer at once (all valid, or nothing is written)",
      request: { params: UserParams, body: jsonBody(CreateBulkUserAttribute) },
      responses: ok(BulkUserAttribute),
    }),
    async (c) => {
      const { user_id } = c.req.valid("param");
      const attributes = await setValues(customerDataDeps(c.env), c.var.application.id, user_id, c.req.valid("json").attributes, platformActor(c));
      return c.json({ success: true, attributes }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/user_attribute/user/{user_id}",
      operationId: "deleteUserAttributesInBulk",
      tags,
      summary: "Remove several values of a customer (DELETE with a JSON body)",
      request: { params: UserParams, body: jsonBody(DeleteBulkUserAttribute) },
      responses: ok(SuccessMessage),
    }),
    async (c) => {
      const { user_id } = c.req.valid("param");
      await deleteValues(customerDataDeps(c.env), c.var.application.id, user_id, c.req.valid("json").definition_ids, platformActor(c));
      return c.json({ success: "true" }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_attribute/attribute/{attribute_id}",
      operationId: "getUserAttributeById",
      tags,
      summary: "One attribute value by its id",
      request: { params: PlatformParams.extend({ attribute_id: pathId("attribute_id") }) },
      responses: ok(UserAttribute),
    }),
    async (c) => {
      return c.json(await getValueById(customerDataDeps(c.env), c.var.application.id, c.req.valid("param").attribute_id), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/user_attribute/users",
      operationId: "filterUsersByAttributes",
      tags,
      summary: "Customers whose attributes match conditions (eq ne gt lt gte lte cnt nct is nis sw ew btw in nin), joined by and/or",
      request: { params: PlatformParams, body: jsonBody(UserAttributeFilter) },
      responses: ok(UserAttributeFiltered),
    }),
    async (c) => {
      return c.json(await filterUsers(customerDataDeps(c.env), c.var.application.id, c.req.valid("json").query), 200);
    },
  );
