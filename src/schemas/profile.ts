import { z } from "@hono/zod-openapi";
import { androidHash, emptyAsAbsent } from "./optional-fields";
import { queryBoolean } from "./pagination";
import { UserSchema } from "./user";

/*
 * Bodies of the profile and contact operations (§2.2 profile/v2.0, §2.5 deleteUser, §2.6, §2.1
 * loginWithToken), named as the Fynd SDK names them. The SDK marks no body field required; these
 * mark what the handlers need. Fields that change nothing here (encrypt_otp, sender,
 * register_token) are accepted and ignored.
 */

const ignored = (description: string) => ({ description: `Accepted for SDK compatibility; ${description}` });
const encryptOtp = z.boolean().optional().openapi(ignored("the OTP is never returned"));

/** Values Fynd's storefronts send; anything else is refused rather than stored as free text. */
export const GENDERS = ["male", "female", "unisex", "other"] as const;

const EARLIEST_DOB = Date.UTC(1900, 0, 1);

const dob = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: "must be an ISO date-time such as 1990-01-01T00:00:00.000Z" })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() >= EARLIEST_DOB, "must be on or after 1900-01-01")
  .refine((date) => date.getTime() <= Date.now(), "must not be in the future")
  .transform((date) => date.toISOString())
  .openapi({ description: "ISO date-time (or date); stored as an ISO date-time", example: "1990-01-01T00:00:00.000Z" });

const email = z.string().trim().min(3).max(254).openapi({ example: "jane@example.com" });
const phone = z.string().trim().min(1).max(32).openapi({ example: "9876543210" });
const countryCode = z
  .union([z.literal(""), z.string().regex(/^\+?\d{1,4}$/, "must be a calling code such as 91"), z.number().int().min(1).max(9999)])
  .transform((v) => (v === "" ? undefined : String(v)))
  .optional()
  .openapi({ description: "Calling code, e.g. 91; may be omitted when the number is +<country><number>", example: "91" });
