// Bench: filterUsersByAttributes over 100k customers × 10 attributes, one filter shape at a time, and
// a 100k-row CSV import, against `wrangler dev` (local D1, R2 and queue) on a copy of the seeded
// benchmark data (bench/seed.mjs). Prints a markdown report for bench/README.md.
//
//   npx node bench/attributes-filter.mjs [--requests 200] [--import-rows 100000]   (BENCH_CUSTOMERS=… for another size)
//
// CPU is shared on dev machines: run it once, alone if you can. It takes a few minutes.
import { APP, SCENARIOS, filterRequest } from "./attributes-seed.mjs";
import { DEMO_APP, platformToken, startServer, timeSequential } from "./lib.mjs";
import { SEED_COUNT, seededState } from "./seed.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const USERS = SEED_COUNT;
const REQUESTS = Number(args.requests ?? 200);
const IMPORT_ROWS = Number(args["import-rows"] ?? 100_000);
const PLAT = `/service/platform/user/v1.0/company/${DEMO_APP.company}/application/${APP}`;

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

async function timeScenario(base, headers, name, query) {
  const request = filterRequest(PLAT, query);
  const scenario = { name, url: base, method: "POST", headers: { ...headers, "content-type": "application/json" }, next: () => request };
  const res = await fetch(new URL(request.path, base), { method: "POST", headers: scenario.headers, body: request.body });
  const matches = (await res.json()).page?.item_total;
  return { matches, ...(await timeSequential(scenario, { requests: REQUESTS })) };
}

async function benchImport(base, headers) {
  const lines = ["email,phone_number,first_name,last_name,attribute:age,attribute:city,attribute:tags"];
  for (let i = 1; i <= IMPORT_ROWS; i++) {
    lines.push(`import${i}@bench.example,+9170${String(i).padStart(8, "0")},Imported${i},Row,${18 + (i % 60)},city${i % 50},tag${i % 20}|tag${(i * 3) % 20}`);
  }
  const csv = `${lines.join("\n")}\n`;
  const uploaded = await fetch(`${base}${PLAT}/users/files?file_name=bench-import.csv`, {
    method: "POST",
    headers: { ...headers, "content-type": "text/csv" },
    body: csv,
  });
  if (!uploaded.ok) throw new Error(`upload: ${uploaded.status} ${await uploaded.text()}`);
  const file = await uploaded.json();
  const started = performance.now();
  const res = await fetch(`${base}${PLAT}/users/jobs/import`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ absolute_url: file.absolute_url, relative_url: file.relative_url, file_format: "csv" }),
  });
  let job = await res.json();
  if (!res.ok) throw new Error(`import: ${res.status} ${JSON.stringify(job)}`);
  let lastLog = 0;
  while (job.status === "inprogress") {
    await new Promise((r) => setTimeout(r, 1000));
    job = await (await fetch(`${base}${PLAT}/users/jobs/${job._id}`, { headers })).json();
    if (performance.now() - lastLog > 15_000) {
      log(`import: ${job.count.total} rows so far`);
      lastLog = performance.now();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { bytes: csv.length, seconds, job };
}

async function main() {
  const state = await seededState();
  log("starting wrangler dev on a copy of the seeded data");
  const server = await startServer({ copyOf: state });
  const base = server.base;
  try {
    const headers = { authorization: `Bearer ${await platformToken(base, DEMO_APP)}` };
    const rows = [];
    for (const [name, query] of Object.entries(SCENARIOS)) {
      log(`timing: ${name}`);
      rows.push({ name, ...(await timeScenario(base, headers, name, query)) });
    }
    const fmt = (n) => n.toFixed(1);
    const report = [
      `Filter (POST …/user_attribute/users, limit 10, page 1), ${USERS} customers × 10 attributes, ${REQUESTS} sequential requests after 10 warm-up, client-side latency in ms:`,
      "",
      "| scenario | matches | p50 | p95 | p99 | max | failed |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${r.name} | ${r.matches} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.failed} |`),
    ];
    if (IMPORT_ROWS > 0) {
      log(`importing ${IMPORT_ROWS} rows`);
      const imp = await benchImport(base, headers);
      report.push(
        "",
        `Import: ${IMPORT_ROWS} rows (${(imp.bytes / 1e6).toFixed(1)} MB CSV: email, phone, names, 3 attributes), status ${imp.job.status}, ` +
          `count ${JSON.stringify(imp.job.count)}, ${imp.seconds.toFixed(1)} s (${Math.round(IMPORT_ROWS / imp.seconds)} rows/s) from job start to complete.`,
      );
    }
    console.log(report.join("\n"));
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
