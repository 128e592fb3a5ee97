import { clientInfo, logIn, requireUser } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { UserObjectSchema } from "../../schemas/auth";
import { CodeRequest, MfaLoginRequest, MfaStatus, MfaTicketRequest, ProofRequest, RecoveryCodes, SecondFactorRequired, TotpEnrollment } from "../../schemas/mfa";
import { Done } from "../../schemas/passkeys";
import { enrollWithTicket, finishSecondFactor } from "../../services/mfa/login-gate";
import {
  confirmTotpEnrollment,
  disableTotp,
  regenerateRecoveryCodes,
  secondFactorStatus,
  startTotpEnrollment,
} from "../../services/mfa/second-factor";
import { toUserSchema } from "../../services/accounts/users";
import { secondFactorDeps } from "../../wiring/factors";

const tags = ["Storefront: two-factor authentication (extension)"];

const MfaLoginSuccess = UserObjectSchema.extend({ recovery_codes: RecoveryCodes.shape.recovery_codes.optional() });

export const mfaRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/mfa",
      operationId: "loginWithSecondFactor",
      tags,
      summary:
        "Extension: finish a login that answered 403 SECOND_FACTOR_REQUIRED: its mfa_ticket and a TOTP code or a recovery code; sets the f.session cookie. " +
        "For a ticket with methods [\"totp_enroll\"], the first code of the secret from enrollSecondFactorAtLogin (the answer then carries the recovery codes)",
      request: { body: jsonBody(MfaLoginRequest) },
      responses: ok(MfaLoginSuccess),
    }),
    async (c) => {
      const { mfa_ticket, ...proof } = c.req.valid("json");
      const { user, method, recoveryCodes } = await finishSecondFactor(secondFactorDeps(c), c.var.application, { ticket: mfa_ticket, ...proof }, clientInfo(c).ip);
      await logIn(c, user, method);
      return c.json({ user: toUserSchema(user), ...(recoveryCodes ? { recovery_codes: recoveryCodes } : {}) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/mfa/enroll",
      operationId: "enrollSecondFactorAtLogin",
      tags,
      summary: "Extension: when the store requires two-factor authentication of an account without it: the TOTP secret, otpauth:// URI and QR code for the login's mfa_ticket",
      request: { body: jsonBody(MfaTicketRequest) },
      responses: ok(TotpEnrollment),
    }),
    async (c) => {
      const enrollment = await enrollWithTicket(secondFactorDeps(c), c.var.application, c.req.valid("json").mfa_ticket);
      c.header("Cache-Control", "no-store");
      return c.json(enrollment, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/profile/v1.0/mfa",
      operationId: "getSecondFactor",
      tags,
      summary: "Extension: the logged-in user's two-factor state and the application's policy",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(MfaStatus),
    }),
    async (c) => c.json(await secondFactorStatus(secondFactorDeps(c), c.var.application, c.var.user.user.id), 200),
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/mfa/totp",
      operationId: "enrollTotp",
      tags,
      summary: "Extension: start TOTP enrollment: a new secret with its otpauth:// URI and QR code (SVG); confirm it with confirmTotp",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(TotpEnrollment),
    }),
    async (c) => {
      const enrollment = await startTotpEnrollment(secondFactorDeps(c), c.var.application, c.var.user);
      c.header("Cache-Control", "no-store");
      return c.json(enrollment, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/mfa/totp/confirm",
      operationId: "confirmTotp",
      tags,
      summary: "Extension: confirm the enrollment with a first code; turns the second factor on and answers ten single-use recovery codes (shown once)",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(CodeRequest) },
      responses: ok(RecoveryCodes),
    }),
    async (c) => {
      const codes = await confirmTotpEnrollment(secondFactorDeps(c), c.var.application, c.var.user.user.id, c.req.valid("json").code, clientInfo(c).ip);
      c.header("Cache-Control", "no-store");
      return c.json(codes, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/mfa/totp/disable",
      operationId: "disableTotp",
      tags,
      summary: "Extension: turn the second factor off; needs a current code or a recovery code",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(ProofRequest) },
      responses: ok(Done),
    }),
    async (c) => {
      await disableTotp(secondFactorDeps(c), c.var.application, c.var.user.user.id, c.req.valid("json"), clientInfo(c).ip);
      return c.json({ success: true }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/mfa/recovery-codes",
      operationId: "regenerateRecoveryCodes",
      tags,
      summary: "Extension: ten new recovery codes in place of the old ones; needs a current code",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(CodeRequest) },
      responses: ok(RecoveryCodes),
    }),
    async (c) => {
      const codes = await regenerateRecoveryCodes(secondFactorDeps(c), c.var.application, c.var.user.user.id, c.req.valid("json").code, clientInfo(c).ip);
      c.header("Cache-Control", "no-store");
      return c.json(codes, 200);
    },
  );

// The typed answer of every login that needs a second factor (password, OTP, social, token, registration):
// documented once as a component, since those Fynd operations keep their own response schemas.
mfaRoutes.openAPIRegistry.register("SecondFactorRequired", SecondFactorRequired);
