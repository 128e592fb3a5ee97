// The scenarios of `npm run bench` (bench/run.mjs), also loaded by `npm run bench:profile`
// (bench/profile.mjs): what each request is, what it is held against, and the server and fixtures
// a set of them needs.
import { SCENARIOS as FILTERS, defId, filterRequest } from "./attributes-seed.mjs";
import { CUSTOMERS_TENANT, customerRequests } from "./customers-seed.mjs";
import { DEMO_APP, any, cycle, platformToken, seedUser, startServer } from "./lib.mjs";
import { SEED_COUNT, seededState } from "./seed.mjs";

const AUTH = "/service/application/user/authentication/v1.0";
export const BARE = "bare route (GET /_health)";
export const PBKDF2 = "PBKDF2 only (GET /_bench/pbkdf2)";
export const LOGIN = "password login";
export const SESSION_CHECK = "session check only (GET /_bench/session)";
export const TENANT = "op: tenant only (GET /_bench/op/tenant)";
export const OPS = {
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
export function scenarios(base, fixtures) {
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
    // The storage operations a login is made of, one per route (see "Where a password login's server CPU goes" in run.mjs's tables).
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
      // Issue 14: a backtracking pattern costs a RegExp engine seconds per definition; `name=` is a substring, so this is a plain list read.
      name: "getAttributesDefinition name=.*.*.*.*.*.*.*.*.*! (taken literally)",
      data: true,
      url: `${base}/service/application/user/profile/v1.0/attributes/definition?name=${encodeURIComponent(".*.*.*.*.*.*.*.*.*!" + "a".repeat(150))}`,
      headers: storefront,
      next: () => ({ check: (b) => Array.isArray(b.items) }),
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

/** The scenarios `only` (a RegExp over names, or undefined: all) picks, plus the baselines their ratios need (the bare route always). */
export function pick(list, only) {
  if (!only) return list;
  const picked = new Set(list.filter((s) => only.test(s.name)).map((s) => s.name));
  for (const s of list) if (picked.has(s.name) && s.baseline) picked.add(s.baseline);
  if ([...picked].some((name) => name.startsWith("op: "))) picked.add(TENANT);
  picked.add(BARE);
  return list.filter((s) => picked.has(s.name));
}

/**
 * A `wrangler dev` for `plan` (on a copy of the seeded data when a scenario needs it), stopped on
 * Ctrl-C and on a crash too (it runs detached), and the fixtures the plan's scenarios need: one
 * registered user per connection, platform tokens.
 */
export async function startFor(plan, { connections, devArgs } = {}) {
  const needsData = plan.some((s) => s.data);
  const server = await startServer({ ...(needsData ? { copyOf: await seededState() } : {}), devArgs });
  process.once("SIGINT", () => server.stop().finally(() => process.exit(130)));
  process.once("uncaughtException", (error) => {
    console.error(error);
    server.stop().finally(() => process.exit(1));
  });
  const fixtures = {};
  if (plan.some((s) => s.users)) {
    fixtures.users = [];
    for (let i = 0; i < connections; i++) fixtures.users.push(await seedUser(server.base, { email: `bench-${i}@example.com` }));
  }
  if (needsData) {
    fixtures.customersToken = await platformToken(server.base, CUSTOMERS_TENANT);
    fixtures.demoToken = await platformToken(server.base, DEMO_APP);
  }
  return { server, fixtures };
}
