import type { z } from "@hono/zod-openapi";
import type { AppContext } from "../../http/context";
import { jsonBody, createRouter, ok, storefrontRoute } from "../../http/openapi";
import { logIn } from "../../http/auth";
import { otpServices } from "../../http/otp-services";
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
import { emailDestination, mobileDestination } from "../../services/destinations";
import { completeLoginOtp, sendLoginOtp } from "../../services/otp-login";
import { toUserSchema } from "../../services/users";
import { emailSent, mobileSent, sendInput } from "./otp-sends";

const tags = ["Storefront: OTP login"];

/** loginWithOTP and sendOTPOnMobile are the same send; loginWithOTP only answers with a few more fields. */
async function sendLoginToMobile(c: AppContext, body: z.output<typeof SendMobileOtpRequest>) {
  const destination = mobileDestination(body.mobile, body.country_code);
  const issued = await sendLoginOtp(otpServices(c), c.var.application, sendInput(c, destination, body));
  return mobileSent(issued, destination.phone);
}

/** Login (and sign-up when allowed) by OTP: loginWithOTP, sendOTPOnMobile/verifyMobileOTP, sendOTPOnEmail/verifyEmailOTP. */
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
      const sent = await sendLoginToMobile(c, c.req.valid("json"));
      return c.json({ ...sent, verify_mobile_otp: true, verify_email_otp: false }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/mobile/send",
      operationId: "sendOTPOnMobile",
      tags,
      summary: "Send (or, with action resend, re-send) a login OTP to a mobile number",
      request: { query: PlatformQuery, body: jsonBody(SendMobileOtpRequest) },
      responses: ok(SendOtpSuccess),
    }),
    async (c) => c.json(await sendLoginToMobile(c, c.req.valid("json")), 200),
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/mobile/verify",
      operationId: "verifyMobileOTP",
      tags,
      summary: "Verify a mobile login OTP: logs in (sets f.session), creating the account when sign-up is allowed",
      request: { query: PlatformQuery, body: jsonBody(VerifyOtpRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { user, created } = await completeLoginOtp(otpServices(c), c.var.application, { requestId: body.request_id, code: body.otp });
      await logIn(c, user, "otp");
      return c.json({ user: toUserSchema(user), user_exists: !created }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/email/send",
      operationId: "sendOTPOnEmail",
      tags,
      summary: "Send (or, with action resend, re-send) a login OTP to an email address",
      request: { query: PlatformQuery, body: jsonBody(SendEmailOtpRequest) },
      responses: ok(EmailOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const issued = await sendLoginOtp(otpServices(c), c.var.application, sendInput(c, emailDestination(body.email), body));
      return c.json(emailSent(issued), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/email/verify",
      operationId: "verifyEmailOTP",
      tags,
      summary: "Verify an email login OTP: logs in (sets f.session), creating the account when sign-up is allowed",
      request: { query: PlatformQuery, body: jsonBody(VerifyEmailOtpRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { user, created } = await completeLoginOtp(otpServices(c), c.var.application, {
        destination: emailDestination(body.email),
        code: body.otp,
      });
      await logIn(c, user, "otp");
      return c.json({ user: toUserSchema(user), user_exists: !created }, 200);
    },
  );
