import type { z } from "@hono/zod-openapi";
import type { AppContext } from "../../http/context";
import { jsonBody, createRouter, ok, storefrontRoute } from "../../http/openapi";
import { logIn, optionalUser, sessionUser } from "../../http/auth";
import { profileDeps } from "../../wiring/profile";
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
import { sendLoginWithOtp, sendStorefrontOtp, verifyStorefrontOtp } from "../../services/login/storefront-otp";
import { toUserSchema } from "../../services/accounts/users";
import { emailSent, mobileSent, sendInput } from "./otp-sends";

const tags = ["Storefront: OTP login"];

type SendBody = Parameters<typeof sendInput>[2] & { register_token?: string | undefined };

/** A send, for whichever flow it serves (services/login/storefront-otp.ts). */
function sendOtp(c: AppContext, destination: Destination, body: SendBody) {
  return sendStorefrontOtp(profileDeps(c), c.var.application, {
    ...sendInput(c, destination, body),
    registerToken: body.register_token,
    sessionUser: sessionUser(c),
  });
}

async function sendToMobile(c: AppContext, body: z.output<typeof SendMobileOtpRequest>) {
  const destination = mobileDestination(body.mobile, body.country_code);
  return mobileSent(await sendOtp(c, destination, body), destination.phone);
}

/** A verify: logs in after a registration's code or an OTP login; a logged-in user's new contact needs no new session. */
async function verify(c: AppContext, lookup: OtpLookup & { code: string }, registerToken: string | undefined) {
  const done = await verifyStorefrontOtp(profileDeps(c), c.var.application, { ...lookup, registerToken, sessionUser: sessionUser(c) });
  if (done.flow === "register") await logIn(c, done.user, "register");
  if (done.flow === "login") await logIn(c, done.user, "otp");
  const userExists = done.flow === "register" ? !done.completed : done.flow === "login" ? !done.created : true;
  return { user: toUserSchema(done.user), user_exists: userExists };
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
      middleware: [optionalUser] as const,
      request: { query: PlatformQuery, body: jsonBody(SendOtpRequest) },
      responses: ok(SendOtp),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const destination = mobileDestination(body.mobile, body.country_code);
      const { issued, userExists } = await sendLoginWithOtp(profileDeps(c), c.var.application, {
        ...sendInput(c, destination, body),
        sessionUser: sessionUser(c),
      });
      return c.json({ ...mobileSent(issued, destination.phone), user_exists: userExists, verify_mobile_otp: true, verify_email_otp: false }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/mobile/send",
      operationId: "sendOTPOnMobile",
      tags,
      summary: "Send (or, with action resend, re-send) a login OTP to a mobile number; with register_token, the registration's OTP",
      middleware: [optionalUser] as const,
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
      middleware: [optionalUser] as const,
      request: { query: PlatformQuery, body: jsonBody(VerifyOtpRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await verify(c, { requestId: body.request_id, code: body.otp }, body.register_token), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/email/send",
      operationId: "sendOTPOnEmail",
      tags,
      summary: "Send (or, with action resend, re-send) a login OTP to an email address; with register_token, the registration's OTP",
      middleware: [optionalUser] as const,
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
      middleware: [optionalUser] as const,
      request: { query: PlatformQuery, body: jsonBody(VerifyEmailOtpRequest) },
      responses: ok(VerifyOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await verify(c, { destination: emailDestination(body.email), code: body.otp }, body.register_token), 200);
    },
  );
