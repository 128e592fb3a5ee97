// npm run bench:growth — how the data-bound requests grow with the store: for each level of
// BENCH_LEVELS (default 10000,100000,1000000 customers; each its own seeded state from bench/seed.mjs,
// seeded once and reused), one `wrangler dev` on a copy of it, then every request kind timed one at a
// time (BENCH_LATENCY_REQUESTS, default 100, after 10 warm-up, client-side ms) and one export of all
// the platform customers (time, progress, the server's memory). Results go to bench/growth.json (a
// level run alone replaces only its own entry), the table into bench/README.md between the growth
// markers, and the plot to bench/growth.svg (bench/plot.mjs).
//
//   npm run bench:growth                               (= BENCH_CUSTOMERS=10000,100000,1000000 npm run bench)
//   BENCH_LEVELS=1000000 npm run bench:growth           one level again
//   BENCH_GROWTH_ONLY='filter' npm run bench:growth     some request kinds (regex), export included only if it matches "export"
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { SCENARIOS as FILTERS, defId, filterRequest } from "./attributes-seed.mjs";
import { CUSTOMERS_TENANT, customerRequests } from "./customers-seed.mjs";
import { DEMO_APP, ROOT, cycle, platformToken, seedUser, startServer, timeSequential } from "./lib.mjs";
import { writePlot } from "./plot.mjs";
import { seededState } from "./seed.mjs";

/** BENCH_LEVELS, or BENCH_CUSTOMERS when it lists several (`npm run bench` hands those over). */
export const LEVELS = (process.env.BENCH_LEVELS ?? (process.env.BENCH_CUSTOMERS?.includes(",") ? process.env.BENCH_CUSTOMERS : "10000,100000,1000000"))
  .split(",")
  .map(Number);
const REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 100);
const ONLY = process.env.BENCH_GROWTH_ONLY ? new RegExp(process.env.BENCH_GROWTH_ONLY, "i") : undefined;
const EXPORT_TIMEOUT_SECONDS = Number(process.env.BENCH_EXPORT_TIMEOUT ?? 3600);
const RESULTS = join(ROOT, "bench/growth.json");
const USERS = 5;

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);
const AUTH = "/service/application/user/authentication/v1.0";
const platformPath = (company, application) => `/service/platform/user/v1.0/company/${company}/application/${application}`;

/** Resident memory (bytes) of every process of the server's process group (wrangler, workerd), from /proc. */
function serverRss(processGroup) {
  let bytes = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== processGroup) continue;
      bytes += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return bytes;
}

/**
 * The request kinds, grouped as in the issue: admin search (each kind), the attribute filter (each
 * shape), getCustomers pages, getLoggedInUser. `target` is the p95 the issue asks for at 1M.
 */
function kinds(count, { customersToken, demoToken, users }) {
  const customers = platformPath(CUSTOMERS_TENANT.company, CUSTOMERS_TENANT.application);
  const demo = platformPath(DEMO_APP.company, DEMO_APP.id);
  const admin = { authorization: `Bearer ${customersToken}` };
  const filterHeaders = { authorization: `Bearer ${demoToken}`, "content-type": "application/json" };
  const requests = customerRequests(count, customers);
  const lastPage = Math.ceil(count / 20);
  const shapes = {
    ...FILTERS,
    "1 condition, city eq (random city)": () => ({ type: "and", conditions: [{ definition_id: defId("city"), type: "eq", value: `city${Math.floor(Math.random() * 50)}` }] }),
  };
  return [
    ...requests.filter((r) => r.search).map((r) => ({ group: "admin search", name: r.name, headers: admin, next: r.next, target: 50 })),
    ...Object.entries(shapes).map(([name, query]) => ({
      group: "attribute filter",
      name,
      method: "POST",
      headers: filterHeaders,
      next: () => filterRequest(demo, typeof query === "function" ? query() : query),
      target: 100,
    })),
    ...requests.filter((r) => !r.search).map((r) => ({ group: "getCustomers", name: r.name, headers: admin, next: r.next })),
    {
      group: "getCustomers",
      name: "list, last page (20)",
      headers: admin,
      next: () => ({ path: `${customers}/customers/list?page_size=20&page_no=${lastPage}`, check: (b) => b.items.length > 0 && b.page.has_next === false }),
    },
    {
      group: "getLoggedInUser",
      name: "getLoggedInUser (valid cookie)",
      headers: { authorization: DEMO_APP.authorization },
      next: cycle(users, (u) => ({ path: `${AUTH}/session`, headers: { cookie: u.cookie }, check: (b) => typeof b.user?._id === "string" })),
    },
  ];
}

