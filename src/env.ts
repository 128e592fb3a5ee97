import { z } from "zod";
import type { LoginGuard } from "./durable/login-guard";
import type { UserSessions } from "./durable/user-sessions";

/** Everything wrangler binds to the Worker: storage, vars and secrets. */
export interface Bindings {
  DB: D1Database;
  OTP_KV: KVNamespace;
  SESSIONS_KV: KVNamespace;
  USER_SESSIONS: DurableObjectNamespace<UserSessions>;
  LOGIN_GUARD: DurableObjectNamespace<LoginGuard>;
  DEV_OUTBOX?: string;
  PLATFORM_TOKEN_TTL?: string;
  PASSWORD_PEPPER?: string;
  /** The pepper before a rotation: its hashes still verify and are re-hashed at the next login. */
  PASSWORD_PEPPER_PREVIOUS?: string;
  /** "true" mounts /_bench/* (benchmark-only routes); never in production. */
  BENCH_ROUTES?: string;
  TOKEN_SIGNING_KEY?: string;
}

const secret = (name: string) =>
  z.string({ error: `${name} is not set (wrangler secret put ${name}, or .dev.vars locally)` })
    .min(16, `${name} must be at least 16 characters`);

const configSchema = z.object({
  devOutbox: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  platformTokenTtlSeconds: z.coerce.number().int().min(60).max(86_400).default(900),
  passwordPepper: secret("PASSWORD_PEPPER"),
  passwordPepperPrevious: secret("PASSWORD_PEPPER_PREVIOUS").optional(),
  benchRoutes: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  tokenSigningKey: secret("TOKEN_SIGNING_KEY"),
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
      passwordPepperPrevious: env.PASSWORD_PEPPER_PREVIOUS || undefined,
      benchRoutes: env.BENCH_ROUTES,
      tokenSigningKey: env.TOKEN_SIGNING_KEY,
    });
    parsed.set(env, config);
  }
  return config;
}
