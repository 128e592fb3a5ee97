import type { AppContext } from "../../http/context";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { otpFlowDeps } from "../../wiring/otp";
import { CodeRequestBody, VerifyEmailSuccess } from "../../schemas/otp";
import { verifyContactLink } from "../../services/profile/verify-contact";

type LinkKind = "verify_email" | "verify_mobile";
const tags = ["Storefront: contact verification"];

function verifyRoute<Path extends string>(kind: LinkKind, path: Path, operationId: string) {
  return storefrontRoute({
    method: "post",
    path,
    operationId,
    tags,
    summary: `Verify ${kind === "verify_email" ? "an email" : "a mobile number"} with the code from its verification link`,
    request: { body: jsonBody(CodeRequestBody) },
    responses: ok(VerifyEmailSuccess),
  });
}

async function verify(c: AppContext, kind: LinkKind, code: string) {
  await verifyContactLink(otpFlowDeps(c), c.var.application, kind, code);
  return c.json({ message: "verified" }, 200);
}

/** verifyEmail / verifyMobile: the codes from verification links. No session needed: the code is the proof. */
export const verifyContactRoutes = createRouter()
  .openapi(verifyRoute("verify_email", "/authentication/v1.0/verify/email", "verifyEmail"), (c) => verify(c, "verify_email", c.req.valid("json").code))
  .openapi(verifyRoute("verify_mobile", "/authentication/v1.0/verify/mobile", "verifyMobile"), (c) => verify(c, "verify_mobile", c.req.valid("json").code));
