// Helpers for load scripts against `wrangler dev` on loopback: start a fresh local server, make
// fixtures over HTTP, measure one scenario with autocannon. Scenarios live in bench/run.mjs; add
// new ones there (or in another script using these helpers).
import autocannon from "autocannon";
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
const STATE_DIR = join(ROOT, "bench", ".data", "state");

/** The demo tenant from scripts/seed-demo.sql. */
export const DEMO_APP = {
  id: "000000000000000000000001",
  token: "demo-application-token",
  get authorization() {
    return `Bearer ${Buffer.from(`${this.id}:${this.token}`).toString("base64")}`;
  },
};

// Benchmark-only secrets, passed with --var so no .dev.vars is needed or touched.
const BENCH_VARS = {
  DEV_OUTBOX: "true",
  BENCH_ROUTES: "true",
  PASSWORD_PEPPER: "bench-only-pepper-0123456789abcdef0123456789",
  TOKEN_SIGNING_KEY: "bench-only-token-signing-key-0123456789abcdef",
};

/** A TCP port nobody listens on right now (loopback). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function wranglerSync(args) {
  const run = spawnSync(WRANGLER, args, { cwd: ROOT, env: benchEnv(), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
}

// node_modules/.bin first, so wrangler runs on the project's node (22) even when this script was started directly.
const benchEnv = () => ({
  ...process.env,
  PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  CI: "true",
  NO_COLOR: "1",
});

/**
 * Applies migrations and the demo seed to a fresh local state, then runs `wrangler dev` on
 * 127.0.0.1 and waits until /_health answers. Returns { base, stop, output } (output: what wrangler printed).
 */
export async function startServer({ readyTimeoutMs = 90_000 } = {}) {
  rmSync(STATE_DIR, { recursive: true, force: true });
  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE_DIR]);
  wranglerSync(["d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--file", "scripts/seed-demo.sql"]);
  const port = await freePort();
  const inspectorPort = await freePort();
  const vars = Object.entries(BENCH_VARS).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    WRANGLER,
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", STATE_DIR,
      "--log-level", "warn", "--show-interactive-dev-session=false", ...vars],
    { cwd: ROOT, env: benchEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      if ((await fetch(`${base}/_health`)).ok) return { base, stop, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error(`wrangler dev not ready after ${readyTimeoutMs} ms:\n${output}`);
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
