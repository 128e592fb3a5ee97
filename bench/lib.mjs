// Helpers for load scripts against `wrangler dev` on loopback: start a fresh local server, make
// fixtures over HTTP, measure one scenario with autocannon. Scenarios live in bench/run.mjs; add
// new ones there (or in another script using these helpers).
import autocannon from "autocannon";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// The same fresh, migrated and seeded `wrangler dev` the end-to-end suite uses (node 22 strips the types).
import { startWorker } from "../test/e2e/worker.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The demo tenant from scripts/seed-demo.sql. */
export const DEMO_APP = {
  id: "000000000000000000000001",
  token: "demo-application-token",
  get authorization() {
    return `Bearer ${Buffer.from(`${this.id}:${this.token}`).toString("base64")}`;
  },
};

/** `wrangler dev` on a free loopback port with fresh local state and the benchmark-only routes on. Returns { base, stop }. */
export async function startServer() {
  const worker = await startWorker({ BENCH_ROUTES: "true" });
  return { base: worker.url, stop: () => worker.stop() };
}

/** Registers a user of the demo application and returns its credentials and session cookie. */
export async function seedUser(base, { email = `bench-${Date.now()}@example.com`, password = "Bench-Password-Quartz-42" } = {}) {
  const res = await fetch(`${base}/service/application/user/authentication/v1.0/register/form`, {
    method: "POST",
    headers: { authorization: DEMO_APP.authorization, "content-type": "application/json" },
    body: JSON.stringify({ first_name: "Bench", email, password }),
  });
  if (res.status !== 200) throw new Error(`seeding a user failed: ${res.status} ${await res.text()}`);
  const cookie = /f\.session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error("registration set no session cookie");
  return { email, password, cookie };
}

/**
 * Loads one scenario for `durationSeconds` with `connections` keep-alive connections. A scenario is
 * autocannon options: `url`, and `method`/`headers`/`body`, or `requests` (e.g. with `setupRequest`
 * to vary each request). Returns requests per second, latency percentiles (ms) and how many
 * answers were not 2xx.
 */
export async function measure({ name, durationSeconds = 10, connections = 10, ...request }) {
  const result = await autocannon({ ...request, duration: durationSeconds, connections });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

/** A short run of the same scenario, so none is charged for start-up and JIT. */
export async function warmUp({ name: _name, baseline: _baseline, target: _target, ...request }) {
  await autocannon({ ...request, duration: 2, connections: 4 });
}

/** Cycles through `items`, one per request: `requests: [roundRobin(users, (u) => ({ headers, body }))]`. */
export function roundRobin(items, toRequest) {
  let next = 0;
  return { setupRequest: (req) => ({ ...req, ...toRequest(items[next++ % items.length]) }) };
}
