import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { adminScope, customerDeps } from "../../wiring/customers";
import { PageQuery } from "../../schemas/pagination";
import {
  ArchiveUserRequest,
  BlockUserRequest,
  CreateUserQuery,
  CreateUserRequest,
  CustomerListQuery,
  CustomerListResponse,
  SearchUsersQuery,
  SearchUsersResponse,
  SuccessResponse,
  TimelineResponse,
  UnDeleteUserRequest,
  UpdateUserRequest,
  UserIdParams,
  UserResponse,
} from "../../schemas/customers";
import { listCustomers, searchCustomers } from "../../services/customers/search";
import {
  archiveCustomer,
  createCustomer,
  customerTimeline,
  setCustomersActive,
  undeleteCustomer,
  updateCustomer,
} from "../../services/customers/customers";

const tags = ["Platform: customers"];

export const customerRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "get",
      path: "/customers/list",
      operationId: "getCustomers",
      tags,
      summary: "Customers of the application, newest first; `q` filters by part of an email or mobile",
      request: { params: PlatformParams, query: CustomerListQuery.extend(PageQuery.shape) },
      responses: ok(CustomerListResponse),
    }),
    async (c) => {
      const { q, ...page } = c.req.valid("query");
      return c.json(await listCustomers(customerDeps(c).customers, c.var.application.id, q || undefined, page), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/customers/search",
      operationId: "searchUsers",
      tags,
      summary: "Find users by part of a name, email, phone or id (`q`), or by exact emails/phones (`query`)",
      request: { params: PlatformParams, query: SearchUsersQuery },
      responses: ok(SearchUsersResponse),
    }),
    async (c) => c.json(await searchCustomers(customerDeps(c).customers, c.var.application.id, c.req.valid("query")), 200),
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/customers",
      operationId: "createUser",
      tags,
      summary: "Create a user; its email/phone are verified unless `verified=false`",
      request: { params: PlatformParams, query: CreateUserQuery, body: jsonBody(CreateUserRequest) },
      responses: ok(UserResponse),
    }),
    async (c) => {
      const { verified } = c.req.valid("query");
      const user = await createCustomer(customerDeps(c), adminScope(c), c.req.valid("json"), verified ?? true);
      return c.json({ user }, 200);
    },
  )
  // The fixed /customers/* paths are registered before /customers/{user_id} so they are never taken for an id.
  .openapi(
    platformRoute({
      method: "put",
      path: "/customers/archive",
      operationId: "archiveUser",
      tags,
      summary: "Archive a user: it leaves the sales channel, its sessions end, its email/mobile can register again",
      request: { params: PlatformParams, body: jsonBody(ArchiveUserRequest) },
      responses: ok(SuccessResponse),
    }),
    async (c) => {
      await archiveCustomer(customerDeps(c), adminScope(c), c.req.valid("json").user_id);
      return c.json({ success: true }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "put",
      path: "/customers/undelete",
      operationId: "unDeleteUser",
      tags,
      summary: "Cancel a user's pending account deletion",
      request: { params: PlatformParams, body: jsonBody(UnDeleteUserRequest) },
      responses: ok(SuccessResponse),
    }),
    async (c) => {
      await undeleteCustomer(customerDeps(c), adminScope(c), c.req.valid("json"));
      return c.json({ success: true }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "put",
      path: "/customers/activation",
      operationId: "blockOrUnblockUsers",
      tags,
      summary: "Block (`status: false`) or unblock (`status: true`) users; blocking ends their sessions at once",
      request: { params: PlatformParams, body: jsonBody(BlockUserRequest) },
      responses: ok(SuccessResponse),
    }),
    async (c) => {
      await setCustomersActive(customerDeps(c), adminScope(c), c.req.valid("json"));
      return c.json({ success: true }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "put",
      path: "/customers/{user_id}",
      operationId: "updateUser",
      tags,
      summary: "Update a user's profile; `emails` / `phone_numbers` replace the whole lists",
      request: { params: PlatformParams.extend(UserIdParams.shape), body: jsonBody(UpdateUserRequest) },
      responses: ok(UserResponse),
    }),
    async (c) => {
      const user = await updateCustomer(customerDeps(c), adminScope(c), c.req.valid("param").user_id, c.req.valid("json"));
      return c.json({ user }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/customers/{user_id}/timeline",
      operationId: "getUserTimeline",
      tags,
      summary: "The user's account history (including deletion requests) and pending deletion date",
      request: { params: PlatformParams.extend(UserIdParams.shape) },
      responses: ok(TimelineResponse),
    }),
    async (c) => c.json(await customerTimeline(customerDeps(c), adminScope(c), c.req.valid("param").user_id), 200),
  );
