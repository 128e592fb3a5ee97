import { Hono } from "hono";
import { deriveOnce } from "../crypto/password-hash";
import { loadConfig } from "../env";
import type { AppEnv } from "../http/context";
import { requireSession } from "../http/auth";
import { onNotFound } from "../http/error-handler";
import { storefrontTenant } from "../http/tenant";

/**
 * Routes that exist only for bench/: they answer when BENCH_ROUTES is "true" and are indistinguishable
 * from unknown routes otherwise. Not part of the API document.
 */
export const benchRoutes = new Hono<AppEnv>();

benchRoutes.use("/_bench/*", async (c, next) => (loadConfig(c.env).benchRoutes ? next() : onNotFound(c)));

/** Exactly the key derivation a password login performs, and nothing else: the yardstick for login. */
benchRoutes.get("/_bench/pbkdf2", async (c) => {
  await deriveOnce("bench-password", { current: loadConfig(c.env).passwordPepper });
  return c.json({ ok: true });
});

/** The storefront session check alone (tenant + one Durable Object call), without reading the user. */
benchRoutes.get("/_bench/session", storefrontTenant, requireSession, (c) => c.json({ ok: true }));
