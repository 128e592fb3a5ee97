// npm run bench: starts a fresh `wrangler dev` on loopback, seeds a user, measures each scenario
// for BENCH_SECONDS (default 10) with BENCH_CONNECTIONS (default 10) connections, prints a table
// and writes it into bench/README.md between the results markers.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DEMO_APP, ROOT, measure, roundRobin, seedUser, startServer, warmUp } from "./lib.mjs";

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const APP = "/service/application/user/authentication/v1.0";

/**
 * Each scenario: a name, autocannon request options, and the scenario it is measured against (the
 * targets of issue 3). Logged-in scenarios spread over several users, as real traffic does.
 */
function scenarios(base, users) {
  const storefront = { authorization: DEMO_APP.authorization };
  return [
    { name: "bare route (GET /_health)", url: `${base}/_health` },
    { name: "PBKDF2 only (GET /_bench/pbkdf2)", url: `${base}/_bench/pbkdf2` },
    {
      name: "session check only (GET /_bench/session)",
      url: `${base}/_bench/session`,
      requests: [roundRobin(users, (u) => ({ headers: { ...storefront, cookie: u.cookie } }))],
      baseline: "bare route (GET /_health)",
      target: 0.6,
    },
    {
      name: "getLoggedInUser (valid cookie)",
      url: `${base}${APP}/session`,
      requests: [roundRobin(users, (u) => ({ headers: { ...storefront, cookie: u.cookie } }))],
      baseline: "bare route (GET /_health)",
      target: 0.6,
    },
    {
      name: "password login",
      url: `${base}${APP}/login/password`,
      requests: [
        roundRobin(users, (u) => ({
          method: "POST",
          headers: { ...storefront, "content-type": "application/json" },
          body: JSON.stringify({ username: u.email, password: u.password }),
        })),
      ],
      baseline: "PBKDF2 only (GET /_bench/pbkdf2)",
      target: 0.8,
    },
  ];
}

const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(results) {
  const byName = new Map(results.map((r) => [r.name, r]));
  const bare = results[0];
  const rows = results.map((r) => {
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    const vsTarget = base ? `${fmt(r.rps / base.rps, 2)}× of "${base.name}" (target ≥ ${r.target}: ${r.rps / base.rps >= r.target ? "met" : "NOT met"})` : "";
    return `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.rps / bare.rps, 2)} | ${r.non2xx} | ${vsTarget} |`;
  });
  return [
    "| scenario | req/s | p50 ms | p99 ms | × bare | non-2xx | vs baseline |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

const server = await startServer();
try {
  const users = [];
  for (let i = 0; i < connections; i++) users.push(await seedUser(server.base, { email: `bench-${i}@example.com` }));
  const list = scenarios(server.base, users);
  const results = [];
  for (const scenario of list) {
    await warmUp(scenario);
    process.stdout.write(`measuring ${scenario.name} for ${durationSeconds}s… `);
    const result = await measure({ ...scenario, durationSeconds, connections });
    results.push({ ...result, baseline: scenario.baseline, target: scenario.target });
    console.log(`${fmt(result.rps)} req/s`);
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const stamp = `Run ${new Date().toISOString()} on ${cpus().length}× ${cpu}, node ${process.version}, ` +
    `${connections} connections, ${durationSeconds} s per scenario, \`wrangler dev\` (local workerd).`;
  const block = `${stamp}\n\n${table(results)}`;
  console.log(`\n${block}\n`);
  const readmePath = join(ROOT, "bench", "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const updated = readme.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, `<!-- results:start -->\n${block}\n<!-- results:end -->`);
  writeFileSync(readmePath, updated);
} finally {
  await server.stop();
}
