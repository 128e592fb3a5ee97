import { z } from "@hono/zod-openapi";
import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { platformCaller } from "../../http/platform-caller";
import {
  CreateUserGroup,
  DeleteUserGroupSuccess,
  PartialUserGroupUpdateSchema,
  UpdateUserGroupSchema,
  UserGroupListQuery,
  UserGroupListResponseSchema,
  UserGroupMembers,
  UserGroupResponseSchema,
} from "../../schemas/groups";
import { PageQuery } from "../../schemas/pagination";
import {
  createGroup,
  deleteGroup,
  getGroup,
  groupMembers,
  listGroups,
  patchGroup,
  updateGroup,
} from "../../services/groups/groups";
import { customerDataDeps } from "../../wiring/customer-data";

const tags = ["Platform: user groups"];
const GroupParams = PlatformParams.extend({
  group_id: z.string().min(1).max(64).openapi({ param: { name: "group_id", in: "path" }, description: "The group's _id, or its numeric uid" }),
});

export const userGroupRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "post",
      path: "/user_group",
      operationId: "createUserGroup",
      tags,
      summary: "Create a bulk group (members from a CSV file_url, or later via PATCH) or a conditional group (members = users matching its conditions)",
      request: { params: PlatformParams, body: jsonBody(CreateUserGroup) },
      responses: ok(UserGroupResponseSchema),
    }),
    async (c) => {
      return c.json(await createGroup(customerDataDeps(c.env), platformCaller(c), c.req.valid("json")), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_group",
      operationId: "getUserGroups",
      tags,
      summary: "List user groups, newest first",
      request: { params: PlatformParams, query: UserGroupListQuery },
      responses: ok(UserGroupListResponseSchema),
    }),
    async (c) => {
      return c.json(await listGroups(customerDataDeps(c.env), c.var.application.id, c.req.valid("query")), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_group/{group_id}",
      operationId: "getUserGroupById",
      tags,
      summary: "One user group",
      request: { params: GroupParams },
      responses: ok(UserGroupResponseSchema),
    }),
    async (c) => {
      return c.json(await getGroup(customerDataDeps(c.env), c.var.application.id, c.req.valid("param").group_id), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "put",
      path: "/user_group/{group_id}",
      operationId: "updateUserGroup",
      tags,
      summary: "Update a group (changing its type resets its members)",
      request: { params: GroupParams, body: jsonBody(UpdateUserGroupSchema) },
      responses: ok(UserGroupResponseSchema),
    }),
    async (c) => {
      return c.json(await updateGroup(customerDataDeps(c.env), platformCaller(c), c.req.valid("param").group_id, c.req.valid("json")), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "patch",
      path: "/user_group/{group_id}",
      operationId: "updateUserGroupPartially",
      tags,
      summary: "Rename, or add/remove members of a bulk group: `json` user_data (user_id, email or phone_number) or a `file_url` CSV",
      request: { params: GroupParams, body: jsonBody(PartialUserGroupUpdateSchema) },
      responses: ok(UserGroupResponseSchema),
    }),
    async (c) => {
      return c.json(await patchGroup(customerDataDeps(c.env), platformCaller(c), c.req.valid("param").group_id, c.req.valid("json")), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/user_group/{group_id}",
      operationId: "deleteUserGroup",
      tags,
      summary: "Delete a group (its customers stay)",
      request: { params: GroupParams },
      responses: ok(DeleteUserGroupSuccess),
    }),
    async (c) => {
      const id = c.req.valid("param").group_id;
      await deleteGroup(customerDataDeps(c.env), platformCaller(c), id);
      return c.json({ id, success: true }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/user_group/{group_id}/members",
      operationId: "getUserGroupMembers",
      tags,
      summary: "Extension: a group's members, paged (`page.item_total` is the count); a conditional group's are computed now from its conditions",
      request: { params: GroupParams, query: PageQuery },
      responses: ok(UserGroupMembers),
    }),
    async (c) => {
      return c.json(await groupMembers(customerDataDeps(c.env), c.var.application.id, c.req.valid("param").group_id, c.req.valid("query")), 200);
    },
  );
