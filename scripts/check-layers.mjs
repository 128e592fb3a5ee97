// The layering rule of the README's Layout section, checked: no lower layer imports a higher one, no import circles.
// Runs in `npm run typecheck`; exits 1 and names each offending import.
import fs from "node:fs"; import path from "node:path"; import { execSync } from "node:child_process";
const files = execSync("git ls-files src --cached --others --exclude-standard", { encoding: "utf8" }).split("\n").filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"));
const abs = (f) => path.resolve(f);
const graph = new Map();
const exts = [".ts", "/index.ts", ".js", ""];
for (const f of files) {
  const src = fs.readFileSync(f, "utf8");
  const deps = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+["'](\.[^"']+)["']/gms)) {
    const base = path.resolve(path.dirname(f), m[3]);
    const hit = exts.map((e) => base + e).find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
    if (hit) deps.push({ to: path.relative(process.cwd(), hit), typeOnly: !!m[2] });
  }
  graph.set(f, deps);
}
const layer = (f) => f.split("/")[1];
const lower = new Set(["db", "durable", "kv", "notify", "schemas", "crypto", "errors.ts", "api-paths.ts", "lib"]);
let bad = 0;
for (const [f, deps] of graph) for (const d of deps) {
  const a = layer(f), b = layer(d.to);
  if (lower.has(a) && (b === "services" || b === "http" || b === "routes" || b === "wiring")) { console.log("UP", f, "->", d.to); bad++; }
  if (a === "services" && (b === "http" || b === "routes" || b === "wiring")) { if (!(d.typeOnly && d.to === "src/http/context.ts")) { console.log("UP", f, "->", d.to, d.typeOnly ? "(type)" : ""); bad++; } }
  if (a === "wiring" && (b === "routes")) { console.log("UP", f, "->", d.to); bad++; }
  if (a === "errors.ts") { console.log("UP", f, "->", d.to, "(errors.ts imports nothing of ours)"); bad++; }
}
// cycles (all imports, type ones included)
const state = new Map(); const stack = []; const cycles = new Set();
function dfs(n) { state.set(n, 1); stack.push(n); for (const d of graph.get(n) ?? []) { const s = state.get(d.to); if (s === 1) cycles.add(stack.slice(stack.indexOf(d.to)).concat(d.to).join(" -> ")); else if (!s) dfs(d.to); } stack.pop(); state.set(n, 2); }
for (const f of graph.keys()) if (!state.get(f)) dfs(f);
for (const c of cycles) console.log("CYCLE", c);
console.log(`layers: ${bad} upward imports, ${cycles.size} import circles`);
if (bad || cycles.size) process.exit(1);