/** One export of every customer of the customers tenant: from job creation to `complete`, polling its progress each second. */
async function timeExport(base, token, processGroup, count) {
  const plat = platformPath(CUSTOMERS_TENANT.company, CUSTOMERS_TENANT.application);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const rssBefore = serverRss(processGroup);
  let rssPeak = rssBefore;
  const started = performance.now();
  const res = await fetch(`${base}${plat}/users/jobs/export`, { method: "POST", headers, body: JSON.stringify({ file_format: "csv" }) });
  let job = await res.json();
  if (!res.ok) throw new Error(`export: ${res.status} ${JSON.stringify(job)}`);
  const progress = [];
  let lastLog = 0;
  while (job.status === "inprogress" && performance.now() - started < EXPORT_TIMEOUT_SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    job = await (await fetch(`${base}${plat}/users/jobs/${job._id}`, { headers })).json();
    rssPeak = Math.max(rssPeak, serverRss(processGroup));
    const seconds = (performance.now() - started) / 1000;
    progress.push([Math.round(seconds), job.count.total]);
    if (seconds - lastLog > 30) {
      log(`export: ${job.count.total} of ${count} rows after ${seconds.toFixed(0)} s`);
      lastLog = seconds;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  let lines;
  let bytes = 0;
  if (job.status === "complete") {
    // Streamed and counted, never held: the file of 1M customers is ≈ 100 MB.
    const file = await fetch(`${base}${job.links.file.relative_url}`, { headers });
    lines = 0;
    for await (const chunk of file.body) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines++;
    }
  }
  return {
    status: job.status,
    ...(job.message ? { message: job.message } : {}),
    rows: job.count.total,
    seconds,
    rowsPerSecond: job.count.total / seconds,
    fileLines: lines,
    fileBytes: bytes,
    rssBeforeMB: rssBefore / 2 ** 20,
    rssPeakMB: rssPeak / 2 ** 20,
    progressPolls: progress.length,
    progressMoved: new Set(progress.map(([, n]) => n)).size,
  };
}

async function measureLevel(count) {
  const state = await seededState({ count });
  const seed = JSON.parse(readFileSync(join(state, "seeded.json"), "utf8"));
  const copyStarted = performance.now();
  log(`level ${count}: starting wrangler dev on a copy of ${state}`);
  const server = await startServer({ copyOf: state });
  const startSeconds = (performance.now() - copyStarted) / 1000;
  try {
    const users = [];
    for (let i = 0; i < USERS; i++) users.push(await seedUser(server.base, { email: `growth-${i}@example.com` }));
    const fixtures = {
      users,
      customersToken: await platformToken(server.base, CUSTOMERS_TENANT),
      demoToken: await platformToken(server.base, DEMO_APP),
    };
    const rows = [];
    for (const kind of kinds(count, fixtures).filter((k) => !ONLY || ONLY.test(`${k.group} ${k.name}`))) {
      // Platform tokens live 15 minutes and a 1M level takes longer: a fresh one per request kind.
      if (kind.group !== "getLoggedInUser") kind.headers.authorization = `Bearer ${await platformToken(server.base, kind.group === "attribute filter" ? DEMO_APP : CUSTOMERS_TENANT)}`;
      const result = await timeSequential({ ...kind, url: server.base }, { requests: REQUESTS });
      rows.push({ group: kind.group, name: kind.name, target: kind.target, ...result });
      log(`${count} ${kind.group}: ${kind.name}: p50 ${result.p50.toFixed(1)} p95 ${result.p95.toFixed(1)}${result.failed ? ` (${result.failed} failed)` : ""}`);
    }
    let exported;
    if (!ONLY || ONLY.test("export")) {
      log(`${count}: exporting every customer`);
      exported = await timeExport(server.base, await platformToken(server.base, CUSTOMERS_TENANT), server.processGroup, count);
      log(`${count}: export ${exported.status}${exported.message ? ` (${exported.message})` : ""}, ${exported.rows} rows in ${exported.seconds.toFixed(0)} s, peak RSS ${exported.rssPeakMB.toFixed(0)} MB`);
    }
    return {
      count,
      runAt: new Date().toISOString(),
      commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim(),
      load: loadavg()[0],
      seed: { seconds: seed.seconds, timings: seed.timings, gigabytes: seed.bytes / 1e9 },
      startSeconds,
      rows,
      export: exported,
    };
  } finally {
    await server.stop();
  }
}

const fmt = (n, digits = 1) => (n === undefined ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const short = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** The growth table: one row per request kind, p50/p95 per level, the growth of p95 from level to level. */
export function growthTable(results) {
  const levels = Object.values(results.levels).sort((a, b) => a.count - b.count);
  const names = [];
  for (const level of levels) for (const r of level.rows) if (!names.some((n) => n.name === r.name)) names.push(r);
  const header = [
    `| request (sequential, client-side ms) | ${levels.map((l) => `${short(l.count)} p50 / p95`).join(" | ")} | p95 growth ${levels.map((l) => short(l.count)).join("→")} | p95 target at 1M |`,
    `|---|${levels.map(() => "---:").join("|")}|---:|---|`,
  ];
  const body = names.map(({ group, name, target }) => {
    const cells = levels.map((l) => l.rows.find((r) => r.name === name));
    const growth = cells
      .slice(1)
      .map((c, i) => (c && cells[i] ? `×${fmt(c.p95 / cells[i].p95, 1)}` : "—"))
      .join(", ");
    const top = levels.at(-1)?.count === 1_000_000 ? cells.at(-1) : undefined;
    const verdict = target ? `< ${target}: ${top ? (top.p95 < target ? "met" : "**NOT met**") : "—"}` : "";
    const failed = cells.some((c) => c?.failed) ? ` (failed: ${cells.map((c) => c?.failed ?? "—").join("/")})` : "";
    return `| ${group}: ${name}${failed} | ${cells.map((c) => (c ? `${fmt(c.p50)} / ${fmt(c.p95)}` : "—")).join(" | ")} | ${growth} | ${verdict} |`;
  });
  const exportRow = (l) =>
    l.export
      ? `${l.export.status}, ${l.export.rows.toLocaleString("en-US")} rows in ${fmt(l.export.seconds, 0)} s (${fmt(l.export.rowsPerSecond, 0)} rows/s), file ${l.export.fileLines === undefined ? "—" : `${l.export.fileLines.toLocaleString("en-US")} lines, ${fmt(l.export.fileBytes / 1e6, 0)} MB`}, server RSS ${fmt(l.export.rssBeforeMB, 0)} → peak ${fmt(l.export.rssPeakMB, 0)} MB, progress moved in ${l.export.progressMoved} of ${l.export.progressPolls} polls`
      : "—";
  const runs = levels.map(
    (l) =>
      `- ${short(l.count)}: run ${l.runAt.slice(0, 16).replace("T", " ")} UTC at ${l.commit}, load ${fmt(l.load, 1)}; seeded once in ${fmt(l.seed.seconds, 0)} s (${fmt(l.seed.gigabytes, 2)} GB: ${Object.entries(l.seed.timings ?? {})
        .map(([k, v]) => `${k} ${fmt(v, 0)} s`)
        .join(", ")}); copy + start ${fmt(l.startSeconds, 0)} s. Export of all customers: ${exportRow(l)}.`,
  );
  return [...header, ...body, "", ...runs].join("\n");
}

export async function runGrowth(levels = LEVELS) {
  const results = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, "utf8")) : { levels: {} };
  results.machine = `${cpus().length}× ${cpus()[0]?.model ?? "unknown CPU"}, node ${process.version}`;
  for (const count of levels) {
    const measured = await measureLevel(count);
    const previous = results.levels[count];
    // A subset run keeps the other kinds of the level's last full run.
    if (ONLY && previous) {
      measured.rows = [...previous.rows.filter((r) => !measured.rows.some((m) => m.name === r.name)), ...measured.rows];
      measured.export ??= previous.export;
    }
    results.levels[count] = measured;
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
  const table = growthTable(results);
  console.log(`\n${table}\n`);
  const readmePath = join(ROOT, "bench/README.md");
  const readme = readFileSync(readmePath, "utf8");
  if (readme.includes("<!-- growth:start -->")) {
    writeFileSync(readmePath, readme.replace(/<!-- growth:start -->[\s\S]*<!-- growth:end -->/, `<!-- growth:start -->\n${table}\n<!-- growth:end -->`));
  }
  writePlot(results);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runGrowth().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
