// npm run bench:profile [-- '<regex over scenario names>'] — CPU profiles of the Worker's isolate while
// each picked scenario of `npm run bench` (bench/scenarios.mjs; by default PBKDF2 only, password login
// and getLoggedInUser) runs (autocannon, BENCH_SECONDS, BENCH_CONNECTIONS) against an unminified
// `wrangler dev`, taken through its DevTools inspector. For each: how long the isolate was busy per
// request (its JavaScript, the Web Crypto and storage calls it makes, and its Durable Objects, which
// run in the same isolate), and the functions with the most self time. Whole profiles go to
// test-results/<scenario>.cpuprofile (Chrome DevTools → Performance → Load profile; the name up to
// its first space or parenthesis).
//
// What the isolate does not show is work in other processes: the local D1 and KV simulations and
// wrangler's proxy. Those run on other machines in production, which is why the isolate's busy time is
// the closer local stand-in for what a request costs the Worker there (bench/README.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, measure, warmUp } from "./lib.mjs";
import { LOGIN, PBKDF2, scenarios, startFor } from "./scenarios.mjs";

const wanted = new RegExp(process.argv[2] ?? "^(PBKDF2 only|password login|getLoggedInUser)", "i");
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SAMPLING_MICROSECONDS = 200;

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
async function devtools(port) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  // The inspector accepts only local origins; Node's WebSocket sends none unless told (undici's `headers`).
  const socket = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

const IDLE = new Set(["(idle)", "(program)"]);

/** Busy time per request and the top functions by self time (ms per request). */
function summarise(profile, requests) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map();
  let busyMicros = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id);
    const name = node.callFrame.functionName || "(anonymous)";
    if (IDLE.has(name)) return;
    busyMicros += delta;
    const key = `${name}${node.callFrame.url ? ` (${node.callFrame.url.replace(/^.*\//, "")}:${node.callFrame.lineNumber + 1})` : ""}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  });
  const perRequest = (micros) => micros / 1000 / requests;
  const top = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return { busyMs: perRequest(busyMicros), top: top.map(([name, micros]) => [name, perRequest(micros)]) };
}

const plan = scenarios("", {}).filter((s) => wanted.test(s.name));
if (!plan.length) throw new Error(`no scenario matches ${wanted}: see bench/scenarios.mjs`);
const { server, fixtures } = await startFor(plan, { connections, devArgs: ["--minify=false"] });
try {
  const picked = new Set(plan.map((s) => s.name));
  const inspector = await devtools(server.inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_MICROSECONDS });
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  const summaries = new Map();
  for (const scenario of scenarios(server.base, fixtures).filter((s) => picked.has(s.name))) {
    await warmUp(scenario);
    await inspector.send("Profiler.start");
    const result = await measure(scenario, { durationSeconds, connections, processGroup: server.processGroup });
    const { profile } = await inspector.send("Profiler.stop");
    const file = join(ROOT, "test-results", `${scenario.name.split(/[ (]/)[0]}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const summary = summarise(profile, result.total);
    summaries.set(scenario.name, { ...result, ...summary });
    console.log(`\n${scenario.name}: ${result.rps.toFixed(0)} req/s, ${result.failed} failed; isolate busy ${summary.busyMs.toFixed(2)} ms/request, whole server ${result.cpuMs.toFixed(2)} ms/request (${file})`);
    console.log("| function (self time) | ms/request |\n|---|---:|");
    for (const [fn, ms] of summary.top) console.log(`| ${fn} | ${ms.toFixed(2)} |`);
  }
  inspector.close();
  const pbkdf2 = summaries.get(PBKDF2);
  const login = summaries.get(LOGIN);
  if (pbkdf2 && login) {
    console.log(`\npassword login vs PBKDF2 only — isolate busy time: ${(pbkdf2.busyMs / login.busyMs).toFixed(2)}×, whole server CPU: ${(pbkdf2.cpuMs / login.cpuMs).toFixed(2)}×, req/s: ${(login.rps / pbkdf2.rps).toFixed(2)}×`);
  }
} finally {
  await server.stop();
}
