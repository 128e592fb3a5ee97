// npx tsx bench/filter-profile.ts <state .sqlite file> [regex over bench filter shapes]
//
// Where an attribute filter's time goes, without wrangler: the filter engine (src/db/user-filter-sql.ts)
// runs on a seeded state's SQLite file through a stand-in D1Database over node:sqlite that times each
// statement, so a run splits into SQL and JavaScript (parsing lists and bitmaps, combining sets), and
// lists every statement of the last of three runs. PROBE_COST=<n> overrides FilterTuning.probeCost.
// (tsx comes with drizzle-kit; the file is opened read-only.)
import { DatabaseSync } from "node:sqlite";
import { AttributesRepo } from "../src/db/attributes-repo";
import { database } from "../src/db/client";
import { FILTER_TUNING, filterSelection, selectPage } from "../src/db/user-filter-sql";
import { loadModels } from "../src/services/attributes/definitions";
import { planFilter } from "../src/services/attributes/filter";
import { SCENARIOS as FILTERS, APP } from "./attributes-seed.mjs";

const db = new DatabaseSync(process.argv[2], { readOnly: true });
let log: string[] = [];
let sqlMs = 0;
function stmt(text: string, params: unknown[] = []) {
  return {
    bind: (...p: unknown[]) => stmt(text, p),
    run() { return this.all(); },
    all() {
      const t = performance.now();
      const results = db.prepare(text).all(...(params as never[]));
      const ms = performance.now() - t;
      sqlMs += ms;
      log.push(`${ms.toFixed(1).padStart(7)} ms  ${results.length} rows  ${text.slice(0, 150).replace(/\s+/g, " ")}`);
      return Promise.resolve({ results, success: true, meta: {} });
    },
    async first() { return (await this.all()).results[0] ?? null; },
    async raw() { return (await this.all()).results.map((r: object) => Object.values(r)); },
  };
}
const d1 = { prepare: (t: string) => stmt(t), batch: async (list: any[]) => { const out = []; for (const s of list) out.push(await s.all()); return out; } } as unknown as D1Database;
const models = await loadModels(new AttributesRepo(database(d1)), APP);
const which = new RegExp(process.argv[3] ?? "all broad");
for (const [name, query] of Object.entries(FILTERS as Record<string, any>)) {
  if (!which.test(name)) continue;
  for (let run = 0; run < 3; run++) {
    log = []; sqlMs = 0;
    const t = performance.now();
    const plan = planFilter(models, { join: query.type, conditions: query.conditions });
    const selection = await filterSelection(d1, APP, plan, process.env.PROBE_COST ? { ...FILTER_TUNING, probeCost: Number(process.env.PROBE_COST) } : FILTER_TUNING);
    const page = await selectPage(d1, selection, 10, 0);
    const total = performance.now() - t;
    console.log(`${name} run ${run}: total ${total.toFixed(1)} ms, SQL ${sqlMs.toFixed(1)} ms, JS ${(total - sqlMs).toFixed(1)} ms, item_total ${page.total}`);
    if (run === 2) console.log(log.join("\n"));
  }
}
