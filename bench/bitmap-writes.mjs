// npm run bench:bitmap-writes — what the filter bitmaps (migration 0019, attribute_bitmaps and its
// triggers) add to writing a value, in SQLite itself: on a seeded state (BENCH_CUSTOMERS, default
// 1M; seeded by `npm run bench:growth`), inside one transaction that is rolled back, so the state is
// left as it was. For random customers, a value of each kind is replaced the way AttributesRepo
// replaces it (delete the user's index rows of the attribute, insert the new ones), with the
// triggers, then again after dropping them in the same transaction (after a first pass that warms
// the pages). Per write, median and p95 µs.
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { ROOT } from "./lib.mjs";
import { d1File } from "./seed.mjs";

const count = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const writes = Number(process.env.BENCH_WRITES ?? 2_000);
const db = new DatabaseSync(d1File(join(ROOT, "bench/.data", `state-${count}`)));
const key = (slug) => db.prepare("select key from attribute_definitions where slug = ? and application_id = '000000000000000000000001'").get(slug).key;
const KINDS = {
  "number (score)": { def: key("score"), rows: (i) => [[null, null, (i * 7) % 1000]] },
  "date (signup, epoch ms)": { def: key("signup"), rows: (i) => [[null, null, 1_600_000_000_000 + i * 60_000]] },
  "enum (tier)": { def: key("tier"), rows: (i) => [[["gold", "silver", "bronze", "none"][i % 4], ["gold", "silver", "bronze", "none"][i % 4], null]] },
  "text (nickname, 10 characters)": { def: key("nickname"), rows: (i) => [[`Nick${100000 + (i % 900000)}`, `nick${100000 + (i % 900000)}`, null]] },
  "multi-value text (tags, 2 elements)": { def: key("tags"), rows: (i) => [[`tag${i % 20}`, `tag${i % 20}`, null], [`tag${(i + 7) % 20}`, `tag${(i + 7) % 20}`, null], [null, null, null]] },
};
const remove = db.prepare("delete from attribute_values where subject = ? and def_key = ?");
const insert = db.prepare("insert into attribute_values (def_key, subject, value_text, value_fold, value_num) values (?, ?, ?, ?, ?)");
const p = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

function run() {
  const out = {};
  for (const [name, { def, rows }] of Object.entries(KINDS)) {
    const times = [];
    for (let n = 0; n < writes; n++) {
      const subject = 1 + Math.floor(Math.random() * count);
      const t = performance.now();
      remove.run(subject, def);
      for (const [text, fold, num] of rows(n)) insert.run(def, subject, text, fold, num);
      times.push((performance.now() - t) * 1000);
    }
    times.sort((a, b) => a - b);
    out[name] = [p(times, 0.5), p(times, 0.95)];
  }
  return out;
}

db.exec("begin");
try {
  // A first pass warms the pages both measured passes touch (not reported).
  run();
  const withBitmaps = run();
  for (const { name } of db.prepare("select name from sqlite_master where type = 'trigger' and name like 'attribute_bitmaps_%'").all()) db.exec(`drop trigger ${name}`);
  const without = run();
  console.log(`| value write at ${count.toLocaleString("en")} customers (SQLite, µs) | without bitmaps p50 / p95 | with bitmaps p50 / p95 | × p50 |`);
  console.log("|---|---:|---:|---:|");
  for (const name of Object.keys(KINDS)) {
    const [a, b] = without[name];
    const [c, d] = withBitmaps[name];
    console.log(`| ${name} | ${a.toFixed(0)} / ${b.toFixed(0)} | ${c.toFixed(0)} / ${d.toFixed(0)} | ×${(c / a).toFixed(1)} |`);
  }
} finally {
  db.exec("rollback");
}
