import type { z } from "@hono/zod-openapi";
import type { AppContext } from "../../http/context";
import { jsonBody, createRouter, ok, storefrontRoute } from "../../http/openapi";
import { logIn } from "../../http/auth";
import { otpFlowDeps } from "../../wiring/otp";
import {
  EmailOtpSuccess,
  PlatformQuery,
  SendEmailOtpRequest,
  SendMobileOtpRequest,
  SendOtp,
  SendOtpRequest,
  SendOtpSuccess,
  VerifyEmailOtpRequest,
  VerifyOtpRequest,
  VerifyOtpSuccess,
} from "../../schemas/otp";
import type { Destination } from "../../services/codes/destinations";
import { emailDestination, mobileDestination } from "../../services/codes/destinations";
import type { OtpLookup } from "../../services/codes/otp";
import { completeLoginOtp, sendLoginOtp } from "../../services/login/otp";
import { completeVerification, sendVerificationOtp } from "../../services/registration/verification";
import { toUserSchema } from "../../services/accounts/users";
import { emailSent, mobileSent, sendInput } from "./otp-sends";

const tags = ["Storefront: OTP login"];

type SendBody = Parameters<typeof sendInput>[2] & { register_token?: string | undefined };

/** A send: the registration's OTP when the body carries a register_token, else a login OTP. */
function sendOtp(c: AppContext, destination: Destination, body: SendBody) {
  const input = sendInput(c, destination, body);
  return body.register_token
    ? sendVerificationOtp(otpFlowDeps(c), c.var.application, { ...input, registerToken: body.register_token })
    : sendLoginOtp(otpFlowDeps(c), c.var.application, input);
}

/** loginWithOTP and sendOTPOnMobile are the same send; loginWithOTP only answers with a few more fields. */
async function sendToMobile(c: AppContext, body: z.output<typeof SendMobileOtpRequest> | z.output<typeof SendOtpRequest>) {
  const destination = mobileDestination(body.mobile, body.country_code);
  return mobileSent(await sendOtp(c, destination, body), destination.phone);
}

/** A verify: completes the registration (register_token) or the OTP login, then logs in either way. */
async function verifyAndLogIn(c: AppContext, lookup: OtpLookup & { code: string }, registerToken: string | undefined) {
  const app = c.var.application;
  if (registerToken) {
    const { user, completed } = await completeVerification(otpFlowDeps(c), app, { ...lookup, registerToken });
    await logIn(c, user, "register");
    return { user: toUserSchema(user), user_exists: !completed };
  }
  const { user, created } = await completeLoginOtp(otpFlowDeps(c), app, lookup);
  await logIn(c, user, "otp");
  return { user: toUserSchema(user), user_exists: !created };
}

/**
 * Login (and sign-up when allowed) by OTP: loginWithOTP, sendOTPOnMobile/verifyMobileOTP,
 * sendOTPOnEmail/verifyEmailOTP. With a `register_token` the same sends and verifies serve a form
 * registration instead (its contacts' OTPs; verifying logs the new account in), whatever `login.otp` says.
 */
export const otpRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/otp",
      operationId: "loginWithOTP",
      tags,
      summary: "Send a login OTP to a mobile number; finish with verifyMobileOTP",
      request: { query: PlatformQuery, body: jsonBody(SendOtpRequest) },
      responses: ok(SendOtp),
    }),
    async (c) => {
      const sent = await sendToMobile(c, c.req.valid("json"));
      return c.json({ ...sent, verify_mobile_otp: true, verify_email_otp: false }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/mobile/send",
      operationId: "sendOTPOnMobile",
      tags,
      summary: "Send (or, with action resend, re-send) a login OTP to a mobile number; with register_token, the registration's OTP",
      request: { query: PlatformQuery, body: jsonBody(SendMobileOtpRequest) },
      responses: ok(SendOtpSuccess),
    }),
    async (c) => c.json(await sendToMobile(c, c.req.valid("json")), 200),
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/mobile/verify",
      operationId: "verifyMobileOTP",
      tags,
      summary: "Verify a mobile OTP and log in (sets f.session): login OTPs (creating the account when sign-up is allowed), or with register_token a registration's",
      request: { query: PlatformQuery, body: jsonBody(VerifyOtpRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await verifyAndLogIn(c, { requestId: body.request_id, code: body.otp }, body.register_token), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/email/send",
      operationId: "sendOTPOnEmail",
      tags,
      summary: "Send (or, with action resend, re-send) a login OTP to an email address; with register_token, the registration's OTP",
      request: { query: PlatformQuery, body: jsonBody(SendEmailOtpRequest) },
      responses: ok(EmailOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(emailSent(await sendOtp(c, emailDestination(body.email), body)), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/email/verify",
      operationId: "verifyEmailOTP",
      tags,
      summary: "Verify an email OTP and log in (sets f.session): login OTPs (creating the account when sign-up is allowed), or with register_token a registration's",
      request: { query: PlatformQuery, body: jsonBody(VerifyEmailOtpRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await verifyAndLogIn(c, { destination: emailDestination(body.email), code: body.otp }, body.register_token), 200);
    },
  );
