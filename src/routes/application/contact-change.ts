import { clientInfo, requireUser } from "../../http/auth";
import { invalidField } from "../../errors";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { profileDeps } from "../../wiring/profile";
import { VerifyOtpSuccess } from "../../schemas/otp";
import {
  EntityParams,
  ProfileSendOtpSuccess,
  SendOTPForUpdateRequest,
  SendPrimaryOTPRequest,
  VerifyOTPForUpdateRequest,
  VerifyPrimaryOTPRequest,
  VerifyPrimaryOTPSuccess,
} from "../../schemas/profile";
import { completeContactChange, sendPrimaryOtp, sendUpdateOtp, verifyPrimaryOtp } from "../../services/profile/contact-change";
import { normalizePhone } from "../../schemas/contacts";
import { emailDestination, mobileDestination, type Destination } from "../../services/codes/destinations";
import type { IssuedOtp } from "../../services/codes/otp";
import { toUserSchema } from "../../services/accounts/users";

/**
 * Profile v2.0 (§2.2): change a primary email/mobile after proving control of the current primary
 * (re-authentication, ASVS V7.5.1): sendOTPOnPrimary → verifyOTPonPrimary → sendOTPForUpdate →
 * verifyOTPForUpdate. sendOTPOnPrimary with `action: "delete_account"` sends deleteUser's code instead.
 */
const tags = ["Storefront: profile v2 (contact change)"];

/** SendOtpSuccess for a code sent to `destination`. */
function sent(issued: IssuedOtp, destination: Destination) {
  const phone = destination.channel === "sms" ? normalizePhone(destination.address) : undefined;
  return {
    success: true,
    request_id: issued.requestId,
    message: "OTP sent",
    ...(phone ? { mobile: phone.phone, country_code: String(phone.countryCode) } : { email: destination.address }),
    resend_timer: issued.resendTimer,
    resend_token: issued.resendToken,
  };
}

export const contactChangeRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v2.0/{entity}/primary/otp/send",
      operationId: "sendOTPOnPrimary",
      tags,
      summary: "Send an OTP to the primary contact (of {entity}, else the other kind) to prove control of it",
      withSession: true,
      middleware: [requireUser] as const,
      request: { params: EntityParams, body: jsonBody(SendPrimaryOTPRequest) },
      responses: ok(ProfileSendOtpSuccess),
    }),
    async (c) => {
      const { entity } = c.req.valid("param");
      const purpose = c.req.valid("json").action === "delete_account" ? "delete_account" : "reauth";
      const { issued, destination } = await sendPrimaryOtp(profileDeps(c), c.var.application, { user: c.var.user, entity, purpose, ip: clientInfo(c).ip });
      return c.json(sent(issued, destination), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v2.0/{entity}/primary/otp/verify",
      operationId: "verifyOTPonPrimary",
      tags,
      summary: "Verify the primary contact's OTP; answers the proof (request_id) that sendOTPForUpdate needs",
      withSession: true,
      middleware: [requireUser] as const,
      request: { params: EntityParams, body: jsonBody(VerifyPrimaryOTPRequest) },
      responses: ok(VerifyPrimaryOTPSuccess),
    }),
    async (c) => {
      const { entity } = c.req.valid("param");
      const { otp, request_id } = c.req.valid("json");
      const proof = await verifyPrimaryOtp(profileDeps(c), c.var.application, { user: c.var.user, entity, requestId: request_id, code: otp });
      return c.json({ success: true, request_id: proof, entity }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v2.0/{entity}/otp/send",
      operationId: "sendOTPForUpdate",
      tags,
      summary: "With the proof from verifyOTPonPrimary (used up), send an OTP to the new email/mobile",
      withSession: true,
      middleware: [requireUser] as const,
      request: { params: EntityParams, body: jsonBody(SendOTPForUpdateRequest) },
      responses: ok(ProfileSendOtpSuccess),
    }),
    async (c) => {
      const { entity } = c.req.valid("param");
      const body = c.req.valid("json");
      let destination: Destination;
      if (entity === "email") {
        if (!body.email) throw invalidField("body", "email", "required to change the email");
        destination = emailDestination(body.email);
      } else {
        if (!body.mobile) throw invalidField("body", "mobile", "required to change the mobile number");
        destination = mobileDestination(body.mobile, body.country_code);
      }
      const issued = await sendUpdateOtp(profileDeps(c), c.var.application, {
        user: c.var.user,
        entity,
        proof: body.request_id,
        destination,
        ip: clientInfo(c).ip,
        smsAppHash: body.android_hash,
      });
      return c.json(sent(issued, destination), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v2.0/{entity}/otp/verify",
      operationId: "verifyOTPForUpdate",
      tags,
      summary: "Verify the new contact's OTP (from sendOTPForUpdate or updateProfile): it becomes the verified primary",
      withSession: true,
      middleware: [requireUser] as const,
      request: { params: EntityParams, body: jsonBody(VerifyOTPForUpdateRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const { entity } = c.req.valid("param");
      const body = c.req.valid("json");
      const user = await completeContactChange(profileDeps(c), c.var.application, {
        user: c.var.user,
        entity,
        requestId: body.request_id,
        destination: body.email && entity === "email" ? emailDestination(body.email) : undefined,
        code: body.otp,
      });
      return c.json({ user: toUserSchema(user), user_exists: true }, 200);
    },
  );
