import { logIn } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute, upstreamErrors } from "../../http/openapi";
import { database } from "../../db/client";
import { EventsRepo } from "../../db/events-repo";
import { UsersRepo } from "../../db/users-repo";
import { LoginSuccess } from "../../schemas/auth";
import { TokenRequestBody } from "../../schemas/profile";
import { loginWithToken } from "../../services/login/token";
import { toUserSchema } from "../../services/accounts/users";

// 502: the store's JWKS (token_login.jwks_url) could not be fetched.
const responses = { ...ok(LoginSuccess), ...upstreamErrors };

export const tokenLoginRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/token",
      operationId: "loginWithToken",
      tags: ["Storefront: authentication"],
      summary: "Single sign-on: log in with a short-lived JWT signed by the store's backend (platform config token_login); sets f.session",
      request: { body: jsonBody(TokenRequestBody) },
      responses,
    }),
    async (c) => {
      const db = database(c.env.DB);
      const { record } = await loginWithToken(
        { users: new UsersRepo(db), events: new EventsRepo(db), guard: c.env.OTP_GUARD },
        c.var.application,
        c.req.valid("json").token,
      );
      await logIn(c, record, "token");
      return c.json({ user: toUserSchema(record) }, 200);
    },
  );