const otp = z.string().regex(/^\d{4,8}$/, "must be 4 to 8 digits").openapi({ example: "123456" });
const otpRequestId = z.string().regex(/^[0-9a-f]{32}$/, "must be the request_id of the send").openapi({ example: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" });

export const EditProfileRequest = z
  .object({
    first_name: z.string().trim().max(100).optional(),
    last_name: z.string().trim().max(100).optional(),
    gender: z.string().trim().toLowerCase().pipe(z.enum(GENDERS)).nullable().optional().openapi({ description: `One of ${GENDERS.join(", ")}; null clears it` }),
    dob: dob.nullable().optional(),
    profile_pic_url: z
      .union([z.literal(""), z.url({ protocol: /^https$/, error: "must be an https URL" }).max(2048)])
      .optional()
      .openapi({ description: "https URL; empty string removes the picture" }),
    consent: z.boolean().optional().openapi({ description: "Privacy-policy consent" }),
    email: email.optional().openapi({ description: "A new email: an OTP is sent to it; finish with verifyEmailOTP on this session or verifyOTPForUpdate" }),
    mobile: z
      .object({ phone, country_code: countryCode })
      .optional()
      .openapi({ description: "A new mobile: an OTP is sent to it; finish with verifyMobileOTP (its request_id) on this session or verifyOTPForUpdate" }),
    country_code: countryCode.openapi({ description: "Calling code of `mobile` when mobile.country_code is absent" }),
    android_hash: androidHash,
    sender: z.string().max(100).optional().openapi(ignored("no effect")),
    register_token: z.string().max(200).optional().openapi(ignored("not needed")),
    encrypt_otp: encryptOtp,
  })
  .openapi("EditProfileRequestSchema");

export const ProfileEditSuccess = z
  .object({
    user: UserSchema,
    success: z.boolean(),
    message: z.string(),
    user_exists: z.boolean(),
    verify_email_otp: z.boolean().openapi({ description: "An OTP went to the new email; the email changes once verifyOTPForUpdate gets it" }),
    verify_mobile_otp: z.boolean().openapi({ description: "An OTP went to the new mobile; it changes once verifyOTPForUpdate gets it" }),
    verify_email_link: z.boolean(),
    email: z.string().optional(),
    mobile: z.string().optional(),
    country_code: z.string().optional(),
    request_id: z.string().optional().openapi({ description: "Of the mobile OTP when one was sent, else of the email OTP" }),
    resend_timer: z.number().int().optional(),
    resend_token: z.string().optional(),
    resend_email_token: z.string().optional(),
  })
  .openapi("ProfileEditSuccess");

export const EditEmailRequest = z.object({ email }).openapi("EditEmailRequestSchema");

export const EditMobileRequest = z.object({ phone, country_code: countryCode }).openapi("EditMobileRequestSchema");

export const SendVerificationLinkMobileRequest = z
  .object({
    phone,
    country_code: countryCode,
    active: z.boolean().optional().openapi(ignored("the stored entry is used")),
    primary: z.boolean().optional().openapi(ignored("the stored entry is used")),
    verified: z.boolean().optional().openapi(ignored("the stored entry is used")),
  })
  .openapi("SendVerificationLinkMobileRequestSchema");

const entryFlags = {
  active: queryBoolean.openapi({ param: { name: "active", in: "query" } }),
  primary: queryBoolean.openapi({ param: { name: "primary", in: "query" } }),
  verified: queryBoolean.openapi({ param: { name: "verified", in: "query" } }),
  platform: z.string().max(100).optional().openapi({ param: { name: "platform", in: "query" }, description: "Application name; informational" }),
};

/** deleteEmail: the entry exactly as stored (address and flags). */
export const DeleteEmailQuery = z.object({ ...entryFlags, email: email.openapi({ param: { name: "email", in: "query" } }) });

/** deleteMobileNumber: the entry exactly as stored (number and flags). */
export const DeleteMobileQuery = z.object({
  ...entryFlags,
  phone: phone.openapi({ param: { name: "phone", in: "query" } }),
  country_code: z.string().regex(/^\+?\d{1,4}$/, "must be a calling code such as 91").openapi({ param: { name: "country_code", in: "query" } }),
});

export const VerifyEmailOTPSuccess = z
  .object({ user: UserSchema, verify_email_link: z.boolean().openapi({ description: "Whether a verification link was sent now" }) })
  .openapi("VerifyEmailOTPSuccess");

export const VerifyMobileOTPSuccess = z
  .object({ user: UserSchema, verify_mobile_link: z.boolean().openapi({ description: "Whether a verification link was sent now" }) })
  .openapi("VerifyMobileOTPSuccess");

export const SendEmailVerifyLinkSuccess = z
  .object({ verify_email_link: z.boolean().openapi({ description: "False when the email is already verified (nothing sent)" }) })
  .openapi("SendEmailVerifyLinkSuccess");

export const SendMobileVerifyLinkSuccess = z
  .object({ verify_mobile_link: z.boolean().openapi({ description: "False when the number is already verified (nothing sent)" }) })
  .openapi("SendMobileVerifyLinkSuccess");

// --- profile v2.0: change of the primary contact, proven on the current one ---

export const EntityParams = z.object({
  entity: z.enum(["email", "mobile"]).openapi({ param: { name: "entity", in: "path" }, description: "The kind of contact to change" }),
});

export const SendPrimaryOTPRequest = z
  .object({
    encrypt_otp: encryptOtp,
    action: z
      .enum(["send", "resend", "delete_account"])
      .optional()
      .openapi({ description: "Extension: `delete_account` sends the code that confirms deleteUser; otherwise the code starts a contact change" }),
  })
  .openapi("SendPrimaryOTPRequestSchema");

export const ProfileSendOtpSuccess = z
  .object({
    success: z.boolean(),
    request_id: z.string(),
    message: z.string(),
    mobile: z.string().optional().openapi({ description: "National number, when the OTP went to a mobile" }),
    country_code: z.string().optional(),
    email: z.string().optional().openapi({ description: "Extension: the address, when the OTP went to an email" }),
    resend_timer: z.number().int().openapi({ description: "Seconds before another code can be sent" }),
    resend_token: z.string(),
  })
  .openapi("ProfileSendOtpSuccess");

export const VerifyPrimaryOTPRequest = z.object({ otp, request_id: otpRequestId }).openapi("VerifyPrimaryOTPRequestSchema");

export const VerifyPrimaryOTPSuccess = z
  .object({
    success: z.boolean(),
    request_id: z.string().openapi({ description: "Proof of control of the primary contact: pass it to sendOTPForUpdate; single use, valid 10 minutes" }),
    entity: z.string(),
  })
  .openapi("VerifyPrimaryOTPSuccess");

export const SendOTPForUpdateRequest = z
  .object({
    request_id: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be the request_id from verifyOTPonPrimary"),
    email: email.optional(),
    mobile: phone.optional(),
    country_code: countryCode,
    android_hash: androidHash,
    encrypt_otp: encryptOtp,
  })
  .openapi("SendOTPForUpdateRequestSchema");

export const VerifyOTPForUpdateRequest = z
  .object({
    otp,
    request_id: otpRequestId.optional().openapi({ description: "From sendOTPForUpdate or updateProfile; for an email, `email` alone also finds the code" }),
    email: email.optional(),
  })
  .openapi("VerifyOTPForUpdateRequestSchema");

// --- account deletion and token login ---

export const DeleteApplicationUserRequest = z
  .object({
    user_id: z.string().max(64).transform(emptyAsAbsent).optional().openapi({ description: "When sent, must be the logged-in user" }),
    reason_id: z
      .string()
      .max(100)
      .transform(emptyAsAbsent)
      .optional()
      .openapi({ description: "One of the platform config's delete_account_reasons; required when the store lists any" }),
    reason: z.string().max(1000).optional().openapi({ description: "Required when the reason has show_text_area" }),
    request_id: z
      .union([z.literal(""), otpRequestId])
      .transform(emptyAsAbsent)
      .optional()
      .openapi({
        description:
          "Required: from sendOTPOnMobile / sendOTPOnEmail (action send, while logged in, to one of the user's verified contacts) or sendOTPOnPrimary with action delete_account",
      }),
    otp: z.union([z.literal(""), otp]).transform(emptyAsAbsent).optional().openapi({ description: "Required: the code that send delivered" }),
  })
  .openapi("DeleteApplicationUserRequestSchema");

export const DeleteUserSuccess = z.object({ success: z.boolean() }).openapi("DeleteUserSuccess");

export const TokenRequestBody = z
  .object({
    token: z
      .string()
      .min(1)
      .max(8192)
      .openapi({ description: "A JWT signed by the store's backend: aud = application id, exp - iat ≤ 300 s, jti, and sub (our user id) or verified email/phone claims" }),
  })
  .openapi("TokenRequestBodySchema");
