import { z } from "zod";
import type { FactorGuard } from "./durable/factor-guard";
import type { LoginGuard } from "./durable/login-guard";
import type { OtpGuard } from "./durable/otp-guard";
import type { UserSessions } from "./durable/user-sessions";

/** Everything wrangler binds to the Worker: storage, vars and secrets. */
export interface Bindings {
  DB: D1Database;
  OTP_KV: KVNamespace;
  SESSIONS_KV: KVNamespace;
  USER_SESSIONS: DurableObjectNamespace<UserSessions>;
  LOGIN_GUARD: DurableObjectNamespace<LoginGuard>;
  OTP_GUARD: DurableObjectNamespace<OtpGuard>;
  /** WebAuthn challenges, MFA tickets and spent TOTP steps (single use under concurrency). */
  FACTOR_GUARD: DurableObjectNamespace<FactorGuard>;
  DEV_OUTBOX?: string;
  PLATFORM_TOKEN_TTL?: string;
  PASSWORD_PEPPER?: string;
  /** The pepper before a rotation: its hashes still verify and are re-hashed at the next login. */
  PASSWORD_PEPPER_PREVIOUS?: string;
  /** "true" mounts /_bench/* (benchmark-only routes); never in production. */
  BENCH_ROUTES?: string;
  TOKEN_SIGNING_KEY?: string;
  /** "outbox" (dev/tests: messages kept in KV, read at /_dev/outbox) or "providers" (real email/SMS APIs). */
  NOTIFY_TRANSPORT?: string;
  /** Where emailed/texted links point when the application config sets no `otp.link_base_url`. */
  PUBLIC_LINK_BASE?: string;
  /** Sender of every email, e.g. `Store <no-reply@example.com>` (a domain verified with the provider). */
  EMAIL_FROM?: string;
  RESEND_API_KEY?: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  /** A Twilio number in E.164, or a Messaging Service SID (MG...). */
  TWILIO_FROM?: string;
  /** Customer files: import sources, export results, error reports. */
  USER_FILES: R2Bucket;
  /** Import/export jobs, one message per chunk. */
  USER_JOBS: Queue<JobMessage>;
  ATTRIBUTE_ENCRYPTION_KEY?: string;
  USER_JOB_CHUNK_ROWS?: string;
  /** Webhook fan-out and deliveries (services/webhooks/). */
  WEBHOOKS: Queue<WebhookQueueMessage>;
  /** "true" lets webhook endpoints be http(s) on loopback (development); never in production. */
  WEBHOOKS_ALLOW_LOOPBACK?: string;
  /** Multiplies webhook retry delays: "1" deployed; tests use "0" so retries run back to back. */
  WEBHOOK_RETRY_SCALE?: string;
  /** The XLSX converter Worker (workers/xlsx, SheetJS), used by import/export jobs only. */
  XLSX: XlsxConverter;
}

/** Bounds a workbook must stay within before the converter inflates it. */
export interface SheetLimits {
  /** Size of the .xlsx file itself. */
  maxBytes: number;
  /** Total uncompressed size of the archive's parts (a zip bomb is refused unopened). */
  maxUnzippedBytes: number;
  /** Rows of the first sheet below its header row. */
  maxRows: number;
}

/** A workbook's first sheet as rows of text, or why the file cannot be read (the job owner's problem, not a crash). */
export type SheetRead = { rows: string[][] } | { error: string };

/** The RPC interface of the XLSX converter Worker (user-edge-xlsx, entrypoint XlsxConverter). */
export interface XlsxConverter {
  read(bytes: Uint8Array, limits: SheetLimits): Promise<SheetRead>;
  write(rows: string[][], sheetName: string): Promise<Uint8Array>;
}

/** What the webhooks queue carries: fan out an application's outbox, or attempt one delivery. */
export type WebhookQueueMessage =
  | { kind: "fanout"; application_id: string }
  | { kind: "deliver"; application_id: string; delivery_id: string };

/** A queued unit of import/export work: run chunk `chunk` of job `job_id`. */
export interface JobMessage {
  job_id: string;
  application_id: string;
  chunk: number;
}

const secret = (name: string) =>
  z.string({ error: `${name} is not set (wrangler secret put ${name}, or .dev.vars locally)` })
    .min(16, `${name} must be at least 16 characters`);

const optional = z.string().optional().transform((v) => v?.trim() || undefined);

const configSchema = z.object({
  devOutbox: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  platformTokenTtlSeconds: z.coerce.number().int().min(60).max(86_400).default(900),
  passwordPepper: secret("PASSWORD_PEPPER"),
  passwordPepperPrevious: secret("PASSWORD_PEPPER_PREVIOUS").optional(),
  benchRoutes: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  tokenSigningKey: secret("TOKEN_SIGNING_KEY"),
  /** Key material for encrypted customer attributes (AES-GCM keys are derived from it per application). */
  attributeEncryptionKey: secret("ATTRIBUTE_ENCRYPTION_KEY"),
  /** Rows per import/export queue message: small enough that one invocation stays well inside CPU limits. */
  jobChunkRows: z.coerce.number().int().min(1).max(2000).default(500),
  notifyTransport: z.enum(["outbox", "providers"]).default("providers"),
  webhooksAllowLoopback: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  webhookRetryScale: z.coerce.number().min(0).max(1).default(1),
  publicLinkBase: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  emailFrom: optional,
  resendApiKey: optional,
  twilio: z.object({ accountSid: optional, authToken: optional, from: optional }),
});

// Outbox messages are only readable through the dev route: without it nothing would ever be delivered.
const checkedConfigSchema = configSchema.refine((c) => c.notifyTransport !== "outbox" || c.devOutbox, {
  message: "NOTIFY_TRANSPORT=outbox needs DEV_OUTBOX=true (use providers in production)",
  path: ["notifyTransport"],
});

export type Config = z.infer<typeof configSchema>;

const parsed = new WeakMap<Bindings, Config>();

/**
 * The one place that reads vars and secrets. Parsed once per env object; a missing or weak
 * secret fails loudly (500 with a request id) instead of silently running with no pepper.
 */
export function loadConfig(env: Bindings): Config {
  let config = parsed.get(env);
  if (!config) {
    config = checkedConfigSchema.parse({
      devOutbox: env.DEV_OUTBOX,
      platformTokenTtlSeconds: env.PLATFORM_TOKEN_TTL,
      passwordPepper: env.PASSWORD_PEPPER,
      passwordPepperPrevious: env.PASSWORD_PEPPER_PREVIOUS || undefined,
      benchRoutes: env.BENCH_ROUTES,
      tokenSigningKey: env.TOKEN_SIGNING_KEY,
      notifyTransport: env.NOTIFY_TRANSPORT,
      publicLinkBase: env.PUBLIC_LINK_BASE,
      emailFrom: env.EMAIL_FROM,
      resendApiKey: env.RESEND_API_KEY,
      twilio: { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, from: env.TWILIO_FROM },
      attributeEncryptionKey: env.ATTRIBUTE_ENCRYPTION_KEY,
      jobChunkRows: env.USER_JOB_CHUNK_ROWS,
      webhooksAllowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK,
      webhookRetryScale: env.WEBHOOK_RETRY_SCALE,
    });
    parsed.set(env, config);
  }
  return config;
}
