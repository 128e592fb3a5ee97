import { z } from "@hono/zod-openapi";
import { MESSAGE_PURPOSES, MESSAGE_PURPOSE_NAMES } from "../notify/purposes";

/**
 * PlatformSchema (§3.4 of the API reference) plus our optional extensions
 * (password policy and lockout, shaped as Fynd's pre-release builds had them; CORS origins).
 * One definition serves validation, defaults, the stored shape and the OpenAPI document.
 */

const fieldRequirement = z.object({
  is_required: z.boolean(),
  level: z.enum(["hard", "soft"]),
});

const requiredFields = z.object({
  email: fieldRequirement,
  mobile: fieldRequirement,
  password: z.object({ is_required: z.boolean() }).optional(),
});

const appCredential = z.object({ app_id: z.string().max(512), app_secret: z.string().max(1024) });
const appleCredential = z.object({ app_id: z.string().max(512), redirect_uri: z.string().max(2048) });
/** Google issues one OAuth client id per platform; an ID token for any of them is accepted (extension fields). */
const googleCredential = appCredential.extend({
  android_app_id: z.string().max(512).openapi({ description: "Extension: OAuth client id of the Android app" }),
  ios_app_id: z.string().max(512).openapi({ description: "Extension: OAuth client id of the iOS app" }),
});

const origin = z
  .string()
  .max(255)
  // No regex flags: the OpenAPI generator would print them into the documented pattern ("…$/i").
  .regex(/^[Hh][Tt][Tt][Pp][Ss]?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be an origin like https://shop.example.com (scheme, host, optional port; no path)")
  .transform((o) => o.toLowerCase());

const sessionDurationUnit = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(["days", "hours", "minutes"]))
  .transform((v) => (v.charAt(0).toUpperCase() + v.slice(1)) as "Days" | "Hours" | "Minutes");

const messageTemplate = z
  .object({
    sms: z.string().min(1).max(480),
    email_subject: z.string().min(1).max(200),
    email_text: z.string().min(1).max(5000),
  })
  .partial();

/**
 * OTP and link settings (our extension). Templates may use {{code}}, {{link}}, {{app_name}} and
 * {{minutes}} (security notices: {{contact_type}} and the masked {{contact}}); a template must carry
 * what its purpose delivers, or users would never get it.
 */
const LOCAL_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/;

const otpSettings = z.object({
  length: z.number().int().min(4).max(8).openapi({ description: "Digits per OTP" }),
  ttl_seconds: z.number().int().min(60).max(600).openapi({ description: "OTP lifetime; never more than 10 minutes" }),
  max_attempts: z.number().int().min(1).max(10).openapi({ description: "Verify attempts per OTP before it is dead" }),
  resend_timer: z.number().int().min(0).max(3600).openapi({ description: "Seconds before another OTP or link can go to the same destination for the same purpose" }),
  per_destination_per_hour: z.number().int().min(1).max(100).openapi({ description: "Messages per email/phone per hour" }),
  per_ip_per_hour: z.number().int().min(1).max(10_000).openapi({ description: "Messages requested per client IP per hour" }),
  link_ttl_seconds: z.number().int().min(300).max(7 * 86_400).openapi({ description: "Lifetime of reset and verification links" }),
  link_base_url: z
    .union([z.literal(""), z.url({ protocol: /^https?$/ }).max(500)])
    // Reset and verification codes travel in these links: over plain http anyone on the path reads them.
    .refine((url) => url === "" || url.startsWith("https://") || LOCAL_HTTP.test(url), "must be https (http only for localhost)")
    .openapi({ description: "Storefront base for links (e.g. https://shop.example.com; http only for localhost); empty: the service default" }),
  templates: z
    .partialRecord(z.enum(MESSAGE_PURPOSE_NAMES), messageTemplate)
    .superRefine((templates, ctx) => {
      for (const [purpose, template] of Object.entries(templates)) {
        const carries = MESSAGE_PURPOSES[purpose as keyof typeof MESSAGE_PURPOSES];
        if (carries === "notice") continue;
        const placeholder = `{{${carries}}}`;
        for (const field of ["sms", "email_text"] as const) {
          const text = template?.[field];
          if (text !== undefined && !text.includes(placeholder)) {
            ctx.addIssue({ code: "custom", path: [purpose, field], message: `must contain ${placeholder}` });
          }
        }
      }
    })
    .openapi({ description: `Per-purpose message overrides (${MESSAGE_PURPOSE_NAMES.join(", ")})` }),
});

