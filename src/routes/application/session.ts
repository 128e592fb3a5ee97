import { logOut, requireSession, requireUser } from "../../http/auth";
import { sessionDeps } from "../../wiring/accounts";
import { createRouter, ok, storefrontRoute } from "../../http/openapi";
import { LogoutSuccess, SessionListSuccess, UserObjectSchema } from "../../schemas/auth";
import { listSessions } from "../../services/sessions/sessions";
import { toUserSchema } from "../../services/accounts/users";

const tags = ["Storefront: session"];

export const sessionRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/authentication/v1.0/session",
      operationId: "getLoggedInUser",
      tags,
      summary: "The logged-in user",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(UserObjectSchema),
    }),
    (c) => c.json({ user: toUserSchema(c.get("user")) }, 200),
  )
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/authentication/v1.0/sessions",
      operationId: "getListOfActiveSessions",
      tags,
      summary: "Ids of the logged-in user's active sessions",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(SessionListSuccess),
    }),
    async (c) => {
      const sessions = await listSessions(sessionDeps(c), c.var.application.id, c.var.user.user.id);
      return c.json({ sessions: sessions.map((s) => s.id) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/authentication/v1.0/logout",
      operationId: "logout",
      tags,
      summary: "End this session and clear the cookie (GET, as the SDK calls it)",
      withSession: true,
      middleware: [requireSession] as const,
      responses: ok(LogoutSuccess),
    }),
    async (c) => {
      await logOut(c);
      return c.json({ logout: true }, 200);
    },
  );
