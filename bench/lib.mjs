// Helpers for load scripts against `wrangler dev` on loopback: start a local server (optionally on a
// copy of the seeded benchmark data, bench/seed.mjs), make fixtures over HTTP, measure one scenario
// with autocannon (throughput) or with sequential requests (latency). Scenarios live in bench/run.mjs.
import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// The same `wrangler dev` the end-to-end suite uses (node 22 strips the types).
import { startWorker } from "../test/e2e/worker.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The demo tenant from scripts/seed-demo.sql. */
export const DEMO_APP = {
  id: "000000000000000000000001",
  company: "1",
  token: "demo-application-token",
  client: "demo-client",
  secret: "demo-secret",
  get authorization() {
    return `Bearer ${Buffer.from(`${this.id}:${this.token}`).toString("base64")}`;
  },
};

/**
 * `wrangler dev` on a free loopback port with the benchmark-only routes on, on fresh local state, or
 * on a throwaway copy of `copyOf` (a seeded state from bench/seed.mjs). Returns { base, stop }.
 */
export async function startServer({ copyOf, devArgs } = {}) {
  const worker = await startWorker({ BENCH_ROUTES: "true" }, { copyOf, devArgs });
  return { base: worker.url, processGroup: worker.processGroup, inspectorPort: worker.inspectorPort, stop: () => worker.stop() };
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * CPU seconds used so far by every process of the server's process group (wrangler, its proxy and
 * the workerd running the Worker, its Durable Objects, D1 and KV), from /proc. Unlike req/s, CPU per
 * request barely moves when other jobs load the machine, so it is the column to compare runs by.
 */
export function serverCpuSeconds(processGroup) {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after "(comm)": state ppid pgrp … utime (12th) stime (13th).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === processGroup) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** A platform access token (client credentials) for `company`'s API client. */
export async function platformToken(base, { company, client, secret }) {
  const res = await fetch(`${base}/service/panel/authentication/v1.0/company/${company}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  if (!res.ok) throw new Error(`platform token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const storefront = (base, path, body) =>
  fetch(`${base}/service/application/user${path}`, {
    method: "POST",
    headers: { authorization: DEMO_APP.authorization, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/**
 * Registers a user of the demo application the way a shopper does (register, then the emailed code
 * read from the dev outbox with the register_token) and returns its credentials and session cookie.
 */
export async function seedUser(base, { email = `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, password = "Bench-Password-Quartz-42" } = {}) {
  const registered = await storefront(base, "/authentication/v1.0/register/form", { first_name: "Bench", email, password });
  if (registered.status !== 200) throw new Error(`seeding a user failed: ${registered.status} ${await registered.text()}`);
  const { register_token } = await registered.json();
  const outbox = await (await fetch(`${base}/_dev/outbox?to=${encodeURIComponent(email)}`)).json();
  const otp = outbox.messages[0]?.code;
  if (!otp) throw new Error(`no verification code in the outbox for ${email}`);
  const verified = await storefront(base, "/authentication/v1.0/otp/email/verify", { email, otp, register_token });
  if (verified.status !== 200) throw new Error(`verifying a seeded user failed: ${verified.status} ${await verified.text()}`);
  const cookie = /f\.session=[^;]+/.exec(verified.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error("verification set no session cookie");
  return { email, password, cookie };
}

/**
 * A scenario is `url` plus either fixed `method`/`headers`/`body`, or `next()`, called once per
 * request, returning any of `path` (replaces the url's path and query), `method`, `headers` (added
 * to the fixed ones), `body`, and `check(json)`: whether a 2xx answer found what it should.
 */
function cannonOptions({ url, method = "GET", headers = {}, body, next }, tally) {
  if (!next) return { url, method, headers, ...(body === undefined ? {} : { body }) };
  return {
    url,
    method,
    headers,
    requests: [
      {
        setupRequest(req, context) {
          const { check, ...request } = next();
          context.check = check;
          return { ...req, ...request, headers: { ...req.headers, ...request.headers } };
        },
        onResponse(status, responseBody, context) {
          if (status >= 300 || !context.check) return;
          let found = false;
          try {
            found = context.check(JSON.parse(responseBody));
          } catch {
            // not JSON: counted as not found
          }
          if (!found) tally.notFound++;
        },
      },
    ],
  };
}

/**
 * Loads one scenario for `durationSeconds` with `connections` keep-alive connections. Returns
 * requests per second, latency percentiles (ms), `failed` (answers that were not 2xx, errors,
 * timeouts, and 2xx answers whose check found nothing) and, given the server's `processGroup`,
 * `cpuMs`: the server's CPU time per request.
 */
export async function measure(scenario, { durationSeconds = 10, connections = 10, processGroup } = {}) {
  const tally = { notFound: 0 };
  const cpuBefore = processGroup ? serverCpuSeconds(processGroup) : undefined;
  const result = await autocannon({ ...cannonOptions(scenario, tally), duration: durationSeconds, connections });
  const cpuSeconds = cpuBefore === undefined ? undefined : serverCpuSeconds(processGroup) - cpuBefore;
  return {
    cpuMs: cpuSeconds === undefined || !result.requests.total ? undefined : (cpuSeconds * 1000) / result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx + result.errors + result.timeouts,
    failed: result.non2xx + result.errors + result.timeouts + tally.notFound,
  };
}

/** A short run of the same scenario, so none is charged for start-up and JIT. */
export async function warmUp(scenario) {
  await autocannon({ ...cannonOptions(scenario, { notFound: 0 }), duration: 2, connections: 4 });
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/**
 * Per-request latency: `requests` requests of the scenario one at a time (after `warm` unmeasured
 * ones), timed by the client, HTTP included. Returns p50/p95/p99/max in ms and `failed` (not 2xx,
 * or found nothing; the first one is logged).
 */
export async function timeSequential(scenario, { requests = 100, warm = 10 } = {}) {
  const times = [];
  let failed = 0;
  for (let i = 0; i < warm + requests; i++) {
    const { path, check, ...request } = scenario.next ? scenario.next() : {};
    const url = path ? new URL(path, scenario.url) : scenario.url;
    const started = performance.now();
    const res = await fetch(url, {
      method: request.method ?? scenario.method ?? "GET",
      headers: { ...scenario.headers, ...request.headers },
      body: request.body ?? scenario.body,
    });
    const text = await res.text();
    const ms = performance.now() - started;
    if (i < warm) continue;
    times.push(ms);
    if (!res.ok || (check && !check(JSON.parse(text)))) {
      if (!failed++) console.error(`${scenario.name}: ${url} -> ${res.status} ${text.slice(0, 300)}`);
    }
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1), failed };
}

/** Cycles through `items`, one per request: `next: cycle(users, (u) => ({ headers, body }))`. */
export function cycle(items, toRequest) {
  let i = 0;
  return () => toRequest(items[i++ % items.length]);
}

/** One of `items` at random: `next: any([() => ({ path, check }), …])`. */
export const any = (items) => () => items[Math.floor(Math.random() * items.length)]();
