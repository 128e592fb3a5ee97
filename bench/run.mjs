// npm run bench: every scenario of issue 10 in one run against one `wrangler dev` on loopback — a copy
// of the seeded benchmark data (bench/seed.mjs, seeded once) — each loaded with autocannon for
// BENCH_SECONDS (default 10) with BENCH_CONNECTIONS (default 10) connections; the data scenarios
// are also timed one request at a time for their p95 targets. Prints the tables and writes them
// into bench/README.md between the results markers (full runs only).
//
//   BENCH_ONLY='session|login' npm run bench   a subset (by name; their baselines come along)
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { SCENARIOS as FILTERS, defId, filterRequest } from "./attributes-seed.mjs";
import { CUSTOMERS_TENANT, customerRequests } from "./customers-seed.mjs";
import { DEMO_APP, ROOT, any, cycle, measure, platformToken, seedUser, startServer, timeSequential, warmUp } from "./lib.mjs";
import { SEED_COUNT, seededState } from "./seed.mjs";

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const latencyRequests = Number(process.env.BENCH_LATENCY_REQUESTS ?? 100);
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, "i") : undefined;
const AUTH = "/service/application/user/authentication/v1.0";
const BARE = "bare route (GET /_health)";
const PBKDF2 = "PBKDF2 only (GET /_bench/pbkdf2)";
const LOGIN = "password login";
const SESSION_CHECK = "session check only (GET /_bench/session)";
const TENANT = "op: tenant only (GET /_bench/op/tenant)";
const OPS = {
  userRead: "op: + one user read (D1)",
  guard: "op: + one guard slot taken and handed back (LoginGuard)",
  kvPut: "op: + one KV put",
  event: "op: + one event insert (D1 write)",
};
const count = SEED_COUNT.toLocaleString("en-US");

/**
 * Login OTPs to a new mobile number from a new client IP on every request: many shoppers asking
 * once each, so every send passes its cooldown and hourly caps and is delivered (dev outbox) — the
 * success path. In `wrangler dev` a client's CF-Connecting-IP header is kept (Cloudflare's edge sets
 * it in production), which is how each request presents its own IP.
 */
