// node bench/compare.mjs <checkout> <checkout> … — getLoggedInUser's ratio to the bare route for
// several builds in ONE run (run it with the Node 22 of node_modules/.bin, e.g. from an npm script
// or `node_modules/node/bin/node bench/compare.mjs …`). Each checkout (a git worktree with its own
// npm ci or a node_modules link) gets its own `wrangler dev`, all started first; then every round
// measures the bare route and getLoggedInUser on each build in turn (order reversed every other
// round), so the builds share the machine's load instead of each getting its own minutes.
// ROUNDS (default 6), SECONDS_EACH (default 5). Prints each round and the medians (bench/README).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const variants = process.argv.slice(2).map((dir) => resolve(dir));
if (!variants.length) throw new Error("usage: bench/compare.mjs <checkout dir> <checkout dir> …");
const rounds = Number(process.env.ROUNDS ?? 6);
const seconds = Number(process.env.SECONDS_EACH ?? 5);
const connections = 10;
const BARE = "bare route (GET /_health)";
const GLIU = "getLoggedInUser (valid cookie)";
const servers = [];
for (const v of variants) {
  const lib = await import(pathToFileURL(`${v}/bench/lib.mjs`).href);
  const sc = await import(pathToFileURL(`${v}/bench/scenarios.mjs`).href);
  const plan = sc.scenarios("", {}).filter((s) => s.name === BARE || s.name === GLIU);
  const { server, fixtures } = await sc.startFor(plan, { connections });
  const list = sc.scenarios(server.base, fixtures).filter((s) => s.name === BARE || s.name === GLIU);
  const byName = Object.fromEntries(list.map((s) => [s.name, s]));
  for (const s of list) await lib.warmUp(s);
  servers.push({ v, lib, server, byName });
  console.error(`started ${v} at ${server.base}`);
}
const rows = [];
try {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...servers].reverse() : servers;
    for (const { v, lib, server, byName } of order) {
      const out = {};
      for (const name of [BARE, GLIU]) {
        await lib.warmUp(byName[name]);
        out[name] = await lib.measure(byName[name], { durationSeconds: seconds, connections, processGroup: server.processGroup });
      }
      const b = out[BARE], g = out[GLIU];
      const row = { round: r + 1, v, load: (await import("node:os")).loadavg()[0].toFixed(2), bareRps: b.rps, bareCpu: b.cpuMs, rps: g.rps, cpu: g.cpuMs, ratio: g.rps / b.rps, cpuRatio: b.cpuMs / g.cpuMs, failed: b.failed + g.failed };
      rows.push(row);
      console.log(`round ${row.round} ${v} load ${row.load} bare ${b.rps.toFixed(0)} req/s ${b.cpuMs.toFixed(2)} ms | gLIU ${g.rps.toFixed(0)} req/s ${g.cpuMs.toFixed(2)} ms | ×bare ${row.ratio.toFixed(2)} by CPU ${row.cpuRatio.toFixed(2)} | extra CPU ${(g.cpuMs - b.cpuMs).toFixed(2)} ms | failed ${row.failed}`);
    }
  }
} finally {
  for (const { server } of servers) await server.stop();
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const v of variants) {
  const mine = rows.filter((r) => r.v === v);
  console.log(`${v}: median ×bare ${med(mine.map((r) => r.ratio)).toFixed(3)} (range ${Math.min(...mine.map((r) => r.ratio)).toFixed(2)}–${Math.max(...mine.map((r) => r.ratio)).toFixed(2)}), by CPU ${med(mine.map((r) => r.cpuRatio)).toFixed(3)} (range ${Math.min(...mine.map((r) => r.cpuRatio)).toFixed(2)}–${Math.max(...mine.map((r) => r.cpuRatio)).toFixed(2)}), gLIU CPU ${med(mine.map((r) => r.cpu)).toFixed(2)} ms, bare CPU ${med(mine.map((r) => r.bareCpu)).toFixed(2)} ms, extra ${med(mine.map((r) => r.cpu - r.bareCpu)).toFixed(2)} ms`);
}
