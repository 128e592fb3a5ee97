import { z } from "@hono/zod-openapi";
import { androidHash, emptyAsAbsent } from "./optional-fields";
import { passwordInput } from "./auth";
import { UserSchema } from "./user";

/**
 * Request and response bodies of the OTP, forgot-password and link flows (§2.1 loginWithOTP, §2.2,
 * §2.3, §2.6 verifyEmail/verifyMobile). The SDK marks no body field required; these mark what the
 * handlers need. Fields the SDK sends that change nothing here (encrypt_otp, force) are accepted
 * and ignored. `register_token` switches a send or verify from OTP login to registration.
 */

const mobile = z.string().min(1).max(32).openapi({ example: "9876543210" });
const countryCode = z
  .union([z.literal(""), z.string().regex(/^\+?\d{1,4}$/, "must be a calling code such as 91"), z.number().int().min(1).max(9999)])
  .transform((v) => (v === "" ? undefined : String(v)))
  .optional()
  .openapi({ description: "Calling code, e.g. 91; may be omitted when mobile is +<country><number>", example: "91" });
const email = z.string().min(3).max(254).openapi({ example: "jane@example.com" });
const action = z
  .enum(["send", "resend"])
  .optional()
  .openapi({ description: "`resend` needs `token` (the previous send's resend token) and waits for resend_timer" });
const resendToken = z
  .string()
  .max(200)
  .transform(emptyAsAbsent)
  .optional()
  .openapi({ description: "resend_token / resend_email_token of the previous send; empty counts as absent" });
const otp = z.string().regex(/^\d{4,8}$/, "must be 4 to 8 digits").openapi({ example: "123456" });
const requestId = z.string().regex(/^[0-9a-f]{32}$/, "must be the request_id of the send").openapi({ example: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" });
/** `action: "resend"` must name the send it repeats. */
function resendNeedsToken(body: { action?: string | undefined; token?: string | undefined }, ctx: z.RefinementCtx) {
  if (body.action === "resend" && !body.token) ctx.addIssue({ code: "custom", path: ["token"], message: "is required when action is resend" });
}
const ignored = (description: string) => ({ description: `Accepted for SDK compatibility; ${description}` });
// An empty string counts as absent: clients fill every field of the SDK body.
const registerToken = z
  .string()
  .max(200)
  .optional()
  .openapi({ description: "From registerWithForm (or a VERIFICATION_REQUIRED login): the OTP is the registration's, verifying it logs the new account in" });

export const PlatformQuery = z.object({
  platform: z.string().max(100).optional().openapi({ param: { name: "platform", in: "query" }, description: "Application name; informational" }),
});

export const SendOtpRequest = z
  .object({
    mobile,
    country_code: countryCode,
    android_hash: androidHash,
    encrypt_otp: z.boolean().optional().openapi(ignored("the OTP is never returned")),
  })
  .openapi("SendOtpRequestSchema");

export const SendMobileOtpRequest = z
  .object({
    mobile,
    country_code: countryCode,
    action,
    token: resendToken,
    android_hash: androidHash,
    force: z.string().max(20).optional().openapi(ignored("no effect")),
    encrypt_otp: z.boolean().optional().openapi(ignored("the OTP is never returned")),
    register_token: registerToken.openapi({ description: "Extension: (re)send the registration OTP of this number" }),
  })
  .superRefine(resendNeedsToken)
  .openapi("SendMobileOtpRequestSchema");

export const VerifyOtpRequest = z
  .object({ request_id: requestId, otp, register_token: registerToken })
  .openapi("VerifyOtpRequestSchema");

export const SendEmailOtpRequest = z
  .object({ email, action, token: resendToken, register_token: registerToken })
  .superRefine(resendNeedsToken)
  .openapi("SendEmailOtpRequestSchema");

export const VerifyEmailOtpRequest = z
  .object({
    email,
    otp,
    action: z.string().max(20).optional().openapi(ignored("no effect")),
    register_token: registerToken,
  })
  .openapi("VerifyEmailOtpRequestSchema");

export const SendMobileForgotOtpRequest = z
  .object({ mobile, country_code: countryCode, action, token: resendToken, android_hash: androidHash })
  .superRefine(resendNeedsToken)
  .openapi("SendMobileForgotOtpRequestSchema");

export const VerifyMobileForgotOtpRequest = z.object({ request_id: requestId, otp }).openapi("VerifyMobileForgotOtpRequestSchema");

export const SendEmailForgotOtpRequest = z
  .object({ email, action, token: resendToken })
  .superRefine(resendNeedsToken)
  .openapi("SendEmailForgotOtpRequestSchema");

export const VerifyEmailForgotOtpRequest = z.object({ email, otp }).openapi("VerifyEmailForgotOtpRequestSchema");

export const SendResetPasswordEmailRequest = z.object({ email }).openapi("SendResetPasswordEmailRequestSchema");

export const SendResetPasswordMobileRequest = z
  .object({ mobile, country_code: countryCode })
  .openapi("SendResetPasswordMobileRequestSchema");

export const CodeRequestBody = z
  .object({ code: z.string().min(1).max(200).openapi({ description: "The code from the link" }) })
  .openapi("CodeRequestBodySchema");

/** resetForgotPassword (`code` = forgot_token) and forgotPassword (`code` = the reset link's code). */
export const ForgotPasswordRequest = z
  .object({
    code: z.string().min(1).max(200).openapi({ description: "forgot_token (resetForgotPassword) or the reset link's code (forgotPassword)" }),
    password: passwordInput.min(1).openapi({ description: "The new password; the application's policy and history apply" }),
  })
  .openapi("ForgotPasswordRequestSchema");

export const SendOtpSuccess = z
  .object({
    success: z.boolean(),
    request_id: z.string(),
    message: z.string(),
    mobile: z.string().openapi({ description: "National number" }),
    country_code: z.string(),
    resend_timer: z.number().int().openapi({ description: "Seconds before a resend is allowed" }),
    resend_token: z.string(),
  })
  .openapi("SendOtpSuccess");

/** loginWithOTP. */
export const SendOtp = SendOtpSuccess.extend({
  user_exists: z.boolean().openapi({
    description: "Whether the number has an account, only where the application answers userExists (user_exists_lookup); otherwise always false",
  }),
  verify_mobile_otp: z.boolean(),
  verify_email_otp: z.boolean(),
}).openapi("SendOtp");

export const EmailOtpSuccess = z
  .object({
    success: z.boolean(),
    resend_email_token: z.string(),
    resend_timer: z.number().int().openapi({ description: "Extension: seconds before a resend is allowed" }),
    request_id: z.string().openapi({ description: "Extension: the send's request id, e.g. for deleteUser when the code went to the logged-in user's verified email" }),
  })
  .openapi("EmailOtpSuccess");

export const VerifyOtpSuccess = z
  .object({
    user: UserSchema,
    user_exists: z.boolean().openapi({ description: "False when this verification created the account or completed its registration" }),
  })
  .openapi("VerifyOtpSuccess");

export const VerifyForgotOtpSuccess = z
  .object({
    success: z.boolean(),
    forgot_token: z.string().openapi({ description: "Single use, valid 10 minutes; send it as `code` to resetForgotPassword" }),
  })
  .openapi("VerifyForgotOtpSuccess");

export const ResetPasswordSuccess = z.object({ status: z.string() }).openapi("ResetPasswordSuccess");

export const ResetForgotPasswordSuccess = z.object({ success: z.boolean() }).openapi("ResetForgotPasswordSuccess");

export const VerifyEmailSuccess = z.object({ message: z.string() }).openapi("VerifyEmailSuccess");
