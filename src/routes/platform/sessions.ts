import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { adminScope, customerDeps } from "../../wiring/customers";
import { clientInfo } from "../../http/auth";
import {
  CreateUserSessionRequest,
  CreateUserSessionResponse,
  SessionDeleteQuery,
  SessionDeleteResponse,
  SessionListResponse,
  SessionsDeleteQuery,
  SessionsDeleteResponse,
  SessionUserQuery,
} from "../../schemas/customers";
import {
  customerSessions,
  endCustomerSession,
  endCustomerSessions,
  startCustomerSession,
} from "../../services/sessions/admin";

const tags = ["Platform: sessions"];

export const sessionAdminRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "post",
      path: "/customers/session",
      operationId: "createUserSession",
      tags,
      summary: "Start a storefront session for a user; answers the f.session cookie to set on `domain`",
      request: { params: PlatformParams, body: jsonBody(CreateUserSessionRequest) },
      responses: ok(CreateUserSessionResponse),
    }),
    async (c) => {
      const { user_id, domain } = c.req.valid("json");
      const client = { ...clientInfo(c), domain };
      const session = await startCustomerSession(customerDeps(c), adminScope(c), c.var.application.config.session_config, user_id, client);
      c.header("Cache-Control", "no-store");
      return c.json(session, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "get",
      path: "/customers/sessions",
      operationId: "getActiveSessions",
      tags,
      summary: "A user's active sessions",
      request: { params: PlatformParams, query: SessionUserQuery },
      responses: ok(SessionListResponse),
    }),
    async (c) => c.json(await customerSessions(customerDeps(c), adminScope(c), c.req.valid("query").id), 200),
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/customers/session",
      operationId: "deleteSession",
      tags,
      summary: "End one session of a user (effective on the user's next request)",
      request: { params: PlatformParams, query: SessionDeleteQuery },
      responses: ok(SessionDeleteResponse),
    }),
    async (c) => {
      const { id, session_id, reason } = c.req.valid("query");
      return c.json(await endCustomerSession(customerDeps(c), adminScope(c), id, session_id, reason), 200);
    },
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/customers/sessions",
      operationId: "deleteActiveSessions",
      tags,
      summary: "End every session of a user",
      request: { params: PlatformParams, query: SessionsDeleteQuery },
      responses: ok(SessionsDeleteResponse),
    }),
    async (c) => {
      const { id, reason } = c.req.valid("query");
      return c.json(await endCustomerSessions(customerDeps(c), adminScope(c), id, reason), 200);
    },
  );
