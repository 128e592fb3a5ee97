// Platform customer list/search at scale: seeds 100k customers into one application in a local D1
// (its own state dir, bench/.data/customers-state), starts `wrangler dev` on it, and measures latency
// percentiles of list, partial search (email / phone / name) and exact lookups over HTTP.
//
//   npm run bench:customers                 seed if needed, then measure
//   npm run bench:customers -- --reseed     drop the state and seed again
//   npm run bench:customers -- --seed-only  seed, do not measure
//   COUNT=20000 REQUESTS=100 npm run bench:customers
//
// Requests are sequential (one at a time) so the numbers are per-request latency, not throughput;
// the run is bounded (REQUESTS per scenario) because the machine is shared.
import { spawn, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = join(root, "bench/.data");
const stateDir = join(dataDir, "customers-state");
const COUNT = Number(process.env.COUNT ?? 100_000);
const REQUESTS = Number(process.env.REQUESTS ?? 200);
const PORT = Number(process.env.PORT ?? 8799);
const USERS_PER_FILE = 10_000;
const ROWS_PER_INSERT = 500;

const COMPANY = "bench-co";
const APP = "00000000000000000000b001";
const CLIENT = "bench-client";
const CLIENT_SECRET = "bench-client-secret";
const SIGNING_KEY = "bench-only-token-signing-key-0123456789";
const PEPPER = "bench-only-pepper-0123456789abcdef";

const FIRST = ["Aarav", "Vivaan", "Aditya", "Vihaan", "Arjun", "Sai", "Reyansh", "Ayaan", "Krishna", "Ishaan", "Ananya", "Diya", "Aadhya", "Saanvi", "Pari", "Anika", "Navya", "Myra", "Sara", "Ira", "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Priya", "Rahul", "Neha", "Rohan", "Kavya", "Aryan", "Meera", "Kabir", "Tara", "Dev"];
const LAST = ["Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Shah", "Mehta", "Joshi", "Iyer", "Nair", "Reddy", "Rao", "Das", "Bose", "Sen", "Ghosh", "Mukherjee", "Chopra", "Kapoor", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young"];
const DOMAINS = ["gmail.com", "yahoo.co.in", "outlook.com", "example.com", "shop.in", "mail.net", "fynd.test"];

/** Deterministic customer i: the same data on every run, so scenarios can pick real targets. */
function customer(i) {
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  const email = `${first}.${last}${i}@${DOMAINS[i % DOMAINS.length]}`.toLowerCase();
  const national = `9${String(i).padStart(9, "0")}`;
  return {
    id: i.toString(16).padStart(24, "0"),
    first,
    last,
    email,
    national,
    e164: `+91${national}`,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  };
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, ...opts }).toString();
}

const wrangler = (...args) => run("npx", ["wrangler", ...args, "--persist-to", stateDir]);

function countCustomers() {
  try {
    const out = wrangler("d1", "execute", "DB", "--local", "--json", "--command", `select count(*) as n from users where application_id = '${APP}'`);
    return JSON.parse(out)[0].results[0].n;
  } catch {
    return 0;
  }
}

function seedFiles() {
  mkdirSync(dataDir, { recursive: true });
  const sha = (s) => createHash("sha256").update(s).digest("hex");
  const now = "2024-01-01T00:00:00.000Z";
  const files = [join(dataDir, "seed-tenant.sql")];
  writeFileSync(
    files[0],
    [
      `INSERT OR IGNORE INTO companies (id, name, created_at) VALUES (${q(COMPANY)}, 'Bench Co', ${q(now)});`,
      `INSERT OR IGNORE INTO applications (id, company_id, name, token_hash, config, config_version, created_at, updated_at) VALUES (${q(APP)}, ${q(COMPANY)}, 'Bench Store', ${q(sha("bench-app-token"))}, '{}', 0, ${q(now)}, ${q(now)});`,
      `INSERT OR IGNORE INTO platform_clients (client_id, company_id, secret_hash, name, active, created_at) VALUES (${q(CLIENT)}, ${q(COMPANY)}, ${q(sha(CLIENT_SECRET))}, 'Bench client', 1, ${q(now)});`,
    ].join("\n"),
  );
  for (let start = 0; start < COUNT; start += USERS_PER_FILE) {
    const lines = [];
    const end = Math.min(COUNT, start + USERS_PER_FILE);
    for (let chunk = start; chunk < end; chunk += ROWS_PER_INSERT) {
      const people = [];
      for (let i = chunk; i < Math.min(end, chunk + ROWS_PER_INSERT); i++) people.push(customer(i));
      lines.push(
        "INSERT INTO users (id, application_id, username, first_name, last_name, meta, created_at, updated_at) VALUES " +
          people.map((p) => `(${q(p.id)}, ${q(APP)}, ${q(p.email.replace(/\W+/g, "_"))}, ${q(p.first)}, ${q(p.last)}, '{}', ${q(p.createdAt)}, ${q(p.createdAt)})`).join(", ") + ";",
        "INSERT INTO user_emails (id, user_id, application_id, email, is_primary, verified, active, created_at) VALUES " +
          people.map((p) => `(${q("e" + p.id.slice(1))}, ${q(p.id)}, ${q(APP)}, ${q(p.email)}, 1, 1, 1, ${q(p.createdAt)})`).join(", ") + ";",
        "INSERT INTO user_phones (id, user_id, application_id, country_code, phone, e164, is_primary, verified, active, created_at) VALUES " +
          people.map((p) => `(${q("f" + p.id.slice(1))}, ${q(p.id)}, ${q(APP)}, 91, ${q(p.national)}, ${q(p.e164)}, 1, 1, 1, ${q(p.createdAt)})`).join(", ") + ";",
      );
    }
    const file = join(dataDir, `seed-customers-${String(start / USERS_PER_FILE).padStart(3, "0")}.sql`);
    writeFileSync(file, lines.join("\n"));
    files.push(file);
  }
  return files;
}

