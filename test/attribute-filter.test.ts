import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { AttributesRepo } from "../src/db/attributes-repo";
import { database } from "../src/db/client";
import { FILTER_TUNING, filterSelection, selectPage, type FilterPlan, type FilterTuning } from "../src/db/user-filter-sql";
import { loadModels } from "../src/services/attributes/definitions";
import { planFilter, type FilterCondition } from "../src/services/attributes/filter";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttribute, defineAttributes, setAttribute } from "./support/attributes";

/*
 * One shared, read-only fixture: four customers of one application with typed attributes, and a
 * customer of another application that no filter may ever return.
 */
let tenant: Tenant;
let headers: Record<string, string>;
const defs: Record<string, string> = {};
const users: Record<string, string> = {};

beforeAll(async () => {
  tenant = await createTenant();
  headers = await adminHeaders(tenant);
  Object.assign(
    defs,
    await defineAttributes(tenant, headers, [
      ["name", "string"],
      ["age", "number"],
      ["vip", "boolean"],
      ["birthday", "date"],
      ["last_seen", "datetime"],
      ["tags", "string", { is_multi_value: true }],
      ["prefs", "json"],
    ]),
  );
  users.alice = await createCustomer(tenant, { email: "alice@example.com", createdAt: "2024-01-01T00:00:00.000Z" });
  users.bob = await createCustomer(tenant, { email: "bob@example.com", createdAt: "2024-01-02T00:00:00.000Z" });
  users.carol = await createCustomer(tenant, { email: "carol@example.com", createdAt: "2024-01-03T00:00:00.000Z" });
  users.dave = await createCustomer(tenant, { phone: "+919876543210", createdAt: "2024-01-04T00:00:00.000Z" });
  const values: Record<string, Record<string, unknown>> = {
    alice: { name: "Alice Smith", age: 30, vip: true, birthday: "1990-05-31", last_seen: "2024-05-31T10:00:00Z", tags: ["gold", "early"] },
    bob: { name: "Bob Stone", age: 45, vip: false, birthday: "1985-12-25", last_seen: "2024-06-01T08:00:00Z", tags: ["silver"] },
    carol: { name: "carol smith", age: 22, birthday: "2000-01-05", tags: [] },
  };
  for (const [who, attributes] of Object.entries(values)) {
    for (const [slug, value] of Object.entries(attributes)) {
      const res = await setAttribute(tenant, headers, defs[slug]!, users[who]!, value);
      if (res.status !== 200) throw new Error(await res.text());
    }
  }
  const other = await createTenant();
  const otherHeaders = await adminHeaders(other);
  const otherAge = (await defineAttribute(other, otherHeaders, { name: "age", slug: "age", type: "number" }))._id;
  await setAttribute(other, otherHeaders, otherAge, await createCustomer(other, { email: "alice@example.com" }), 30);
});

type Condition = { definition_id?: string; slug?: string; type: string; value: unknown; ignore_year?: boolean };

function filter(query: Record<string, unknown>) {
  return call(`${tenant.plat}/user_attribute/users`, json({ query: { type: "and", limit: 100, page: 1, conditions: [], ...query } }, { method: "POST", headers }));
}

const nameOf = (id: string) => Object.entries(users).find(([, v]) => v === id)?.[0] ?? id;

