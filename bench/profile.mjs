// npm run bench:profile [-- pbkdf2 login session …] — CPU profiles of the Worker's isolate while each
// scenario runs (autocannon, BENCH_SECONDS, BENCH_CONNECTIONS) against a fresh, unminified
// `wrangler dev`, taken through its DevTools inspector. For each: how long the isolate was busy per
// request (its JavaScript, the Web Crypto and storage calls it makes, and its Durable Objects, which
// run in the same isolate), and the functions with the most self time. Whole profiles go to
// test-results/<scenario>.cpuprofile (Chrome DevTools → Performance → Load profile).
//
// What the isolate does not show is work in other processes: the local D1 and KV simulations and
// wrangler's proxy. Those run on other machines in production, which is why the isolate's busy time is
// the closer local stand-in for what a request costs the Worker there (bench/README.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_APP, ROOT, cycle, measure, seedUser, startServer, warmUp } from "./lib.mjs";

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ["pbkdf2", "login", "session"];
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SAMPLING_MICROSECONDS = 200;
const AUTH = "/service/application/user/authentication/v1.0";

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

function scenarios(base, users) {
  const storefront = { authorization: DEMO_APP.authorization };
  return {
    bare: { url: `${base}/_health` },
    pbkdf2: { url: `${base}/_bench/pbkdf2` },
    login: {
      url: `${base}${AUTH}/login/password`,
      method: "POST",
      headers: { ...storefront, "content-type": "application/json" },
      next: cycle(users, (u) => ({ body: JSON.stringify({ username: u.email, password: u.password }) })),
    },
    session: { url: `${base}${AUTH}/session`, headers: storefront, next: cycle(users, (u) => ({ headers: { cookie: u.cookie } })) },
  };
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

const server = await startServer({ devArgs: ["--minify=false"] });
try {
  const users = [];
  for (let i = 0; i < connections; i++) users.push(await seedUser(server.base, { email: `profile-${i}@example.com` }));
  const all = scenarios(server.base, users);
  const inspector = await devtools(server.inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_MICROSECONDS });
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  const summaries = [];
  for (const name of wanted) {
    if (!all[name]) throw new Error(`unknown scenario ${name}: one of ${Object.keys(all).join(", ")}`);
    await warmUp(all[name]);
    await inspector.send("Profiler.start");
    const result = await measure(all[name], { durationSeconds, connections, processGroup: server.processGroup });
    const { profile } = await inspector.send("Profiler.stop");
    writeFileSync(join(ROOT, "test-results", `${name}.cpuprofile`), JSON.stringify(profile));
    const summary = summarise(profile, result.total);
    summaries.push({ name, ...result, ...summary });
    console.log(`\n${name}: ${result.rps.toFixed(0)} req/s, ${result.failed} failed; isolate busy ${summary.busyMs.toFixed(2)} ms/request, whole server ${result.cpuMs.toFixed(2)} ms/request`);
    console.log("| function (self time) | ms/request |\n|---|---:|");
    for (const [fn, ms] of summary.top) console.log(`| ${fn} | ${ms.toFixed(2)} |`);
  }
  inspector.close();
  const pbkdf2 = summaries.find((s) => s.name === "pbkdf2");
  const login = summaries.find((s) => s.name === "login");
  if (pbkdf2 && login) {
    console.log(`\npassword login vs PBKDF2 only — isolate busy time: ${(pbkdf2.busyMs / login.busyMs).toFixed(2)}×, whole server CPU: ${(pbkdf2.cpuMs / login.cpuMs).toFixed(2)}×, req/s: ${(login.rps / pbkdf2.rps).toFixed(2)}×`);
  }
  console.log(`profiles: ${join(ROOT, "test-results")}/<scenario>.cpuprofile`);
} finally {
  await server.stop();
}
