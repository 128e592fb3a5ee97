// Platform customer list/search at scale, one kind of request at a time: on a copy of the seeded
// benchmark data (bench/seed.mjs: 100k customers in one application), the latency percentiles of
// list, partial search (email / phone / name) and exact lookups over HTTP, each for random real customers.
//
//   npm run bench:customers                 seed if needed, then measure
//   npm run bench:customers -- --reseed     drop the seeded state and seed again
//   npm run bench:customers -- --seed-only  seed, do not measure
//   BENCH_CUSTOMERS=20000 REQUESTS=100 npm run bench:customers
//
// Requests are sequential (one at a time) so the numbers are per-request latency, not throughput;
// the run is bounded (REQUESTS per scenario) because the machine is shared.
import { CUSTOMERS_TENANT, customerRequests } from "./customers-seed.mjs";
import { platformToken, startServer, timeSequential } from "./lib.mjs";
import { SEED_COUNT, seededState } from "./seed.mjs";

const REQUESTS = Number(process.env.REQUESTS ?? 200);

const state = await seededState({ reseed: process.argv.includes("--reseed") });
if (process.argv.includes("--seed-only")) process.exit(0);
const server = await startServer({ copyOf: state });
try {
  const headers = { authorization: `Bearer ${await platformToken(server.base, CUSTOMERS_TENANT)}` };
  const plat = `/service/platform/user/v1.0/company/${CUSTOMERS_TENANT.company}/application/${CUSTOMERS_TENANT.application}`;
  const rows = [];
  for (const { name, next } of customerRequests(SEED_COUNT, plat)) {
    const row = { name, ...(await timeSequential({ name, url: server.base, headers, next }, { requests: REQUESTS })) };
    rows.push(row);
    console.log(`${name.padEnd(44)} p50 ${row.p50.toFixed(1).padStart(6)} ms  p95 ${row.p95.toFixed(1).padStart(6)} ms  p99 ${row.p99.toFixed(1).padStart(6)} ms`);
  }
  console.log(`\n| scenario (${SEED_COUNT.toLocaleString("en")} customers, ${REQUESTS} sequential requests each) | p50 ms | p95 ms | p99 ms | max ms | failed |`);
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.failed} |`);
  const slow = rows.filter((r) => r.p95 >= 50);
  if (slow.length) console.log(`\np95 target (< 50 ms) missed by: ${slow.map((r) => r.name).join(", ")}`);
} finally {
  await server.stop();
}