/** Signature algorithms a login token may use: asymmetric only, so the configured keys are never secrets. */
export const TOKEN_LOGIN_ALGORITHMS = ["RS256", "ES256", "EdDSA", "Ed25519"] as const;

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, "must be base64url").max(2048);

/**
 * A public JWK. Strict, so a private key (`d`, `p`, `q`, ...) or a symmetric one (`k`) is refused
 * rather than stored: the config is readable by every admin of the application.
 */
const publicJwk = z
  .strictObject({
    kty: z.enum(["RSA", "EC", "OKP"]),
    kid: z.string().min(1).max(256).optional(),
    alg: z.enum(TOKEN_LOGIN_ALGORITHMS).optional(),
    use: z.literal("sig").optional(),
    key_ops: z.array(z.literal("verify")).max(1).optional(),
    ext: z.boolean().optional(),
    n: base64url.optional(),
    e: base64url.optional(),
    crv: z.enum(["P-256", "Ed25519"]).optional(),
    x: base64url.optional(),
    y: base64url.optional(),
  })
  .superRefine((key, ctx) => {
    const needs = { RSA: ["n", "e"], EC: ["crv", "x", "y"], OKP: ["crv", "x"] } as const;
    for (const field of needs[key.kty]) {
      if (key[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `required for a ${key.kty} key` });
    }
    if (key.kty === "EC" && key.crv !== undefined && key.crv !== "P-256") ctx.addIssue({ code: "custom", path: ["crv"], message: "EC keys must be P-256 (ES256)" });
    if (key.kty === "OKP" && key.crv !== undefined && key.crv !== "Ed25519") ctx.addIssue({ code: "custom", path: ["crv"], message: "OKP keys must be Ed25519" });
  });

/**
 * Login with a token signed by the seller's own backend (extension; loginWithToken). Verified with
 * `public_keys` when given, else with the key set at `jwks_url`. Hidden from the storefront view.
 */
const tokenLogin = z
  .object({
    enabled: z.boolean(),
    jwks_url: z.union([z.literal(""), z.url({ protocol: /^https$/ }).max(2048)]).openapi({ description: "HTTPS URL of the seller's JWKS" }),
    public_keys: z.array(publicJwk).max(10).openapi({ description: "Public JWKs (RSA, P-256 or Ed25519); used instead of jwks_url when given" }),
    issuer: z.string().max(512).openapi({ description: "Required `iss` of every token; empty: not checked" }),
  })
  .superRefine((t, ctx) => {
    if (t.enabled && t.jwks_url === "" && t.public_keys.length === 0) {
      ctx.addIssue({ code: "custom", path: ["public_keys"], message: "token login needs public_keys or a jwks_url" });
    }
  });

/** Passkeys (extension). The origins they work from are the allowed_origins on the RP id. */
const passkeySettings = z
  .object({
    enabled: z.boolean(),
    rp_id: z
      .union([z.literal(""), z.string().max(253).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "must be a domain like shop.example.com")])
      .openapi({ description: "WebAuthn RP id: the storefront's domain or a parent of it; empty: the host of the first allowed origin" }),
    rp_name: z.string().max(100).openapi({ description: "Shown by browsers and authenticators; empty: the application name" }),
  })
  .openapi({ description: "Extension: passkeys (WebAuthn) for sign-in; they work only from allowed_origins on the RP id" });

/** Second factor at login (extension). */
const mfaSettings = z
  .object({
    enabled: z.boolean(),
    required: z.enum(["off", "optional", "required"]).openapi({
      description: "off: never asked; optional: users may turn on TOTP and are then asked at login; required: every login needs it (users without TOTP set it up at login)",
    }),
  })
  .openapi({ description: "Extension: TOTP second factor at login (a passkey sign-in counts as two factors)" });

