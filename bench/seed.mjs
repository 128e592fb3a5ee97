// The benchmarks' data, seeded once into a local state dir that later runs start from (as a copy, see
// startServer in bench/lib.mjs): migrations, the demo tenant, `count` platform customers in their own
// application (bench/customers-seed.mjs) and `count` customers × 10 attributes in the demo application
// (bench/attributes-seed.mjs). The dir is reused while its fingerprint (count, seed sources,
// migrations) matches; otherwise it is dropped and seeded again.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seedSql } from "./attributes-seed.mjs";
import { writeCustomerSeedFiles } from "./customers-seed.mjs";
import { ROOT } from "./lib.mjs";

/** Customers per data set; BENCH_CUSTOMERS=2000 for a quick try. */
export const SEED_COUNT = Number(process.env.BENCH_CUSTOMERS ?? 100_000);

const log = (...parts) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...parts);

function wrangler(state, ...argv) {
  // This node (22), whatever `node` is on the PATH.
  const result = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...argv, "--persist-to", state], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) throw new Error(`wrangler ${argv.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Bump when what bench/customers-seed.mjs or bench/attributes-seed.mjs writes changes. */
const SEED_VERSION = 2;

/** What the seeded data depends on: a change to any of it means seeding again. */
function fingerprint(count) {
  const hash = createHash("sha256").update(`${count}:${SEED_VERSION}`).update(readFileSync(join(ROOT, "scripts/seed-demo.sql")));
  for (const file of readdirSync(join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
    hash.update(file).update(readFileSync(join(ROOT, "migrations", file)));
  }
  return hash.digest("hex");
}

/**
 * Returns the path of a local state holding the benchmark data for `count` customers, seeding it
 * first when it is missing, stale or `reseed` is set (100k: about 3–4 minutes on 2 shared cores).
 */
export function seededState({ count = SEED_COUNT, reseed = false } = {}) {
  const dir = join(ROOT, "bench/.data", `state-${count}`);
  const marker = join(dir, "seeded.json");
  const expected = fingerprint(count);
  if (!reseed && existsSync(marker) && JSON.parse(readFileSync(marker, "utf8")).fingerprint === expected) return dir;

  rmSync(dir, { recursive: true, force: true });
  const sql = join(dir, "sql");
  mkdirSync(sql, { recursive: true });
  const started = Date.now();
  log(`seeding ${count} customers and ${count} customers × 10 attributes into ${dir} (one-time)`);
  wrangler(dir, "d1", "migrations", "apply", "DB", "--local");
  wrangler(dir, "d1", "execute", "DB", "--local", "--file", join(ROOT, "scripts/seed-demo.sql"), "--yes");
  const files = writeCustomerSeedFiles(sql, count);
  for (const file of files) {
    wrangler(dir, "d1", "execute", "DB", "--local", "--file", file, "--yes");
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  log(`customers seeded in ${((Date.now() - started) / 1000).toFixed(0)} s; now the attributes`);
  const attributes = join(sql, "attributes.sql");
  writeFileSync(attributes, seedSql(count));
  wrangler(dir, "d1", "execute", "DB", "--local", "--file", attributes, "--yes");
  rmSync(sql, { recursive: true, force: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(marker, JSON.stringify({ fingerprint: expected, count, seconds, seededAt: new Date().toISOString() }, null, 2));
  log(`seeded in ${seconds} s`);
  return dir;
}