async function who(conditions: Condition[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const res = await filter({ conditions: conditions.map(({ slug, ...c }) => ({ definition_id: defs[slug!], ...c })), ...extra });
  const body = (await res.json()) as { items: { _id: string }[] };
  if (res.status !== 200) throw new Error(JSON.stringify(body));
  return body.items.map((i) => nameOf(i._id)).sort();
}

const c = (slug: string, type: string, value: unknown, ignore_year?: boolean): Condition => ({ slug, type, value, ...(ignore_year ? { ignore_year } : {}) });

/**
 * Every way the engine can answer an `and` filter, forced by tuning: probing from the most selective
 * condition, intersecting in SQL, or intersecting in the Worker (one list or several per condition)
 * and then paging by walking subjects or from the matched list. `counted` says whether the
 * selection arrives with its total already counted (the Worker paths).
 */
const STRATEGIES: { name: string; tuning: FilterTuning; counted: boolean }[] = [
  { name: "probe from the most selective", tuning: { ...FILTER_TUNING, estimateCap: 1_000_000 }, counted: false },
  { name: "every condition broad, probe from the estimated smallest", tuning: { ...FILTER_TUNING, estimateCap: 1, probeCost: 0 }, counted: false },
  { name: "intersect in SQL", tuning: { ...FILTER_TUNING, estimateCap: 1, maxSetLists: 0, probeCost: Infinity }, counted: false },
  { name: "intersect in the Worker, walk", tuning: { ...FILTER_TUNING, estimateCap: 1, listMax: 0, probeCost: Infinity }, counted: true },
  { name: "intersect in the Worker, list", tuning: { ...FILTER_TUNING, estimateCap: 1, listMax: 1_000_000, probeCost: Infinity }, counted: true },
  { name: "intersect in the Worker by subject ranges, walk", tuning: { ...FILTER_TUNING, estimateCap: 1, setSpan: 2, maxSetLists: 1_000_000, listMax: 0, probeCost: Infinity }, counted: true },
  {
    name: "intersect in the Worker, numbers outside the slices read as lists",
    tuning: { ...FILTER_TUNING, estimateCap: 1, setSpan: 2, maxSetLists: 1_000_000, listMax: 1_000_000, probeCost: Infinity, outlierProbes: 0 },
    counted: true,
  },
];

/** Every page of `size` of a selection, in order, with the totals each page reported. */
async function allPages(applicationId: string, plan: FilterPlan, tuning: FilterTuning, size: number) {
  const selection = await filterSelection(env.DB, applicationId, plan, tuning);
  const ids: string[] = [];
  const totals = new Set<number>();
  for (let offset = 0; ; offset += size) {
    const page = await selectPage(env.DB, selection, size, offset);
    totals.add(page.total);
    ids.push(...page.ids);
    if (page.ids.length === 0) break;
  }
  return { ids, totals: [...totals], counted: selection.total !== undefined };
}

describe("filterUsersByAttributes: operators", () => {
  it("text: eq ne is nis cnt nct sw ew gt lt btw in nin (case-insensitive except is/nis)", async () => {
    expect(await who([c("name", "eq", "alice SMITH")])).toEqual(["alice"]);
    expect(await who([c("name", "ne", "alice smith")])).toEqual(["bob", "carol"]);
    expect(await who([c("name", "is", "Alice Smith")])).toEqual(["alice"]);
    expect(await who([c("name", "is", "alice smith")])).toEqual([]);
    expect(await who([c("name", "nis", "Alice Smith")])).toEqual(["bob", "carol"]);
    expect(await who([c("name", "cnt", "SMITH")])).toEqual(["alice", "carol"]);
    expect(await who([c("name", "nct", "smith")])).toEqual(["bob"]);
    expect(await who([c("name", "sw", "BO")])).toEqual(["bob"]);
    expect(await who([c("name", "ew", "th")])).toEqual(["alice", "carol"]);
    expect(await who([c("name", "gt", "bob")])).toEqual(["bob", "carol"]);
    expect(await who([c("name", "lt", "bob")])).toEqual(["alice"]);
    expect(await who([c("name", "btw", ["b", "c"])])).toEqual(["bob"]);
    expect(await who([c("name", "in", ["Bob Stone", "CAROL SMITH"])])).toEqual(["bob", "carol"]);
    expect(await who([c("name", "nin", ["bob stone", "carol smith"])])).toEqual(["alice"]);
  });

  it("number: eq ne gt gte lt lte btw in nin", async () => {
    expect(await who([c("age", "eq", 30)])).toEqual(["alice"]);
    expect(await who([c("age", "eq", "30")])).toEqual(["alice"]);
    expect(await who([c("age", "ne", 30)])).toEqual(["bob", "carol"]);
    expect(await who([c("age", "gt", 30)])).toEqual(["bob"]);
    expect(await who([c("age", "gte", 30)])).toEqual(["alice", "bob"]);
    expect(await who([c("age", "lt", 30)])).toEqual(["carol"]);
    expect(await who([c("age", "lte", 30)])).toEqual(["alice", "carol"]);
    expect(await who([c("age", "btw", { from: 25, to: 45 })])).toEqual(["alice", "bob"]);
    expect(await who([c("age", "in", [22, 45])])).toEqual(["bob", "carol"]);
    expect(await who([c("age", "nin", [22, 45])])).toEqual(["alice"]);
  });

  it("boolean: eq ne is nis", async () => {
    expect(await who([c("vip", "eq", true)])).toEqual(["alice"]);
    expect(await who([c("vip", "ne", true)])).toEqual(["bob"]);
    expect(await who([c("vip", "is", "false")])).toEqual(["bob"]);
    expect(await who([c("vip", "nis", false)])).toEqual(["alice"]);
  });

  it("date: a day operand compares whole days; ignore_year compares month and day, wrapping over new year", async () => {
    expect(await who([c("birthday", "eq", "1990-05-31")])).toEqual(["alice"]);
    expect(await who([c("birthday", "ne", "1990-05-31")])).toEqual(["bob", "carol"]);
    expect(await who([c("birthday", "gt", "1990-05-31")])).toEqual(["carol"]);
    expect(await who([c("birthday", "gte", "1990-05-31")])).toEqual(["alice", "carol"]);
    expect(await who([c("birthday", "lt", "1990-05-31")])).toEqual(["bob"]);
    expect(await who([c("birthday", "lte", "1990-05-31")])).toEqual(["alice", "bob"]);
    expect(await who([c("birthday", "btw", ["1985-12-25", "1990-05-31"])])).toEqual(["alice", "bob"]);
    expect(await who([c("birthday", "in", ["2000-01-05", "1985-12-25"])])).toEqual(["bob", "carol"]);
    expect(await who([c("birthday", "nin", ["2000-01-05"])])).toEqual(["alice", "bob"]);
    expect(await who([c("birthday", "eq", "2023-05-31", true)])).toEqual(["alice"]);
    expect(await who([c("birthday", "eq", "05-31", true)])).toEqual(["alice"]);
    expect(await who([c("birthday", "btw", ["12-20", "01-10"], true)])).toEqual(["bob", "carol"]);
    expect(await who([c("birthday", "btw", ["01-01", "06-30"], true)])).toEqual(["alice", "carol"]);
    expect(await who([c("birthday", "gte", "06-01", true)])).toEqual(["bob"]);
    expect(await who([c("birthday", "in", ["12-25", "05-31"], true)])).toEqual(["alice", "bob"]);
    expect(await who([c("birthday", "ne", "12-25", true)])).toEqual(["alice", "carol"]);
  });

  it("datetime: day operands cover the day, instants compare exactly", async () => {
    expect(await who([c("last_seen", "eq", "2024-05-31")])).toEqual(["alice"]);
    expect(await who([c("last_seen", "eq", "2024-05-31T10:00:00Z")])).toEqual(["alice"]);
    expect(await who([c("last_seen", "eq", "2024-05-31T15:30:00+05:30")])).toEqual(["alice"]);
    expect(await who([c("last_seen", "eq", "2024-05-31T10:00:01Z")])).toEqual([]);
    expect(await who([c("last_seen", "gt", "2024-05-31")])).toEqual(["bob"]);
    expect(await who([c("last_seen", "lt", "2024-06-01T08:00:00Z")])).toEqual(["alice"]);
    expect(await who([c("last_seen", "lte", "2024-06-01T08:00:00Z")])).toEqual(["alice", "bob"]);
    expect(await who([c("last_seen", "btw", ["2024-05-31", "2024-06-01"])])).toEqual(["alice", "bob"]);
    expect(await who([c("last_seen", "eq", "05-31", true)])).toEqual(["alice"]);
  });

  it("multi-value: a positive operator matches any element; a negative one means no element matches (an empty list is no value)", async () => {
    expect(await who([c("tags", "eq", "GOLD")])).toEqual(["alice"]);
    expect(await who([c("tags", "ne", "gold")])).toEqual(["bob"]);
    expect(await who([c("tags", "in", ["silver", "early"])])).toEqual(["alice", "bob"]);
    expect(await who([c("tags", "nin", ["gold"])])).toEqual(["bob"]);
    expect(await who([c("tags", "nin", ["gold", "silver"])])).toEqual([]);
    expect(await who([c("tags", "sw", "ea")])).toEqual(["alice"]);
  });
});

describe("filterUsersByAttributes: combining and paging", () => {
  it("joins conditions with and / or", async () => {
    expect(await who([c("age", "gt", 25), c("name", "cnt", "smith")])).toEqual(["alice"]);
    expect(await who([c("age", "gt", 25), c("name", "cnt", "smith")], { type: "or" })).toEqual(["alice", "bob", "carol"]);
    expect(await who([c("age", "lt", 25), c("vip", "eq", true)], { type: "OR" })).toEqual(["alice", "carol"]);
    expect(await who([c("age", "gte", 22), c("birthday", "gt", "1980-01-01"), c("tags", "ne", "silver")])).toEqual(["alice"]);
    expect(await who([c("age", "gte", 22), c("birthday", "gt", "1980-01-01"), c("name", "ne", "bob stone")])).toEqual(["alice", "carol"]);
    expect(await who([c("age", "gte", 22), c("tags", "nin", ["gold"]), c("name", "nct", "smith")], { type: "and" })).toEqual(["bob"]);
    // Only negative conditions: every customer with values is a candidate.
    expect(await who([c("name", "nct", "smith"), c("age", "ne", 22)])).toEqual(["bob"]);
    // A multi-value attribute drives: a customer matching with two elements is counted once.
    expect(await who([c("tags", "in", ["gold", "early", "silver"]), c("age", "lt", 40)])).toEqual(["alice"]);
    expect(await who([c("tags", "in", ["gold", "early", "silver"])], { type: "or" })).toEqual(["alice", "bob"]);
    expect(await who([c("vip", "eq", true), c("tags", "eq", "silver"), c("age", "eq", 22)], { type: "or" })).toEqual(["alice", "bob", "carol"]);
  });

  it("gives the same answer whichever way an and-filter is evaluated", async () => {
    const models = await loadModels(new AttributesRepo(database(env.DB)), tenant.applicationId);
    const filters: Condition[][] = [
      [c("age", "gt", 25), c("name", "cnt", "smith")],
      [c("age", "gte", 22), c("tags", "ne", "silver"), c("birthday", "gt", "1980-01-01")],
      [c("tags", "in", ["gold", "early", "silver"]), c("age", "lt", 40)],
      [c("name", "nct", "smith"), c("age", "ne", 22)],
      [c("vip", "eq", false), c("age", "gte", 18), c("last_seen", "btw", ["2024-05-31", "2024-06-30"])],
    ];
    for (const conditions of filters) {
      const plan = planFilter(models, { join: "and", conditions: conditions.map(({ slug, ...rest }) => ({ ...rest, definition_id: defs[slug!]! }) as FilterCondition) });
      const expected = await who(conditions);
      for (const { name, tuning } of STRATEGIES) {
        const { ids, totals } = await allPages(tenant.applicationId, plan, tuning, 1);
        expect(ids.map(nameOf).sort(), `${name}: ${JSON.stringify(conditions)}`).toEqual(expected);
        expect(totals, `${name}: ${JSON.stringify(conditions)}`).toEqual([expected.length]);
      }
    }
  });

  it("filters on contacts: exact email, exact phone (international or national with country_code), has_email, has_phone", async () => {
    expect(await who([], { email: "BOB@example.com" })).toEqual(["bob"]);
    expect(await who([], { phone: "+91 98765 43210" })).toEqual(["dave"]);
    expect(await who([], { phone: "9876543210", country_code: "91" })).toEqual(["dave"]);
    expect(await who([], { has_email: false })).toEqual(["dave"]);
    expect(await who([], { has_phone: true })).toEqual(["dave"]);
    expect(await who([])).toEqual(["alice", "bob", "carol", "dave"]);
    expect(await who([c("age", "gt", 0)], { type: "or", email: "carol@example.com" })).toEqual(["carol"]);
  });

  it("pages newest first and returns the requested attribute values (default: the filtered ones)", async () => {
    const res = await filter({ conditions: [{ definition_id: defs.age, type: "gte", value: 0 }], limit: 2, page: 1 });
    const first = (await res.json()) as { items: { _id: string; attributes: { user_attribute_definition_id: string; attribute: { value: unknown } }[]; phone_numbers: unknown[] }[]; page: unknown };
    expect(first.items.map((i) => nameOf(i._id))).toEqual(["carol", "bob"]);
    expect(first.page).toEqual({ type: "number", current: 1, size: 2, item_total: 3, has_next: true, total: 3 });
    expect(first.items[0]!.attributes.map((a) => [a.user_attribute_definition_id, a.attribute.value])).toEqual([[defs.age, 22]]);
    const second = (await (await filter({ conditions: [{ definition_id: defs.age, type: "gte", value: 0 }], limit: 2, page: 2 })).json()) as typeof first;
    expect(second.items.map((i) => nameOf(i._id))).toEqual(["alice"]);
    expect(second.page).toMatchObject({ current: 2, has_next: false, item_total: 3 });
    const beyond = (await (await filter({ conditions: [{ definition_id: defs.age, type: "gte", value: 0 }], limit: 2, page: 5 })).json()) as typeof first;
    expect(beyond.items).toEqual([]);
    expect(beyond.page).toMatchObject({ item_total: 3, has_next: false });

    const wanted = (await (await filter({ email: "alice@example.com", definition_ids: [defs.tags, defs.prefs] })).json()) as typeof first;
    expect(wanted.items[0]!.attributes.map((a) => a.attribute.value)).toEqual([["gold", "early"]]);
    const dave = (await (await filter({ has_phone: true })).json()) as { items: { phone_numbers: { country_code: unknown }[] }[] };
    expect(dave.items[0]!.phone_numbers[0]!.country_code).toBe("91");
  });

  it("refuses malformed filters with a 400 naming the condition", async () => {
    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ conditions: [{ definition_id: "f".repeat(24), type: "eq", value: 1 }] }, "ATTRIBUTE_DEFINITION_UNKNOWN", /conditions\.0\.definition_id/],
      [{ conditions: [{ definition_id: defs.age, type: "cnt", value: 1 }] }, "FILTER_INVALID", /operator "cnt" does not apply to number attribute "age"/],
      [{ conditions: [{ definition_id: defs.age, type: "eq", value: "old" }] }, "FILTER_INVALID", /conditions\.0 \(age eq\): needs a number/],
      [{ conditions: [{ definition_id: defs.age, type: "btw", value: [1] }] }, "FILTER_INVALID", /btw.*needs two values/],
      [{ conditions: [{ definition_id: defs.age, type: "in", value: [] }] }, "FILTER_INVALID", /1 to 50 values/],
      [{ conditions: [{ definition_id: defs.age, type: "eq", value: [1, 2] }] }, "FILTER_INVALID", /one value, not a list/],
      [{ conditions: [{ definition_id: defs.age, type: "eq", value: 1, ignore_year: true }] }, "FILTER_INVALID", /ignore_year applies only to date/],
      [{ conditions: [{ definition_id: defs.birthday, type: "eq", value: "31/05/1990" }] }, "FILTER_INVALID", /needs a date/],
      [{ conditions: [{ definition_id: defs.prefs, type: "eq", value: "x" }] }, "FILTER_INVALID", /holds JSON/],
      [{ conditions: [{ definition_id: defs.vip, type: "gt", value: true }] }, "FILTER_INVALID", /does not apply to boolean/],
      [{ conditions: [{ definition_id: defs.age, type: "like", value: 1 }] }, "VALIDATION_FAILED", /conditions\.0\.type/],
      [{ type: "xor" }, "VALIDATION_FAILED", /query\.type/],
      [{ limit: 0 }, "VALIDATION_FAILED", /query\.limit/],
      [{ email: "nope" }, "FILTER_INVALID", /email/],
      [{ definition_ids: ["f".repeat(24)] }, "ATTRIBUTE_DEFINITION_UNKNOWN", /definition_ids/],
    ];
    for (const [query, code, message] of bad) {
      const body = await expectError(await filter(query), 400, code);
      expect(body.message, JSON.stringify(query)).toMatch(message);
    }
  });

  it("never returns another application's customers, and refuses its definitions", async () => {
    const other = await createTenant();
    const otherHeaders = await adminHeaders(other);
    const otherDef = (await defineAttribute(other, otherHeaders, { name: "age", slug: "age", type: "number" }))._id;
    const res = await call(
      `${other.plat}/user_attribute/users`,
      json({ query: { type: "and", limit: 10, page: 1, conditions: [{ definition_id: defs.age, type: "gt", value: 0 }] } }, { method: "POST", headers: otherHeaders }),
    );
    await expectError(res, 400, "ATTRIBUTE_DEFINITION_UNKNOWN");
    const all = (await (await filter({ conditions: [] })).json()) as { page: { item_total: number } };
    expect(all.page.item_total).toBe(4);
    expect(otherDef).toBeTruthy();
  });
});