export const PlatformConfig = z
  .object({
    name: z.string().min(1).max(100),
    display: z.string().max(200),
    subtext: z.string().max(500),
    active: z.boolean(),
    register: z.boolean(),
    forgot_password: z.boolean(),
    login: z.object({ password: z.boolean(), otp: z.boolean(), via: z.string().max(50).optional() }),
    skip_captcha: z.boolean(),
    skip_login: z.boolean(),
    required_fields: requiredFields,
    register_required_fields: requiredFields,
    look_and_feel: z.object({ card_position: z.string().max(50), background_color: z.string().max(50) }),
    flash_card: z.object({ text: z.string().max(500), text_color: z.string().max(50), background_color: z.string().max(50) }),
    social: z.object({ google: z.boolean(), facebook: z.boolean(), apple: z.boolean(), account_kit: z.boolean() }),
    social_tokens: z.object({
      google: googleCredential,
      facebook: appCredential,
      account_kit: appCredential,
      apple: appleCredential,
    }),
    mobile_image: z.string().max(2048),
    desktop_image: z.string().max(2048),
    meta: z.object({ fynd_default: z.boolean() }),
    delete_account_day: z.number().int().min(0).max(365),
    delete_account_reasons: z
      .array(z.object({ reason_id: z.string().min(1).max(100), reason_text: z.string().min(1).max(500), show_text_area: z.boolean() }))
      .max(50)
      .refine((reasons) => new Set(reasons.map((r) => r.reason_id)).size === reasons.length, "reason_id values must be unique"),
    delete_account_consent: z.object({ consent_text: z.string().max(2000) }),
    session_config: z.object({
      // The SDK example sends "30" (a string); accept both.
      duration: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1).max(3650)),
      type: sessionDurationUnit,
      is_rolling: z.boolean(),
    }),
    password_settings: z.object({
      configs: z.object({
        length: z.number().int().min(8).max(64).openapi({ description: "Minimum length (OWASP ASVS: at least 8)" }),
        require_special_character: z.boolean(),
        require_number: z.boolean(),
        require_capital_character: z.boolean(),
      }),
      history: z.object({
        required: z.boolean(),
        count: z.number().int().min(0).max(24).openapi({ description: "How many of the most recent passwords (the current one included) may not be reused" }),
      }),
      expiry: z.object({ required: z.boolean(), duration: z.number().int().min(1).max(3650).openapi({ description: "Days" }) }),
      breach_check: z.boolean().openapi({
        description: "Extension: refuse passwords found in known breaches (Have I Been Pwned range API, k-anonymity)",
      }),
    }),
    account_lockout: z.object({
      enable: z.boolean(),
      attempts: z.number().int().min(1).max(100),
      duration: z.number().int().min(1).max(86_400).openapi({ description: "Seconds an account stays locked" }),
    }),
    user_exists_lookup: z.boolean().openapi({
      description: "Extension: whether the storefront userExists endpoint answers (it tells anyone whether an email or phone has an account)",
    }),
    allowed_origins: z.array(origin).max(50).openapi({ description: "Browser origins allowed to call the storefront API with credentials" }),
    otp: otpSettings,
    token_login: tokenLogin,
    security_notifications: z
      .object({
        enable: z.boolean().openapi({
          description:
            "Tell the account owner (verified primary email, else verified primary mobile) when a contact is added, removed or made primary, and when the password is changed or reset",
        }),
      })
      .openapi({ description: "Extension: security notices to the account owner" }),
    profile: z
      .object({
        v1_contact_changes: z.boolean().openapi({
          description:
            "Whether the v1 contact calls (add/delete email or mobile, set as primary, a new email/mobile in updateProfile) are allowed with only a session; false: 403, only the profile v2.0 flow (which re-proves the current primary) changes contacts",
        }),
        reauth_window_minutes: z.number().int().min(1).max(1440).openapi({
          description:
            "A v1 call that changes a primary email/mobile (setEmailAsPrimary, setMobileNumberAsPrimary, a new email/mobile in updateProfile) needs a login at most this many minutes old (ASVS 7.5.1); otherwise 403 REAUTH_REQUIRED: log in again or use the v2.0 flow",
        }),
      })
      .openapi({ description: "Extension: profile and contact settings" }),
    passkeys: passkeySettings,
    mfa: mfaSettings,
  })
  .openapi("PlatformConfig");

export type PlatformConfig = z.output<typeof PlatformConfig>;

