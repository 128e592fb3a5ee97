import { clientInfo, requireUser } from "../../http/auth";
import { accountDeps } from "../../wiring/accounts";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { HasPasswordSuccess, UpdatePasswordRequestSchema, VerifyEmailSuccess } from "../../schemas/auth";
import { changePassword } from "../../services/passwords/passwords";

const tags = ["Storefront: password"];

export const passwordRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/authentication/v1.0/has-password",
      operationId: "hasPassword",
      tags,
      summary: "Whether the logged-in user has a password (1) or not (0)",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(HasPasswordSuccess),
    }),
    (c) => c.json({ result: c.var.user.user.passwordHash ? 1 : 0 }, 200),
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/password",
      operationId: "updatePassword",
      tags,
      summary: "Change the password (old and new); every other session of the user ends",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(UpdatePasswordRequestSchema) },
      responses: ok(VerifyEmailSuccess),
    }),
    async (c) => {
      const { old_password, new_password } = c.req.valid("json");
      await changePassword(accountDeps(c), c.var.application, {
        user: c.var.user,
        oldPassword: old_password,
        newPassword: new_password,
        sessionId: c.var.session.sessionId,
        clientIp: clientInfo(c).ip,
      });
      return c.json({ message: "success" }, 200);
    },
  );
