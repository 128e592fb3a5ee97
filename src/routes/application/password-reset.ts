import { z } from "@hono/zod-openapi";
import { clientInfo, logIn } from "../../http/auth";
import { accountDeps } from "../../wiring/accounts";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { otpFlowDeps } from "../../wiring/otp";
import { LoginSuccess } from "../../schemas/auth";
import {
  CodeRequestBody,
  EmailOtpSuccess,
  ForgotPasswordRequest,
  PlatformQuery,
  ResetForgotPasswordSuccess,
  ResetPasswordSuccess,
  SendEmailForgotOtpRequest,
  SendMobileForgotOtpRequest,
  SendOtpSuccess,
  SendResetPasswordEmailRequest,
  SendResetPasswordMobileRequest,
  VerifyEmailForgotOtpRequest,
  VerifyForgotOtpSuccess,
  VerifyMobileForgotOtpRequest,
} from "../../schemas/otp";
import { emailDestination, mobileDestination } from "../../services/codes/destinations";
import { checkResetCode, resetPasswordWithCode, sendForgotOtp, sendResetLink, verifyForgotOtp } from "../../services/passwords/reset";
import { toUserSchema } from "../../services/accounts/users";
import { emailSent, mobileSent, sendInput } from "./otp-sends";

const tags = ["Storefront: forgot password"];

/**
 * Forgotten password: forgot OTPs (→ forgot_token → resetForgotPassword) and reset links (→ a code
 * the reset page checks with sendResetToken and spends with forgotPassword, which also logs in).
 * The sends answer the same whether or not an account uses the contact; only real accounts get a
 * message. Every route is refused when `forgot_password` is off.
 */
export const passwordResetRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/forgot/mobile/send",
      operationId: "sendForgotOTPOnMobile",
      tags,
      summary: "Send a forgot-password OTP to a mobile number",
      request: { query: PlatformQuery, body: jsonBody(SendMobileForgotOtpRequest) },
      responses: ok(SendOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const destination = mobileDestination(body.mobile, body.country_code);
      const issued = await sendForgotOtp(otpFlowDeps(c), c.var.application, sendInput(c, destination, body));
      return c.json(mobileSent(issued, destination.phone), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/forgot/mobile/verify",
      operationId: "verifyMobileForgotOTP",
      tags,
      summary: "Verify a forgot-password mobile OTP; returns a single-use forgot_token",
      request: { query: PlatformQuery, body: jsonBody(VerifyMobileForgotOtpRequest) },
      responses: ok(VerifyForgotOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const token = await verifyForgotOtp(otpFlowDeps(c), c.var.application, { requestId: body.request_id, code: body.otp });
      return c.json({ success: true, forgot_token: token }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/forgot/email/send",
      operationId: "sendForgotOTPOnEmail",
      tags,
      summary: "Send a forgot-password OTP to an email address",
      request: { query: PlatformQuery, body: jsonBody(SendEmailForgotOtpRequest) },
      responses: ok(EmailOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const issued = await sendForgotOtp(otpFlowDeps(c), c.var.application, sendInput(c, emailDestination(body.email), body));
      return c.json(emailSent(issued), 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/otp/forgot/email/verify",
      operationId: "verifyEmailForgotOTP",
      tags,
      summary: "Verify a forgot-password email OTP; returns a single-use forgot_token",
      request: { query: PlatformQuery, body: jsonBody(VerifyEmailForgotOtpRequest) },
      responses: ok(VerifyForgotOtpSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const token = await verifyForgotOtp(otpFlowDeps(c), c.var.application, { destination: emailDestination(body.email), code: body.otp });
      return c.json({ success: true, forgot_token: token }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/password/reset",
      operationId: "sendResetPasswordEmail",
      tags,
      summary: "Email a reset-password link (single-use code); answers status success, whether or not an account uses the address",
      request: { query: PlatformQuery, body: jsonBody(SendResetPasswordEmailRequest) },
      responses: ok(ResetPasswordSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      await sendResetLink(otpFlowDeps(c), c.var.application, { destination: emailDestination(body.email), ip: clientInfo(c).ip });
      return c.json({ status: "success" }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/password/mobile/reset",
      operationId: "sendResetPasswordMobile",
      tags,
      summary: "Text a reset-password link (single-use code); answers status success, whether or not an account uses the number",
      request: { query: PlatformQuery, body: jsonBody(SendResetPasswordMobileRequest) },
      responses: ok(ResetPasswordSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const destination = mobileDestination(body.mobile, body.country_code);
      await sendResetLink(otpFlowDeps(c), c.var.application, { destination, ip: clientInfo(c).ip });
      return c.json({ status: "success" }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/password/reset/token",
      operationId: "sendResetToken",
      tags,
      summary: "Check a reset-link code without using it up (forgotPassword uses it)",
      request: { body: jsonBody(CodeRequestBody) },
      responses: ok(ResetPasswordSuccess.extend({ status: z.literal("success") })),
    }),
    async (c) => {
      await checkResetCode(otpFlowDeps(c), c.var.application, c.req.valid("json").code);
      return c.json({ status: "success" as const }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/password/forgot",
      operationId: "resetForgotPassword",
      tags,
      summary: "Set a new password with a forgot_token (single use); every session of the user ends",
      request: { body: jsonBody(ForgotPasswordRequest) },
      responses: ok(ResetForgotPasswordSuccess),
    }),
    async (c) => {
      const { code, password } = c.req.valid("json");
      await resetPasswordWithCode(otpFlowDeps(c), accountDeps(c), c.var.application, { kind: "forgot_token", code, password });
      return c.json({ success: true }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/password/reset/forgot",
      operationId: "forgotPassword",
      tags,
      summary: "Set a new password with a reset link's code (single use) and log in; every other session ends",
      request: { body: jsonBody(ForgotPasswordRequest) },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const { code, password } = c.req.valid("json");
      const user = await resetPasswordWithCode(otpFlowDeps(c), accountDeps(c), c.var.application, { kind: "reset_password", code, password });
      await logIn(c, user, "password_reset");
      return c.json({ user: toUserSchema(user) }, 200);
    },
  );
