// Bench: filterUsersByAttributes over 100k customers × 10 attributes, and a 100k-row CSV import,
// against `wrangler dev` (local D1, R2 and queue). Self-contained: its own persistence directory and
// port, its own seed (bench/attributes-seed.mjs). Prints a markdown report for bench/README.md.
//
//   npx node bench/attributes-filter.mjs [--users 100000] [--requests 200] [--import-rows 100000] [--port 8799]
//
// CPU is shared on dev machines: run it once, alone if you can. It takes a few minutes.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, SCENARIOS, seedSql } from "./attributes-seed.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const USERS = Number(args.users ?? 100_000);
const REQUESTS = Number(args.requests ?? 200);
const IMPORT_ROWS = Number(args["import-rows"] ?? 100_000);
const PORT = Number(args.port ?? 8799);
const BASE = `http://127.0.0.1:${PORT}`;
const PLAT = `/service/platform/user/v1.0/company/1/application/${APP}`;
const PERSIST = ".wrangler/bench-attributes";
const WRANGLER = "node_modules/.bin/wrangler";
const VARS = [
  "PASSWORD_PEPPER:bench-pepper-0123456789abcdef0123",
  "TOKEN_SIGNING_KEY:bench-token-signing-key-0123456789abcdef",
  "ATTRIBUTE_ENCRYPTION_KEY:bench-attribute-encryption-key-0123456789",
  "PLATFORM_TOKEN_TTL:3600",
];

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

function wrangler(...argv) {
  const started = Date.now();
  const result = spawnSync(WRANGLER, argv, { encoding: "utf8", env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" } });
  if (result.status !== 0) throw new Error(`wrangler ${argv.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return Date.now() - started;
}

async function waitForHealth(child) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited");
    try {
      if ((await fetch(`${BASE}/_health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("wrangler dev did not come up");
}

async function token() {
  const res = await fetch(`${BASE}/service/panel/authentication/v1.0/company/1/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa("demo-client:demo-secret")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function timeScenario(headers, query) {
  const run = async () => {
    const started = performance.now();
    const res = await fetch(`${BASE}${PLAT}/user_attribute/users`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ query: { limit: 10, page: 1, ...query } }),
    });
    const body = await res.json();
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`filter: ${res.status} ${JSON.stringify(body)}`);
    return { ms, total: body.page.item_total };
  };
  for (let i = 0; i < 10; i++) await run();
  const times = [];
  let total = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const r = await run();
    times.push(r.ms);
    total = r.total;
  }
  times.sort((a, b) => a - b);
  return { matches: total, p50: quantile(times, 0.5), p95: quantile(times, 0.95), p99: quantile(times, 0.99), max: times.at(-1) };
}

async function benchImport(headers) {
  const lines = ["email,phone_number,first_name,last_name,attribute:age,attribute:city,attribute:tags"];
  for (let i = 1; i <= IMPORT_ROWS; i++) {
    lines.push(`import${i}@bench.example,+9170${String(i).padStart(8, "0")},Imported${i},Row,${18 + (i % 60)},city${i % 50},tag${i % 20}|tag${(i * 3) % 20}`);
  }
  const csv = `${lines.join("\n")}\n`;
  const uploaded = await fetch(`${BASE}${PLAT}/users/files?file_name=bench-import.csv`, {
    method: "POST",
    headers: { ...headers, "content-type": "text/csv" },
    body: csv,
  });
  if (!uploaded.ok) throw new Error(`upload: ${uploaded.status} ${await uploaded.text()}`);
  const file = await uploaded.json();
  const started = performance.now();
  const res = await fetch(`${BASE}${PLAT}/users/jobs/import`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ absolute_url: file.absolute_url, relative_url: file.relative_url, file_format: "csv" }),
  });
  let job = await res.json();
  if (!res.ok) throw new Error(`import: ${res.status} ${JSON.stringify(job)}`);
  let lastLog = 0;
  while (job.status === "inprogress") {
    await new Promise((r) => setTimeout(r, 1000));
    job = await (await fetch(`${BASE}${PLAT}/users/jobs/${job._id}`, { headers })).json();
    if (performance.now() - lastLog > 15_000) {
      log(`import: ${job.count.total} rows so far`);
      lastLog = performance.now();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { bytes: csv.length, seconds, job };
}

async function main() {
  rmSync(PERSIST, { recursive: true, force: true });
  log("applying migrations and the demo tenant");
  wrangler("d1", "migrations", "apply", "DB", "--local", "--persist-to", PERSIST);
  wrangler("d1", "execute", "DB", "--local", "--persist-to", PERSIST, "--file", "scripts/seed-demo.sql", "--yes");
  const dir = mkdtempSync(join(tmpdir(), "attr-bench-"));
  const seedFile = join(dir, "seed.sql");
  writeFileSync(seedFile, seedSql(USERS));
  log(`seeding ${USERS} customers × 10 attributes`);
  const seedMs = wrangler("d1", "execute", "DB", "--local", "--persist-to", PERSIST, "--file", seedFile, "--yes");
  rmSync(dir, { recursive: true, force: true });
  log(`seeded in ${(seedMs / 1000).toFixed(1)} s; starting wrangler dev`);

  const child = spawn(
    WRANGLER,
    ["dev", "--persist-to", PERSIST, "--port", String(PORT), "--ip", "127.0.0.1", "--log-level", "warn", "--show-interactive-dev-session=false", ...VARS.flatMap((v) => ["--var", v])],
    { env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "ignore", "inherit"] },
  );
  try {
    await waitForHealth(child);
    const headers = { authorization: `Bearer ${await token()}` };
    const rows = [];
    for (const [name, query] of Object.entries(SCENARIOS)) {
      log(`timing: ${name}`);
      rows.push({ name, ...(await timeScenario(headers, query)) });
    }
    const fmt = (n) => n.toFixed(1);
    const report = [
      `Filter (POST …/user_attribute/users, limit 10, page 1), ${USERS} customers × 10 attributes, ${REQUESTS} sequential requests after 10 warm-up, client-side latency in ms:`,
      "",
      "| scenario | matches | p50 | p95 | p99 | max |",
      "|---|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${r.name} | ${r.matches} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} |`),
    ];
    if (IMPORT_ROWS > 0) {
      log(`importing ${IMPORT_ROWS} rows`);
      const imp = await benchImport(headers);
      report.push(
        "",
        `Import: ${IMPORT_ROWS} rows (${(imp.bytes / 1e6).toFixed(1)} MB CSV: email, phone, names, 3 attributes), status ${imp.job.status}, ` +
          `count ${JSON.stringify(imp.job.count)}, ${imp.seconds.toFixed(1)} s (${Math.round(IMPORT_ROWS / imp.seconds)} rows/s) from job start to complete.`,
      );
    }
    console.log(report.join("\n"));
  } finally {
    child.kill("SIGTERM");
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
