import { clearSessionCookie, requireUser } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { profileDeps } from "../../wiring/profile";
import { DeleteApplicationUserRequest, DeleteUserSuccess } from "../../schemas/profile";
import { requestDeletion } from "../../services/profile/deletion";

export const accountRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/delete",
      operationId: "deleteUser",
      tags: ["Storefront: account deletion"],
      summary:
        "Delete the account: send the code with sendOTPOnMobile / sendOTPOnEmail (action send, while logged in, to one of the user's verified contacts) or sendOTPOnPrimary ({entity}, action delete_account), then call this with its request_id and otp (and a reason_id where the store lists reasons). Sessions end now; data is erased after delete_account_day days",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(DeleteApplicationUserRequest) },
      responses: ok(DeleteUserSuccess),
    }),
    async (c) => {
      await requestDeletion(profileDeps(c), c.var.application, { user: c.var.user, request: c.req.valid("json") });
      clearSessionCookie(c);
      return c.json({ success: true }, 200);
    },
  );