/** What an application starts with. Safe, OWASP-aligned defaults; every feature on that needs no setup. */
export const DEFAULT_PLATFORM_CONFIG: PlatformConfig = {
  name: "Fynd",
  display: "Fynd",
  subtext: "Login to Fynd",
  active: true,
  register: true,
  forgot_password: true,
  login: { password: true, otp: true },
  skip_captcha: false,
  skip_login: false,
  required_fields: {
    email: { is_required: false, level: "hard" },
    mobile: { is_required: true, level: "hard" },
  },
  register_required_fields: {
    email: { is_required: true, level: "hard" },
    mobile: { is_required: false, level: "hard" },
  },
  look_and_feel: { card_position: "center", background_color: "#F5F5F5" },
  flash_card: { text: "", text_color: "#FFFFFF", background_color: "#EF5350" },
  social: { google: false, facebook: false, apple: false, account_kit: false },
  social_tokens: {
    google: { app_id: "", app_secret: "", android_app_id: "", ios_app_id: "" },
    facebook: { app_id: "", app_secret: "" },
    account_kit: { app_id: "", app_secret: "" },
    apple: { app_id: "", redirect_uri: "" },
  },
  mobile_image: "",
  desktop_image: "",
  meta: { fynd_default: true },
  delete_account_day: 7,
  delete_account_reasons: [
    { reason_id: "1", reason_text: "I no longer use this account", show_text_area: false },
    { reason_id: "2", reason_text: "Other", show_text_area: true },
  ],
  delete_account_consent: { consent_text: "" },
  session_config: { duration: 30, type: "Days", is_rolling: false },
  password_settings: {
    configs: { length: 8, require_special_character: false, require_number: false, require_capital_character: false },
    history: { required: false, count: 0 },
    expiry: { required: false, duration: 90 },
    breach_check: false,
  },
  account_lockout: { enable: true, attempts: 10, duration: 900 },
  user_exists_lookup: true,
  allowed_origins: [],
  otp: {
    length: 6,
    ttl_seconds: 600,
    max_attempts: 5,
    resend_timer: 30,
    per_destination_per_hour: 10,
    per_ip_per_hour: 60,
    link_ttl_seconds: 3600,
    link_base_url: "",
    templates: {},
  },
  token_login: { enabled: false, jwks_url: "", public_keys: [], issuer: "" },
  security_notifications: { enable: true },
  // On for wire compatibility with Fynd's storefront, whose v1 contact calls need only a session.
  profile: { v1_contact_changes: true, reauth_window_minutes: 10 },
  passkeys: { enabled: false, rp_id: "", rp_name: "" },
  mfa: { enabled: false, required: "optional" },
};

/** A deep-partial update: the SDK posts the whole object, but a partial one must not wipe the rest. */
export const PlatformConfigUpdate = deepPartial(PlatformConfig).openapi("PlatformConfigUpdate");
export type PlatformConfigUpdate = z.input<typeof PlatformConfigUpdate>;

/** Server-owned fields around the config, as the SDK's PlatformSchema names them. */
const serverFields = {
  _id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  __v: z.number().int(),
};

export const PlatformConfigResponse = PlatformConfig.extend(serverFields).openapi("PlatformSchema");

/** The storefront view (§3.4, §5.5): no secrets, `accountkit` spelled without the underscore. */
export const StorefrontConfigResponse = PlatformConfig.omit({
  social_tokens: true,
  account_lockout: true,
  allowed_origins: true,
  otp: true,
  token_login: true,
})
  .extend({
    social_tokens: z.object({
      google: z.object({ app_id: z.string() }),
      facebook: z.object({ app_id: z.string() }),
      accountkit: z.object({ app_id: z.string() }),
      apple: appleCredential,
    }),
    ...serverFields,
  })
  .openapi("StorefrontPlatformSchema");

function deepPartial<T extends z.ZodType>(schema: T): z.ZodType {
  const unwrapped = schema as unknown as z.ZodType;
  if (unwrapped instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, value] of Object.entries(unwrapped.shape as Record<string, z.ZodType>)) {
      shape[key] = deepPartial(value).optional();
    }
    return z.object(shape);
  }
  if (unwrapped instanceof z.ZodOptional) return deepPartial(unwrapped.unwrap() as z.ZodType);
  return unwrapped;
}
