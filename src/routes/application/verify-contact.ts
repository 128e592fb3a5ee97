import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { otpServices } from "../../http/otp-services";
import { CodeRequestBody, VerifyEmailSuccess } from "../../schemas/otp";
import { verifyContactLink } from "../../services/contact-verification";

/** verifyEmail / verifyMobile: the codes from verification links. No session needed: the code is the proof. */
export const verifyContactRoutes = createRouter();
const tags = ["Storefront: contact verification"];

for (const [kind, path, operationId] of [
  ["verify_email", "/authentication/v1.0/verify/email", "verifyEmail"],
  ["verify_mobile", "/authentication/v1.0/verify/mobile", "verifyMobile"],
] as const) {
  verifyContactRoutes.openapi(
    storefrontRoute({
      method: "post",
      path,
      operationId,
      tags,
      summary: `Verify ${kind === "verify_email" ? "an email" : "a mobile number"} with the code from its verification link`,
      request: { body: jsonBody(CodeRequestBody) },
      responses: ok(VerifyEmailSuccess),
    }),
    async (c) => {
      await verifyContactLink(otpServices(c), c.var.application, kind, c.req.valid("json").code);
      return c.json({ message: "verified" }, 200);
    },
  );
}
