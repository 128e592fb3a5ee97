import { z } from "zod";
import type { UserSessions } from "./durable/user-sessions";

/** Everything wrangler binds to the Worker: storage, vars and secrets. */
export interface Bindings {
  DB: D1Database;
  OTP_KV: KVNamespace;
  SESSIONS_KV: KVNamespace;
  USER_SESSIONS: DurableObjectNamespace<UserSessions>;
  DEV_OUTBOX?: string;
  PLATFORM_TOKEN_TTL?: string;
  PASSWORD_PEPPER?: string;
  TOKEN_SIGNING_KEY?: string;
  /** Customer files: import sources, export results, error reports. */
  USER_FILES: R2Bucket;
  /** Import/export jobs, one message per chunk. */
  USER_JOBS: Queue<JobMessage>;
  ATTRIBUTE_ENCRYPTION_KEY?: string;
  USER_JOB_CHUNK_ROWS?: string;
}

/** A queued unit of import/export work: run chunk `chunk` of job `job_id`. */
export interface JobMessage {
  job_id: string;
  application_id: string;
  chunk: number;
}

const secret = (name: string) =>
  z.string({ error: `${name} is not set (wrangler secret put ${name}, or .dev.vars locally)` })
    .min(16, `${name} must be at least 16 characters`);

const configSchema = z.object({
  devOutbox: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  platformTokenTtlSeconds: z.coerce.number().int().min(60).max(86_400).default(900),
  passwordPepper: secret("PASSWORD_PEPPER"),
  tokenSigningKey: secret("TOKEN_SIGNING_KEY"),
  /** Key material for encrypted customer attributes (AES-GCM keys are derived from it per application). */
  attributeEncryptionKey: secret("ATTRIBUTE_ENCRYPTION_KEY"),
  /** Rows per import/export queue message: small enough that one invocation stays well inside CPU limits. */
  jobChunkRows: z.coerce.number().int().min(1).max(2000).default(500),
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
    config = configSchema.parse({
      devOutbox: env.DEV_OUTBOX,
      platformTokenTtlSeconds: env.PLATFORM_TOKEN_TTL,
      passwordPepper: env.PASSWORD_PEPPER,
      tokenSigningKey: env.TOKEN_SIGNING_KEY,
      attributeEncryptionKey: env.ATTRIBUTE_ENCRYPTION_KEY,
      jobChunkRows: env.USER_JOB_CHUNK_ROWS,
    });
    parsed.set(env, config);
  }
  return config;
}
