import { z } from "@hono/zod-openapi";
import { normalizePhone } from "./contacts";
import { UserSchema } from "./user";

/*
 * Request and response bodies of registration, password login, passwords and sessions, named as
 * the Fynd SDK names them (§2.1, §2.3, §2.4, §2.8, §2.9). The SDK marks no body field required;
 * which ones a handler needs is ours to decide, and every one is bounded.
 */

// Long enough for any passphrase the policy accepts and then some: the policy names the limit itself.
export const passwordInput = z.string().max(4096);

const email = z.string().trim().toLowerCase().max(254).pipe(z.email({ error: "not a valid email address" }));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

export const FormRegisterPhone = z
  .object({
    country_code: z
      .union([z.string().max(5), z.number().int().min(1).max(9999)])
      .transform((v) => (v === "" ? undefined : v))
      .optional()
      .openapi({ example: "91" }),
    mobile: z.string().trim().min(1).max(32).openapi({ example: "9876543210" }),
  })
  .superRefine((phone, ctx) => {
    if (!normalizePhone(phone.mobile, phone.country_code)) {
      ctx.addIssue({ code: "custom", path: ["mobile"], message: "not a valid mobile number for this country code" });
    }
  });

export const FormRegisterRequestSchema = z
  .object({
    first_name: z.string().trim().max(100).optional(),
    last_name: z.string().trim().max(100).optional(),
    gender: z.string().trim().max(50).optional(),
    email: z.union([z.literal("").transform(() => undefined), email]).optional().openapi({ description: "Empty counts as absent" }),
    // The SDK allows "" on phone.mobile: a phone without a number is no phone.
    phone: z
      .preprocess((v) => (isRecord(v) && (v.mobile === "" || v.mobile === undefined) ? undefined : v), FormRegisterPhone.optional())
      .openapi({ description: "An empty mobile counts as no phone" }),
    password: passwordInput.optional(),
    consent: z.boolean().optional(),
    register_token: z.string().max(200).optional(),
  })
  .openapi("FormRegisterRequestSchema");

export const RegisterFormSuccess = z
  .object({
    success: z.boolean(),
    message: z.string(),
    email: z.string().optional(),
    mobile: z.string().optional(),
    country_code: z.string().optional(),
    verify_email_otp: z.boolean(),
    verify_mobile_otp: z.boolean(),
    user_exists: z.boolean(),
    request_id: z.string().optional(),
    resend_timer: z.number().int().optional(),
    resend_token: z.string().optional(),
    resend_email_token: z.string().optional(),
    register_token: z.string().optional(),
  })
  .openapi("RegisterFormSuccess");

export const PasswordLoginRequestSchema = z
  .object({
    username: z.string().trim().min(1).max(320).openapi({ description: "Email or phone (with or without +country code)" }),
    password: passwordInput.min(1),
  })
  .openapi("PasswordLoginRequestSchema");

export const LoginSuccess = z
  .object({ user: UserSchema, request_id: z.string().optional(), register_token: z.string().optional() })
  .openapi("LoginSuccess");

export const UserObjectSchema = z.object({ user: UserSchema }).openapi("UserObjectSchema");

export const UpdatePasswordRequestSchema = z
  .object({ old_password: passwordInput.min(1), new_password: passwordInput.min(1) })
  .openapi("UpdatePasswordRequestSchema");

export const VerifyEmailSuccess = z.object({ message: z.string() }).openapi("VerifyEmailSuccess");

export const HasPasswordSuccess = z
  .object({ result: z.number().int().openapi({ description: "1 when the user has a password, else 0" }) })
  .openapi("HasPasswordSuccess");

export const UserExistsQuery = z.object({
  q: z.string().trim().min(1).max(320).openapi({ param: { name: "q", in: "query" }, description: "Email or phone" }),
});

export const UserExistsDetails = z.object({ user_exists: z.boolean() }).openapi("UserExistsDetails");

export const SessionListSuccess = z
  .object({ sessions: z.array(z.string()).openapi({ description: "Ids of the user's active sessions" }) })
  .openapi("SessionListSuccess");

export const LogoutSuccess = z.object({ logout: z.boolean() }).openapi("LogoutSuccess");

/** `?platform` on several storefront routes: the SDK sends the application id (default "Fynd"); informational. */
export const PlatformQuery = z.object({
  platform: z.string().max(100).optional().openapi({ param: { name: "platform", in: "query" } }),
});