function seed() {
  if (process.argv.includes("--reseed")) rmSync(stateDir, { recursive: true, force: true });
  wrangler("d1", "migrations", "apply", "DB", "--local");
  const existing = countCustomers();
  if (existing >= COUNT) {
    console.log(`state already has ${existing} customers; not seeding (pass --reseed to start over)`);
    return;
  }
  if (existing > 0) throw new Error(`state has ${existing} customers (a partial seed); run with --reseed`);
  const started = Date.now();
  for (const file of seedFiles()) {
    wrangler("d1", "execute", "DB", "--local", "--file", file);
    process.stdout.write(".");
  }
  console.log(`\nseeded ${countCustomers()} customers in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function startServer() {
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--port", String(PORT), "--persist-to", stateDir, "--var", `TOKEN_SIGNING_KEY:${SIGNING_KEY}`, "--var", `PASSWORD_PEPPER:${PEPPER}`],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"], detached: true, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" } },
  );
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/_health`)).ok) return { base, stop: () => process.kill(-child.pid, "SIGTERM") };
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid, "SIGTERM");
  throw new Error("wrangler dev did not start");
}

async function token(base) {
  const res = await fetch(`${base}/service/panel/authentication/v1.0/company/${COMPANY}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT}:${CLIENT_SECRET}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const pick = () => customer(Math.floor(Math.random() * COUNT));
const fragment = (s, len) => {
  const at = Math.floor(Math.random() * (s.length - len + 1));
  return s.slice(at, at + len);
};

/** Each scenario builds a fresh path per request (random real targets) and checks the answer found something. */
const scenarios = [
  ["list, first page (20)", () => ["/customers/list?page_size=20", (b) => b.items.length === 20]],
  ["list, random deep page (20)", () => [`/customers/list?page_size=20&page_no=${1 + Math.floor(Math.random() * (COUNT / 20))}`, (b) => b.items.length > 0]],
  ["list q = part of an email (6 chars)", () => { const c = pick(); return [`/customers/list?q=${encodeURIComponent(fragment(c.email.split("@")[0], 6) )}`, (b) => b.page.item_total > 0]; }],
  ["search q = part of an email (local part)", () => { const c = pick(); return [`/customers/search?q=${encodeURIComponent(c.email.split("@")[0].slice(-8))}`, (b) => b.users.length > 0]; }],
  ["search q = part of a phone (6 digits)", () => { const c = pick(); return [`/customers/search?q=${fragment(c.national, 6)}`, (b) => b.users.length > 0]; }],
  ["search q = name (first + part of last)", () => { const c = pick(); return [`/customers/search?q=${encodeURIComponent(`${c.first} ${c.last.slice(0, 3)}`)}`, (b) => b.users.length > 0]; }],
  ["search query = exact email", () => { const c = pick(); return [`/customers/search?query=${encodeURIComponent(c.email)}`, (b) => b.users.length === 1]; }],
  ["search query = exact phone", () => { const c = pick(); return [`/customers/search?query=${encodeURIComponent(c.e164)}`, (b) => b.users.length === 1]; }],
];

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(base, auth) {
  const plat = `${base}/service/platform/user/v1.0/company/${COMPANY}/application/${APP}`;
  const rows = [];
  for (const [name, next] of scenarios) {
    const times = [];
    for (let i = 0; i < REQUESTS + 10; i++) {
      const [path, check] = next();
      const t0 = performance.now();
      const res = await fetch(plat + path, { headers: { authorization: `Bearer ${auth}` } });
      const body = await res.json();
      const ms = performance.now() - t0;
      if (!res.ok || !check(body)) throw new Error(`${name}: ${path} -> ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      if (i >= 10) times.push(ms); // the first 10 warm the isolate and SQLite's page cache
    }
    times.sort((a, b) => a - b);
    const row = { name, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1) };
    rows.push(row);
    console.log(`${name.padEnd(44)} p50 ${row.p50.toFixed(1).padStart(6)} ms  p95 ${row.p95.toFixed(1).padStart(6)} ms  p99 ${row.p99.toFixed(1).padStart(6)} ms`);
  }
  return rows;
}

seed();
if (process.argv.includes("--seed-only")) process.exit(0);
const server = await startServer();
try {
  const rows = await measure(server.base, await token(server.base));
  console.log(`\n| scenario (${COUNT.toLocaleString("en")} customers, ${REQUESTS} sequential requests each) | p50 ms | p95 ms | p99 ms | max ms |`);
  console.log("|---|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`);
  const slow = rows.filter((r) => r.p95 >= 50);
  if (slow.length) console.log(`\np95 target (< 50 ms) missed by: ${slow.map((r) => r.name).join(", ")}`);
} finally {
  server.stop();
}