describe("filterUsersByAttributes: evaluation strategies agree on a larger set", () => {
  // 30 customers, created a day apart, with values following their number i; some lack a value.
  const COLORS = ["red", "green", "blue"];
  const M_VALUES = [0, 7, -2, 2.5, 4_000_000_000, 2 ** 31 - 1, 3, undefined, 7, 0.001, 2 ** 31];
  // Texts whose characters and pairs hold longer operands they do not contain ("aba" has the pairs of "bab").
  const WORDS = ["aba", "abab", "bab", "ab", "b", "ba", "xaba", "Über-Ab", "BAB", "ab-ba"];
  const TIERS = ["Gold", "silver", "bronze", "none"];
  const people = Array.from({ length: 30 }, (_, i) => ({
    i,
    n: i % 6 === 5 ? undefined : i % 5,
    // Numbers the bit slices hold (integers in [0, 2^31)) and outliers they do not (negative, fractional, huge).
    m: M_VALUES[i % M_VALUES.length],
    word: i % 9 === 4 ? undefined : WORDS[i % WORDS.length]!,
    tier: i % 8 === 6 ? undefined : TIERS[(i * 5) % TIERS.length]!,
    color: COLORS[i % 3]!,
    tags: i % 7 === 0 ? [] : [...new Set([`t${i % 4}`, `t${(i * 3 + 1) % 4}`])],
    day: new Date(Date.UTC(2000, 0, 1 + i * 23)).toISOString().slice(0, 10),
  }));
  type Person = (typeof people)[number];
  let shop: Tenant;
  let shopHeaders: Record<string, string>;
  let keys: Record<string, string>;
  const ids = new Map<number, string>();

  beforeAll(async () => {
    shop = await createTenant();
    const h = await adminHeaders(shop);
    shopHeaders = h;
    keys = await defineAttributes(shop, h, [
      ["n", "number"],
      ["m", "number"],
      ["word", "string"],
      ["tier", "enum", { validations: [{ type: "options", value: ["Gold", "silver", "bronze", "none"] }] }],
      ["color", "string"],
      ["tags", "string", { is_multi_value: true }],
      ["day", "date"],
    ]);
    for (const p of people) {
      const createdAt = new Date(Date.UTC(2024, 0, 1 + p.i)).toISOString();
      const id = await createCustomer(shop, p.i % 4 === 3 ? { phone: `+9198765${String(p.i).padStart(5, "0")}`, createdAt } : { email: `p${p.i}@example.com`, createdAt });
      ids.set(p.i, id);
      const attributes = [
        ...(p.n === undefined ? [] : [{ definition_id: keys.n, value: p.n }]),
        ...(p.m === undefined ? [] : [{ definition_id: keys.m, value: p.m }]),
        ...(p.word === undefined ? [] : [{ definition_id: keys.word, value: p.word }]),
        ...(p.tier === undefined ? [] : [{ definition_id: keys.tier, value: p.tier }]),
        { definition_id: keys.color, value: p.color },
        { definition_id: keys.tags, value: p.tags },
        { definition_id: keys.day, value: p.day },
      ];
      const res = await call(`${shop.plat}/user_attribute/user/${id}`, json({ attributes }, { method: "POST", headers: h }));
      if (res.status !== 200) throw new Error(await res.text());
    }
  });

  const monthDay = (day: string) => Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
  const cases: { conditions: Condition[]; hasEmail?: boolean; matches: (p: Person) => boolean; counted: boolean }[] = [
    {
      conditions: [c("n", "gte", 1), c("color", "ne", "red"), c("tags", "ne", "t2")],
      matches: (p) => p.n !== undefined && p.n >= 1 && p.color !== "red" && p.tags.length > 0 && !p.tags.includes("t2"),
      counted: true,
    },
    {
      conditions: [c("n", "lt", 4), c("tags", "in", ["t1", "t3"]), c("color", "sw", "G")],
      matches: (p) => p.n !== undefined && p.n < 4 && p.tags.some((t) => t === "t1" || t === "t3") && p.color.startsWith("g"),
      counted: true,
    },
    {
      conditions: [c("n", "gte", 0), c("tags", "nin", ["t0"]), c("color", "nct", "ee")],
      matches: (p) => p.n !== undefined && p.tags.length > 0 && !p.tags.includes("t0") && !p.color.includes("ee"),
      counted: true,
    },
    {
      conditions: [c("day", "btw", ["11-01", "02-28"], true), c("n", "in", [0, 1, 3]), c("color", "cnt", "r")],
      matches: (p) => (monthDay(p.day) >= 1101 || monthDay(p.day) <= 228) && [0, 1, 3].includes(p.n ?? -1) && p.color.includes("r"),
      counted: true,
    },
    {
      conditions: [c("day", "in", [people[3]!.day, people[8]!.day, people[20]!.day]), c("tags", "eq", "t1")],
      matches: (p) => [3, 8, 20].includes(p.i) && p.tags.includes("t1"),
      counted: true,
    },
    // Contact conditions are intersected in SQL.
    { conditions: [c("n", "gte", 0), c("color", "ne", "red")], hasEmail: true, matches: (p) => p.n !== undefined && p.color !== "red" && p.i % 4 !== 3, counted: false },
  ];

  it("the same users in the same order, and the same item_total, on every page, as computed here", async () => {
    const models = await loadModels(new AttributesRepo(database(env.DB)), shop.applicationId);
    for (const { conditions, hasEmail, matches, counted } of cases) {
      const label = JSON.stringify(conditions);
      const plan = planFilter(models, {
        join: "and",
        conditions: conditions.map(({ slug, ...rest }) => ({ ...rest, definition_id: keys[slug!]! }) as FilterCondition),
        hasEmail,
      });
      // Newest first.
      const expected = people.filter(matches).reverse().map((p) => ids.get(p.i)!);
      expect(expected.length, label).toBeGreaterThan(1);
      for (const { name, tuning, counted: strategyCounts } of STRATEGIES) {
        for (const size of [1, 3, 4]) {
          const result = await allPages(shop.applicationId, plan, tuning, size);
          expect(result.ids, `${name}, pages of ${size}: ${label}`).toEqual(expected);
          expect(result.totals, `${name}, pages of ${size}: ${label}`).toEqual([expected.length]);
          expect(result.counted, `${name}: ${label}`).toBe(strategyCounts && counted);
        }
      }
    }
  });

  /**
   * One condition alone, in `and` with a broad number condition (seekable: sets are combined in the
   * Worker) and in `or`: every path must give the model's users, order and count.
   */
  async function agreesEverywhere(condition: Condition, holds: (p: Person) => boolean) {
    const models = await loadModels(new AttributesRepo(database(env.DB)), shop.applicationId);
    const shapes = [
      { join: "and" as const, conditions: [condition], matches: holds },
      { join: "and" as const, conditions: [condition, c("m", "gte", 0)], matches: (p: Person) => holds(p) && p.m !== undefined && p.m >= 0 },
      { join: "or" as const, conditions: [condition, c("n", "eq", 1)], matches: (p: Person) => holds(p) || p.n === 1 },
    ];
    for (const { join, conditions, matches } of shapes) {
      const label = `${join} ${JSON.stringify(conditions)}`;
      const plan = planFilter(models, { join, conditions: conditions.map(({ slug, ...rest }) => ({ ...rest, definition_id: keys[slug!]! }) as FilterCondition) });
      const expected = people.filter(matches).reverse().map((p) => ids.get(p.i)!);
      for (const { name, tuning } of STRATEGIES) {
        const result = await allPages(shop.applicationId, plan, tuning, 7);
        expect(result.ids, `${name}: ${label}`).toEqual(expected);
        expect(result.totals, `${name}: ${label}`).toEqual([expected.length]);
      }
    }
  }

  it("contains / ends with / not contains, operands of 1–4 characters: every path agrees with the model, alone, in `and` and in `or`", async () => {
    const tests = { cnt: (w: string, v: string) => w.includes(v), nct: (w: string, v: string) => !w.includes(v), ew: (w: string, v: string) => w.endsWith(v) };
    for (const op of ["cnt", "nct", "ew"] as const) {
      for (const operand of ["b", "A", "ab", "ba", "bab", "aba", "Ab", "über", "-ab", "abab", "zz"]) {
        await agreesEverywhere(c("word", op, operand), (p) => p.word !== undefined && tests[op](p.word.toLowerCase(), operand.toLowerCase()));
      }
    }
  });

  it("enum equality and lists (answered by value bitmaps): every path agrees with the model, alone, in `and` and in `or`", async () => {
    const lists: [string, string[]][] = [["eq", ["gold"]], ["eq", ["NONE"]], ["ne", ["silver"]], ["in", ["gold", "bronze"]], ["nin", ["gold", "none"]], ["in", ["platinum"]], ["eq", ["platinum"]]];
    for (const [op, values] of lists) {
      const named = (p: Person) => values.some((v) => v.toLowerCase() === p.tier?.toLowerCase());
      await agreesEverywhere(c("tier", op, op === "eq" || op === "ne" ? values[0] : values), (p) => p.tier !== undefined && (op === "eq" || op === "in" ? named(p) : !named(p)));
    }
  });

  it("or-filters: the same users, order and item_total on every path (united in the Worker or in SQL)", async () => {
    const models = await loadModels(new AttributesRepo(database(env.DB)), shop.applicationId);
    const orCases: { conditions: Condition[]; matches: (p: Person) => boolean }[] = [
      { conditions: [c("n", "eq", 1), c("color", "sw", "b")], matches: (p) => p.n === 1 || p.color === "blue" },
      // A year-less range across new year is two index ranges, united.
      { conditions: [c("day", "btw", ["11-01", "02-28"], true), c("tags", "ne", "t1")], matches: (p) => monthDay(p.day) >= 1101 || monthDay(p.day) <= 228 || (p.tags.length > 0 && !p.tags.includes("t1")) },
      { conditions: [c("n", "ne", 2), c("color", "cnt", "ee"), c("tags", "nin", ["t0", "t3"])], matches: (p) => (p.n !== undefined && p.n !== 2) || p.color.includes("ee") || (p.tags.length > 0 && !p.tags.some((t) => t === "t0" || t === "t3")) },
    ];
    for (const { conditions, matches } of orCases) {
      const label = JSON.stringify(conditions);
      const plan = planFilter(models, { join: "or", conditions: conditions.map(({ slug, ...rest }) => ({ ...rest, definition_id: keys[slug!]! }) as FilterCondition) });
      const expected = people.filter(matches).reverse().map((p) => ids.get(p.i)!);
      expect(expected.length, label).toBeGreaterThan(1);
      for (const { name, tuning } of STRATEGIES) {
        const result = await allPages(shop.applicationId, plan, tuning, 4);
        expect(result.ids, `${name}: ${label}`).toEqual(expected);
        expect(result.totals, `${name}: ${label}`).toEqual([expected.length]);
        // `or` ignores estimates: it is united in the Worker unless lists are refused (maxSetLists 0).
        expect(result.counted, `${name}: ${label}`).toBe(tuning.maxSetLists > 0);
      }
    }
  });

  it("random filters: every path and the HTTP answer agree with the model (property)", async () => {
    const models = await loadModels(new AttributesRepo(database(env.DB)), shop.applicationId);
    const dayOf = (i: number) => people[i]!.day;
    // Each generated condition: the request's form and what it means for a person.
    const condition = fc.oneof(
      fc.tuple(fc.constantFrom("eq", "ne", "gte", "lt"), fc.integer({ min: 0, max: 5 })).map(([op, v]) => ({
        cond: c("n", op, v),
        holds: (p: Person) => p.n !== undefined && (op === "eq" ? p.n === v : op === "ne" ? p.n !== v : op === "gte" ? p.n >= v : p.n < v),
      })),
      fc.tuple(fc.constantFrom("eq", "ne", "gt", "gte", "lt", "lte"), fc.constantFrom(-2, -1.5, 0, 2.5, 3, 3.7, 7, 2 ** 31 - 1, 2 ** 31, 4_000_000_000)).map(([op, v]) => ({
        cond: c("m", op, v),
        holds: (p: Person) =>
          p.m !== undefined && { eq: p.m === v, ne: p.m !== v, gt: p.m > v, gte: p.m >= v, lt: p.m < v, lte: p.m <= v }[op]!,
      })),
      fc.tuple(fc.constantFrom("eq", "ne", "sw", "cnt", "ew", "nct"), fc.constantFrom("red", "green", "blue", "re", "e", "n", "GR")).map(([op, v]) => {
        const x = v.toLowerCase();
        const test = { eq: (s: string) => s === x, ne: (s: string) => s !== x, sw: (s: string) => s.startsWith(x), cnt: (s: string) => s.includes(x), ew: (s: string) => s.endsWith(x), nct: (s: string) => !s.includes(x) }[op]!;
        return { cond: c("color", op, v), holds: (p: Person) => test(p.color) };
      }),
      fc.tuple(fc.constantFrom("eq", "ne", "in", "nin"), fc.subarray(["gold", "SILVER", "bronze", "none", "platinum"], { minLength: 1, maxLength: 3 })).map(([op, list]) => {
        const v = op === "eq" || op === "ne" ? list.slice(0, 1) : list;
        const named = (p: Person) => v.some((t) => t.toLowerCase() === p.tier!.toLowerCase());
        return { cond: c("tier", op, op === "eq" || op === "ne" ? v[0] : v), holds: (p: Person) => p.tier !== undefined && (op === "eq" || op === "in" ? named(p) : !named(p)) };
      }),
      fc.tuple(fc.constantFrom("cnt", "nct", "ew"), fc.constantFrom("t", "1", "t2", "0", "x")).map(([op, v]) => ({
        cond: c("tags", op, v),
        holds: (p: Person) => p.tags.length > 0 && (op === "nct" ? !p.tags.some((t) => t.includes(v)) : p.tags.some((t) => (op === "cnt" ? t.includes(v) : t.endsWith(v)))),
      })),
      fc.tuple(fc.constantFrom("eq", "ne", "in", "nin"), fc.subarray(["t0", "t1", "t2", "t3"], { minLength: 1, maxLength: 2 })).map(([op, list]) => {
        const v = op === "eq" || op === "ne" ? list.slice(0, 1) : list;
        return {
          cond: c("tags", op, op === "eq" || op === "ne" ? v[0] : v),
          holds: (p: Person) => p.tags.length > 0 && (op === "eq" || op === "in" ? p.tags.some((t) => v.includes(t)) : !p.tags.some((t) => v.includes(t))),
        };
      }),
      fc.tuple(fc.integer({ min: 0, max: 29 }), fc.constantFrom("gt", "lt")).map(([i, op]) => ({
        cond: c("day", op, dayOf(i)),
        holds: (p: Person) => (op === "gt" ? p.day > dayOf(i) : p.day < dayOf(i)),
      })),
      fc.tuple(fc.constantFrom("11-01", "03-15", "07-01"), fc.constantFrom("02-28", "05-31", "12-31")).map(([from, to]) => ({
        cond: c("day", "btw", [from, to], true),
        holds: (p: Person) => {
          const [lo, hi, md] = [Number(from.replace("-", "")), Number(to.replace("-", "")), monthDay(p.day)];
          return lo <= hi ? md >= lo && md <= hi : md >= lo || md <= hi;
        },
      })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("and" as const, "or" as const), fc.array(condition, { minLength: 1, maxLength: 3 }), async (join, generated) => {
        const conditions = generated.map((g) => g.cond);
        const label = `${join} ${JSON.stringify(conditions)}`;
        const expected = people
          .filter((p) => (join === "and" ? generated.every((g) => g.holds(p)) : generated.some((g) => g.holds(p))))
          .reverse()
          .map((p) => ids.get(p.i)!);
        const definitions = conditions.map(({ slug, ...rest }) => ({ ...rest, definition_id: keys[slug!]! }));
        const res = await call(
          `${shop.plat}/user_attribute/users`,
          json({ query: { type: join, limit: 100, page: 1, conditions: definitions } }, { method: "POST", headers: shopHeaders }),
        );
        const body = (await res.json()) as { items: { _id: string }[]; page: { item_total: number } };
        expect(res.status, label).toBe(200);
        expect(body.items.map((i) => i._id), `HTTP: ${label}`).toEqual(expected);
        expect(body.page.item_total, `HTTP: ${label}`).toBe(expected.length);
        const plan = planFilter(models, { join, conditions: definitions as FilterCondition[] });
        for (const { name, tuning } of STRATEGIES) {
          const result = await allPages(shop.applicationId, plan, tuning, 7);
          expect(result.ids, `${name}: ${label}`).toEqual(expected);
          expect(result.totals, `${name}: ${label}`).toEqual([expected.length]);
        }
      }),
      { numRuns: Number(process.env.FILTER_PROPERTY_RUNS ?? 40) },
    );
  });

  it("an empty intersection of broad conditions counts 0 on every path", async () => {
    const models = await loadModels(new AttributesRepo(database(env.DB)), shop.applicationId);
    const plan = planFilter(models, {
      join: "and",
      conditions: [
        { definition_id: keys.n!, type: "gte", value: 2 },
        { definition_id: keys.n!, type: "lt", value: 2 },
      ],
    });
    for (const { name, tuning, counted } of STRATEGIES) {
      expect(await allPages(shop.applicationId, plan, tuning, 5), name).toEqual({ ids: [], totals: [0], counted });
    }
  });
});