function otpSends() {
  let n = 0;
  return () => {
    n++;
    return {
      headers: { "cf-connecting-ip": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
      body: JSON.stringify({ mobile: `9${String(n).padStart(9, "0")}`, country_code: "91" }),
      check: (b) => b.success === true && typeof b.request_id === "string",
    };
  };
}

/** The filter shapes, with a value that changes per request where the shape has one to vary. */
function attributeFilters(plat) {
  const shapes = [
    ...Object.values(FILTERS).map((query) => () => query),
    () => ({ type: "and", conditions: [{ definition_id: defId("city"), type: "eq", value: `city${Math.floor(Math.random() * 50)}` }] }),
  ];
  return any(shapes.map((shape) => () => filterRequest(plat, shape())));
}

/**
 * The scenarios, in run order: a name, what each request is (see bench/lib.mjs), and what it is
 * held against — `baseline`/`target` (throughput ratio, issue 3), `p95` (sequential latency target, issues 7/8).
 * `users: true` marks those that need registered users, `data: true` those that need the seeded data set.
 */
function scenarios(base, fixtures) {
  const storefront = { authorization: DEMO_APP.authorization };
  const json = { ...storefront, "content-type": "application/json" };
  const { users, customersToken, demoToken } = fixtures;
  const withCookie = cycle(users ?? [], (u) => ({ headers: { cookie: u.cookie } }));
  const userIdOf = (u) => /f\.session=([^.]+)\./.exec(u.cookie)[1];
  const customersPlat = `/service/platform/user/v1.0/company/${CUSTOMERS_TENANT.company}/application/${CUSTOMERS_TENANT.application}`;
  const demoPlat = `/service/platform/user/v1.0/company/${DEMO_APP.company}/application/${DEMO_APP.id}`;
  return [
    { name: BARE, url: `${base}/_health` },
    { name: PBKDF2, url: `${base}/_bench/pbkdf2` },
    { name: SESSION_CHECK, users: true, url: `${base}/_bench/session`, headers: storefront, next: withCookie, baseline: BARE, target: 0.6 },
    { name: "getLoggedInUser (valid cookie)", users: true, url: `${base}${AUTH}/session`, headers: storefront, next: withCookie, baseline: BARE, target: 0.6 },
    {
      name: LOGIN,
      users: true,
      url: `${base}${AUTH}/login/password`,
      method: "POST",
      headers: json,
      next: cycle(users ?? [], (u) => ({ body: JSON.stringify({ username: u.email, password: u.password }) })),
      baseline: PBKDF2,
      target: 0.8,
    },
    // The storage operations a login is made of, one per route (see "Where a password login's time goes").
    { name: TENANT, url: `${base}/_bench/op/tenant`, headers: storefront },
    { name: OPS.userRead, users: true, url: `${base}/_bench/op/user-read`, headers: storefront, next: cycle(users ?? [], (u) => ({ path: `/_bench/op/user-read?user_id=${userIdOf(u)}` })) },
    { name: OPS.guard, users: true, url: `${base}/_bench/op/guard`, headers: storefront, next: cycle(users ?? [], (u) => ({ path: `/_bench/op/guard?key=${userIdOf(u)}`, check: (b) => b.ok === true })) },
    { name: OPS.kvPut, url: `${base}/_bench/op/kv-put`, headers: storefront },
    { name: OPS.event, url: `${base}/_bench/op/event`, headers: storefront },
    { name: "OTP send (login, new mobile + IP each)", url: `${base}${AUTH}/otp/mobile/send`, method: "POST", headers: json, next: otpSends() },
    {
      name: `admin search, ${count} customers (6 kinds, random real customers)`,
      data: true,
      url: base,
      headers: { authorization: `Bearer ${customersToken}` },
      next: any(customerRequests(SEED_COUNT, customersPlat).filter((r) => r.search).map((r) => r.next)),
      p95: 50,
    },
    {
      name: `attribute filter, ${count} users × 10 attributes (5 shapes)`,
      data: true,
      url: base,
      method: "POST",
      headers: { authorization: `Bearer ${demoToken}`, "content-type": "application/json" },
      next: attributeFilters(demoPlat),
      p95: 100,
    },
  ];
}

/** The scenarios BENCH_ONLY picks, plus the baselines their ratios need (the bare route always). */
function selected(list) {
  if (!only) return list;
  const picked = new Set(list.filter((s) => only.test(s.name)).map((s) => s.name));
  for (const s of list) if (picked.has(s.name) && s.baseline) picked.add(s.baseline);
  if ([...picked].some((name) => name.startsWith("op: "))) picked.add(TENANT);
  picked.add(BARE);
  return list.filter((s) => picked.has(s.name));
}

const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function throughputTable(results) {
  const byName = new Map(results.map((r) => [r.name, r]));
  const bare = byName.get(BARE);
  const rows = results.map((r) => {
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    const ratio = base && r.rps / base.rps;
    const cpuRatio = base && base.cpuMs / r.cpuMs;
    const vsTarget = base
      ? `${fmt(ratio, 2)}× of ${base.name.split(" (")[0]}; by CPU ${fmt(cpuRatio, 2)}× (target ≥ ${r.target}: ${ratio >= r.target ? "met" : "NOT met"})`
      : "";
    return `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.cpuMs, 2)} | ${fmt(r.rps / bare.rps, 2)} | ${r.failed} | ${vsTarget} |`;
  });
  return [
    "| scenario | req/s | p50 ms | p99 ms | server CPU ms/req | × bare | failed | vs target |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

/**
 * A password login against its parts, in server CPU per request: the PBKDF2 route, plus what each
 * storage operation adds to a request (its op route minus the tenant-only route). The login's own
 * session registration is costed as one session check (one call to the user's object).
 */
function loginProfile(results) {
  const byName = new Map(results.map((r) => [r.name, r]));
  const needed = [LOGIN, BARE, PBKDF2, TENANT, SESSION_CHECK, ...Object.values(OPS)];
  if (!needed.every((name) => byName.get(name)?.cpuMs !== undefined)) return "";
  const cpu = (name) => byName.get(name).cpuMs;
  const adds = (name) => cpu(name) - cpu(TENANT);
  const parts = [
    ["PBKDF2 route (a request that only derives)", cpu(PBKDF2)],
    ["tenant resolution (tenant-only route − bare route)", cpu(TENANT) - cpu(BARE)],
    ["user read by email (D1)", adds(OPS.userRead)],
    ["2 guards (account, client IP): slot taken, then handed back", 2 * adds(OPS.guard)],
    ["session registered in the user's object (≈ one session check)", adds(SESSION_CHECK)],
    ["session's KV record", adds(OPS.kvPut)],
    ["login event (D1 write)", adds(OPS.event)],
  ];
  const sum = parts.reduce((total, [, ms]) => total + ms, 0);
  return [
    "Where a password login's server CPU goes (ms per request; each storage operation = its op route − the tenant-only route):",
    "",
    "| part | ms |",
    "|---|---:|",
    ...parts.map(([part, ms]) => `| ${part} | ${fmt(ms, 2)} |`),
    `| **sum of the parts** | **${fmt(sum, 2)}** |`,
    `| **password login, measured** | **${fmt(cpu(LOGIN), 2)}** |`,
    `| login at 0.8× of the PBKDF2 route would be at most | ${fmt(cpu(PBKDF2) / 0.8, 2)} |`,
  ].join("\n");
}

function latencyTable(results) {
  const rows = results
    .filter((r) => r.latency)
    .map(({ name, latency: l, p95 }) => `| ${name} | ${fmt(l.p50, 1)} | ${fmt(l.p95, 1)} | ${fmt(l.p99, 1)} | ${fmt(l.max, 1)} | ${l.failed} | < ${p95} ms: ${l.p95 < p95 ? "met" : "NOT met"} |`);
  if (!rows.length) return "";
  return [
    `Latency, ${latencyRequests} sequential requests each (after 10 warm-up), client-side ms:`,
    "",
    "| scenario | p50 | p95 | p99 | max | failed | p95 target |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

const started = Date.now();
const plan = selected(scenarios("", {}));
const needsData = plan.some((s) => s.data);
const server = await startServer(needsData ? { copyOf: seededState() } : {});
// `wrangler dev` runs detached: stop it on Ctrl-C and on a crash too.
process.once("SIGINT", () => server.stop().finally(() => process.exit(130)));
process.once("uncaughtException", (error) => {
  console.error(error);
  server.stop().finally(() => process.exit(1));
});
try {
  const fixtures = {};
  if (plan.some((s) => s.users)) {
    fixtures.users = [];
    for (let i = 0; i < connections; i++) fixtures.users.push(await seedUser(server.base, { email: `bench-${i}@example.com` }));
  }
  if (needsData) {
    fixtures.customersToken = await platformToken(server.base, CUSTOMERS_TENANT);
    fixtures.demoToken = await platformToken(server.base, DEMO_APP);
  }
  const wanted = new Set(plan.map((s) => s.name));
  const results = [];
  const run = async (scenario) => {
    await warmUp(scenario);
    process.stdout.write(`measuring ${scenario.name} for ${durationSeconds}s… `);
    const result = await measure(scenario, { durationSeconds, connections, processGroup: server.processGroup });
    console.log(`${fmt(result.rps)} req/s${result.failed ? `, ${result.failed} failed` : ""}`);
    return result;
  };
  const list = scenarios(server.base, fixtures).filter((s) => wanted.has(s.name));
  for (const scenario of list) {
    const result = await run(scenario);
    const latency = scenario.p95 ? await timeSequential(scenario, { requests: latencyRequests }) : undefined;
    results.push({ ...result, name: scenario.name, baseline: scenario.baseline, target: scenario.target, p95: scenario.p95, latency });
  }
  // The ceiling is measured again at the end and the better run kept: the first one runs on a Worker
  // that has barely warmed up, which would flatter every ratio to it.
  const bare = results.find((r) => r.name === BARE);
  const again = await run(list.find((s) => s.name === BARE));
  if (again.rps > bare.rps) Object.assign(bare, again);
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const stamp =
    `Run ${new Date().toISOString()} on ${cpus().length}× ${cpu} (load average ${loadavg()[0].toFixed(1)} at the end), node ${process.version}, ` +
    `${connections} connections, ${durationSeconds} s per scenario, \`wrangler dev\` (local workerd), ${Math.round((Date.now() - started) / 1000)} s in all.`;
  const block = [stamp, throughputTable(results), loginProfile(results), latencyTable(results)].filter(Boolean).join("\n\n");
  console.log(`\n${block}\n`);
  if (only) {
    console.log("(BENCH_ONLY set: bench/README.md left as it was)");
  } else {
    const readmePath = join(ROOT, "bench", "README.md");
    const readme = readFileSync(readmePath, "utf8");
    writeFileSync(readmePath, readme.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, `<!-- results:start -->\n${block}\n<!-- results:end -->`));
  }
} finally {
  await server.stop();
}
