// The benchmarks' data, seeded once into a local state dir that later runs start from (as a copy, see
// startServer in bench/lib.mjs): migrations, the demo tenant, `count` platform customers in their own
// application (bench/customers-seed.mjs) and `count` customers × 10 attributes in the demo application
// (bench/attributes-seed.mjs). The dir is reused while its fingerprint (count, SEED_VERSION, the demo
// tenant) matches, otherwise dropped and seeded again; migrations added later are applied to it.
//
// wrangler makes the database (migrations, demo tenant); the bulk rows then go straight into its
// SQLite file with node:sqlite, in one transaction, with the wrangler process gone. `wrangler d1
// execute --file` spent most of its time parsing and shipping SQL text (≈ 85 s for 100k); this path
// makes 1M customers feasible on 2 cores. The triggers of the migrations still fill the search index.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seedStatements } from "./attributes-seed.mjs";
import { seedCustomers } from "./customers-seed.mjs";
import { ROOT } from "./lib.mjs";

/** Customers per data set; BENCH_CUSTOMERS=2000 for a quick try (bench/growth.mjs takes a list). */
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
const SEED_VERSION = 3;

/** What the seeded data depends on: a change to any of it means seeding again. */
function fingerprint(count) {
  return createHash("sha256").update(`${count}:${SEED_VERSION}`).update(readFileSync(join(ROOT, "scripts/seed-demo.sql"))).digest("hex");
}

/** The migrations, by name and content: new or changed ones are applied to a seeded state in place. */
function migrationsHash() {
  const hash = createHash("sha256");
  for (const file of readdirSync(join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
    hash.update(file).update(readFileSync(join(ROOT, "migrations", file)));
  }
  return hash.digest("hex");
}

/** The SQLite file of the local D1 database under a wrangler state dir (the one that is not miniflare's metadata). */
export function d1File(state) {
  const dir = join(state, "v3/d1/miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0]);
}

/**
 * Runs `fill` with the secondary indexes of `tables` dropped, then builds them again: one sort per
 * index instead of millions of random-order inserts. The indexes come back with the exact SQL the
 * migrations created them with (read from sqlite_master), so the schema is unchanged.
 */
function withIndexesRebuilt(db, tables, fill) {
  const indexes = db
    .prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${tables.map(() => "?").join(", ")})`)
    .all(...tables);
  for (const { name } of indexes) db.exec(`drop index "${name}"`);
  fill();
  for (const { sql } of indexes) db.exec(sql);
}

/**
 * Runs `fill` with the filter bitmaps' triggers (migration 0019) dropped, then builds the bitmaps
 * with that migration's own backfill statements and puts the triggers back (their SQL read from
 * sqlite_master): one grouped pass instead of a trigger per inserted index row, which made the
 * attribute data set ≈ 5× slower to seed (20k: 13 s).
 */
function withBitmapsRebuilt(db, fill) {
  const triggers = db.prepare("select name, sql from sqlite_master where type = 'trigger' and name like 'attribute_bitmaps_%'").all();
  for (const { name } of triggers) db.exec(`drop trigger "${name}"`);
  fill();
  const migration = readdirSync(join(ROOT, "migrations")).find((f) => /^\d+_attribute_bits\.sql$/.test(f));
  const statements = readFileSync(join(ROOT, "migrations", migration), "utf8").split("--> statement-breakpoint");
  db.exec("delete from attribute_bitmaps; delete from attribute_bitmap_values");
  for (const statement of statements.slice(statements.findIndex((st) => st.includes("CREATE TABLE attribute_bitmaps_backfill")))) db.exec(statement);
  for (const { sql } of triggers) db.exec(sql);
}

/** Seconds `fn` takes, logged under `label` and kept in `timings`. */
function timed(timings, label, fn) {
  const started = performance.now();
  fn();
  timings[label] = Math.round((performance.now() - started) / 100) / 10;
  log(`${label}: ${timings[label]} s`);
}

/**
 * Returns the path of a local state holding the benchmark data for `count` customers, seeding it
 * first when it is missing, stale or `reseed` is set (times in bench/README.md, "Growth").
 */
export async function seededState({ count = SEED_COUNT, reseed = false } = {}) {
  const dir = join(ROOT, "bench/.data", `state-${count}`);
  const marker = join(dir, "seeded.json");
  const expected = fingerprint(count);
  const seeded = !reseed && existsSync(marker) ? JSON.parse(readFileSync(marker, "utf8")) : undefined;
  if (seeded?.fingerprint === expected) {
    // Migrations added since seeding run on the seeded data, as they would on a production database
    // (seeding 1M again takes many minutes); a changed old migration means seeding again.
    if (seeded.migrations !== migrationsHash()) {
      log(`applying new migrations to ${dir}`);
      wrangler(dir, "d1", "migrations", "apply", "DB", "--local");
      writeFileSync(marker, JSON.stringify({ ...seeded, migrations: migrationsHash() }, null, 2));
    }
    return dir;
  }

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const timings = {};
  log(`seeding ${count} customers and ${count} customers × 10 attributes into ${dir} (one-time)`);
  timed(timings, "migrations and demo tenant (wrangler)", () => {
    wrangler(dir, "d1", "migrations", "apply", "DB", "--local");
    wrangler(dir, "d1", "execute", "DB", "--local", "--file", join(ROOT, "scripts/seed-demo.sql"), "--yes");
  });
  // Loaded only here: node:sqlite prints an experimental warning, which runs on seeded data need not.
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(d1File(dir));
  // One writer, nothing else open, and a file that is thrown away if seeding fails: no journal (in
  // WAL mode one big transaction went through a WAL of 6 GB and more at 1M), no fsync, a large
  // page cache for the index builds. The file goes back to WAL mode, as workerd left it.
  db.exec("pragma journal_mode = off; pragma synchronous = off; pragma cache_size = -1000000; pragma temp_store = memory");
  const transaction = (fn) => () => {
    db.exec("begin");
    fn();
    db.exec("commit");
  };
  timed(timings, "platform customers (with their search index, by the triggers)", transaction(() => seedCustomers(db, count)));
  timed(
    timings,
    "attribute data set (users, 10 attributes, value index rows, bitmaps)",
    transaction(() =>
      withBitmapsRebuilt(db, () =>
        withIndexesRebuilt(db, ["attribute_values", "user_attributes", "attribute_subjects"], () => {
          for (const statement of seedStatements(count)) db.exec(statement);
        }),
      ),
    ),
  );
  timed(timings, "analyze", () => db.exec("analyze"));
  db.exec("pragma journal_mode = wal");
  db.close();
  const seconds = Math.round((performance.now() - started) / 1000);
  const bytes = statSync(d1File(dir)).size;
  writeFileSync(marker, JSON.stringify({ fingerprint: expected, migrations: migrationsHash(), count, seconds, timings, bytes, seededAt: new Date().toISOString() }, null, 2));
  log(`seeded in ${seconds} s (${(bytes / 1e9).toFixed(2)} GB)`);
  return dir;
}
