import { z } from "@hono/zod-openapi";

const totpCode = z.string().regex(/^\d{6}$/, "must be the 6-digit code from the authenticator app");
const recoveryCode = z.string().trim().regex(/^[A-Za-z2-7]{5}-?[A-Za-z2-7]{5}$/, "must be a recovery code like abcde-fghij");

export const CodeRequest = z.object({ code: totpCode });

/** A current code or an unused recovery code, exactly one of them. */
export const ProofRequest = z
  .object({ code: totpCode.optional(), recovery_code: recoveryCode.optional() })
  .refine((b) => (b.code === undefined) !== (b.recovery_code === undefined), { message: "give either code or recovery_code", path: ["code"] });

export const MfaTicketRequest = z.object({ mfa_ticket: z.string().min(1).max(128) });
export const MfaLoginRequest = z
  .object({ mfa_ticket: z.string().min(1).max(128), code: totpCode.optional(), recovery_code: recoveryCode.optional() })
  .refine((b) => (b.code === undefined) !== (b.recovery_code === undefined), { message: "give either code or recovery_code", path: ["code"] });

export const TotpEnrollment = z
  .object({
    secret: z.string().openapi({ description: "Base32 secret, for typing into the app" }),
    uri: z.string().openapi({ description: "otpauth://totp/… (SHA-1, 6 digits, 30 s)" }),
    qr_svg: z.string().openapi({ description: "The URI as a QR code, an SVG document" }),
  })
  .openapi("TotpEnrollment");

export const RecoveryCodes = z
  .object({ recovery_codes: z.array(z.string()).openapi({ description: "Ten single-use codes, shown only now" }) })
  .openapi("RecoveryCodes");

export const MfaStatus = z
  .object({
    offered: z.boolean(),
    policy: z.enum(["off", "optional", "required"]),
    totp: z.object({ enabled: z.boolean(), pending: z.boolean(), confirmed_at: z.string().nullable() }),
    recovery_codes_left: z.number().int(),
  })
  .openapi("MfaStatus");

/** The `info` of a 403 SECOND_FACTOR_REQUIRED login answer. */
export const SecondFactorRequired = z
  .object({
    message: z.string(),
    code: z.literal("SECOND_FACTOR_REQUIRED"),
    status: z.literal(403),
    request_id: z.string(),
    info: z.object({
      mfa_ticket: z.string().openapi({ description: "Single use, 5 minutes, this user and application only: send it to loginWithSecondFactor" }),
      expires_in: z.number().int(),
      methods: z.array(z.enum(["totp", "recovery_code", "totp_enroll"])),
    }),
  })
  .openapi("SecondFactorRequired");
