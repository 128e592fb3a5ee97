import { Hono } from "hono";
import { deriveOnce } from "../crypto/password-hash";
import { newId } from "../crypto/tokens";
import { loadConfig } from "../env";
import type { AppEnv } from "../http/context";
import { requireSession } from "../http/auth";
import { eventsRepo, usersRepo } from "../wiring/accounts";
import { onNotFound } from "../http/error-handler";
import { notFound } from "../errors";
import { storefrontTenant } from "../http/tenant";
import { loginGuardStub } from "../durable/login-guard";

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

/*
 * One storage operation of a password login each, after the same tenant resolution (`/_bench/op/tenant`
 * is that alone): subtracting the tenant route's cost from each gives what the operation adds, the
 * parts bench/README.md adds up against a login.
 */
benchRoutes.use("/_bench/op/*", storefrontTenant);

benchRoutes.get("/_bench/op/tenant", (c) => c.json({ ok: true }));

/** The user read a login and every signed-in request do (one statement, contacts included). */
benchRoutes.get("/_bench/op/user-read", async (c) => {
  const user = await usersRepo(c).findById(c.var.application.id, c.req.query("user_id") ?? "");
  if (!user) throw notFound("No such user");
  return c.json({ ok: true });
});

/** One login-guard check slot taken and handed back: a login does this on two guards. */
benchRoutes.get("/_bench/op/guard", async (c) => {
  const rules = [{ key: "bench", limit: 1_000, windowMs: 60_000, lockMs: 60_000, maxLockMs: 60_000, resetOnSuccess: false }];
  const guard = loginGuardStub(c.env.LOGIN_GUARD, c.var.application.id, `bench:${c.req.query("key") ?? ""}`);
  const reservation = await guard.reserve(rules);
  if (reservation.allowed) await guard.settle(reservation.ticket, rules, "success");
  return c.json({ ok: reservation.allowed });
});

/** A session's KV metadata record (same size and TTL class as a login's). */
benchRoutes.get("/_bench/op/kv-put", async (c) => {
  const record = { userId: newId(), applicationId: c.var.application.id, id: newId(), createdAt: Date.now(), userAgent: "bench", ip: "127.0.0.1" };
  await c.env.SESSIONS_KV.put(`bench:${newId()}`, JSON.stringify(record), { expirationTtl: 60 });
  return c.json({ ok: true });
});

/** The login event insert (one D1 write). */
benchRoutes.get("/_bench/op/event", async (c) => {
  await eventsRepo(c).record({
    applicationId: c.var.application.id,
    type: "bench.event",
    title: "Bench",
    actor: "system",
    visible: false,
    data: { session_id: newId() },
  });
  return c.json({ ok: true });
});
