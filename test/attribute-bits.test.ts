import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttributes, definitionKey, setAttribute } from "./support/attributes";

/*
 * attribute_bitmaps (migration 0019) is kept by triggers on the search index, so every writer keeps it.
 * After each kind of write through the API, the table must be exactly what the index rows imply,
 * computed here from those rows independently of the triggers' SQL.
 */

type Bits = Map<string, string>;

/** What attribute_bitmaps must hold for some definitions (chunk text by definition/code/chunk), derived from their index rows. */
async function expectedBits(keys: number[]): Promise<Bits> {
  const marks = keys.map(() => "?").join(", ");
  const { results: defs } = await env.DB.prepare(`select key, is_multi_value, type from attribute_definitions where key in (${marks})`)
    .bind(...keys)
    .all<{ key: number; is_multi_value: number; type: string }>();
  const multi = new Map(defs.map((d) => [d.key, d.is_multi_value === 1]));
  const enums = new Set(defs.filter((d) => d.type === "enum").map((d) => d.key));
  const { results: dictionary } = await env.DB.prepare(`select def_key, value_fold, code from attribute_bitmap_values where def_key in (${marks})`)
    .bind(...keys)
    .all<{ def_key: number; value_fold: string; code: number }>();
  const numbered = new Map(dictionary.map((d) => [`${d.def_key}/${d.value_fold}`, d.code]));
  const { results } = await env.DB.prepare(`select def_key, subject, value_num, value_fold from attribute_values where def_key in (${marks})`)
    .bind(...keys)
    .all<{ def_key: number; subject: number; value_num: number | null; value_fold: string | null }>();
  const words = new Map<string, bigint>();
  const set = (key: number, code: number, subject: number) => {
    const id = `${key}/${code}/${subject >> 6}`;
    words.set(id, (words.get(id) ?? 0n) | (1n << BigInt(subject & 63)));
  };
  const KIND = 2 ** 43;
  for (const { def_key, subject, value_num, value_fold } of results) {
    set(def_key, -1, subject);
    if (value_fold !== null) {
      // Characters, pairs, last character, last pair (migration 0019's text codes).
      const c = [...value_fold].map((ch) => ch.codePointAt(0)!);
      c.forEach((x, i) => {
        set(def_key, KIND + x, subject);
        if (i + 1 < c.length) set(def_key, 2 * KIND + x * 2 ** 21 + c[i + 1]!, subject);
      });
      if (c.length >= 1) set(def_key, 3 * KIND + c.at(-1)!, subject);
      if (c.length >= 2) set(def_key, 4 * KIND + c.at(-2)! * 2 ** 21 + c.at(-1)!, subject);
      // An enum value: its number in the dictionary, which must hold every value seen.
      if (enums.has(def_key)) set(def_key, 5 * KIND + numbered.get(`${def_key}/${value_fold}`)!, subject);
    }
    if (value_num === null || multi.get(def_key)) continue;
    if (Number.isInteger(value_num) && value_num >= 0 && value_num < 2 ** 43) {
      set(def_key, -3, subject);
      for (let k = 0; k < 43; k++) if (Math.floor(value_num / 2 ** k) % 2) set(def_key, k, subject);
    } else set(def_key, -2, subject);
  }
  const chunks: Bits = new Map();
  for (const [id, bits] of words) {
    const [key, code, word] = id.split("/").map(Number) as [number, number, number];
    const chunk = `${key}/${code}/${word >> 6}`;
    const text = chunks.get(chunk) ?? "0".repeat(1024);
    const at = (word & 63) * 16;
    chunks.set(chunk, text.slice(0, at) + bits.toString(16).padStart(16, "0") + text.slice(at + 16));
  }
  return chunks;
}

async function storedBits(keys: number[]): Promise<Bits> {
  const { results } = await env.DB.prepare(
    `select def_key, code, chunk, hex from attribute_bitmaps where def_key in (${keys.map(() => "?").join(", ")})`,
  )
    .bind(...keys)
    .all<{ def_key: number; code: number; chunk: number; hex: string }>();
  return new Map(results.map((r) => [`${r.def_key}/${r.code}/${r.chunk}`, r.hex]));
}

describe("attribute_bitmaps follows the search index through every writer", () => {
  let shop: Tenant;
  let headers: Record<string, string>;
  let defs: Record<string, string>;
  let keys: number[];
  const people: string[] = [];

  const consistent = async (label: string) => {
    const stored = await storedBits(keys);
    expect(stored, label).toEqual(await expectedBits(keys));
    expect([...stored.values()].includes("0".repeat(1024)), `${label}: no empty chunks kept`).toBe(false);
    return stored;
  };
  const put = async (slug: string, who: number, value: unknown) => {
    const res = await setAttribute(shop, headers, defs[slug]!, people[who]!, value);
    expect(res.status, `${slug} = ${JSON.stringify(value)}: ${await res.clone().text()}`).toBe(200);
  };

  beforeAll(async () => {
    shop = await createTenant();
    headers = await adminHeaders(shop);
    defs = await defineAttributes(shop, headers, [
      ["score", "number"],
      ["ratio", "number"],
      ["vip", "boolean"],
      ["born", "date"],
      ["tags", "string", { is_multi_value: true }],
      ["nick", "string"],
      ["tier", "enum", { validations: [{ type: "options", value: ["Gold", "silver", "bronze"] }] }],
      ["tiers", "enum", { is_multi_value: true, validations: [{ type: "options", value: ["Gold", "silver", "bronze"] }] }],
    ]);
    keys = await Promise.all(Object.values(defs).map(definitionKey));
    for (let i = 0; i < 5; i++) people.push(await createCustomer(shop, { email: `bits${i}@example.com` }));
  });

  it("single writes, replacements, bulk writes and deletes of values", async () => {
    await put("score", 0, 30);
    await put("score", 1, 2 ** 31 - 1);
    await put("score", 2, 0);
    await put("ratio", 0, 2.5);
    await put("ratio", 1, -7);
    await put("vip", 0, true);
    await put("vip", 1, false);
    await put("born", 0, "1990-05-31");
    await put("tags", 0, ["gold", "early", "Über-gold"]);
    await put("tags", 1, []);
    await put("nick", 0, "ann");
    await put("nick", 1, "x");
    await put("tier", 0, "Gold");
    await put("tier", 1, "silver");
    await put("tiers", 0, ["Gold", "silver"]);
    await put("tiers", 1, ["silver"]);
    const first = await consistent("after first writes");
    // Every kind of code is there: presence, sliced, outlier, slices.
    const codes = new Set([...first.keys()].map((id) => Number(id.split("/")[1])));
    for (const code of [-3, -2, -1, 0, 1, 30, 39]) expect(codes.has(code), `code ${code}`).toBe(true);
    expect([...codes].filter((code) => code >= 2 ** 43).length, "text codes").toBeGreaterThan(10);

    await put("score", 0, 31);
    await put("score", 1, 12.75);
    await put("ratio", 1, 3);
    await put("tags", 0, ["silver", "gold"]);
    await put("tags", 1, ["a", "b", "c"]);
    await put("nick", 0, "nana");
    await put("tier", 0, "bronze");
    await put("tiers", 0, ["silver", "bronze"]);
    await put("tiers", 1, []);
    await consistent("after replacements");

    const bulk = await call(
      `${shop.plat}/user_attribute/user/${people[3]}`,
      json(
        { attributes: [{ definition_id: defs.score, value: 5 }, { definition_id: defs.tags, value: ["x"] }, { definition_id: defs.born, value: "2001-01-01" }] },
        { method: "POST", headers },
      ),
    );
    expect(bulk.status, await bulk.clone().text()).toBe(200);
    await consistent("after a bulk write");

    const one = await call(`${shop.plat}/user_attribute/definition/${defs.score}/user/${people[0]}`, { method: "DELETE", headers });
    expect(one.status, await one.clone().text()).toBe(200);
    await consistent("after deleting one value");
    const all = await call(`${shop.plat}/user_attribute/user/${people[3]}`, json({ definition_ids: [defs.score, defs.tags, defs.born] }, { method: "DELETE", headers }));
    expect(all.status, await all.clone().text()).toBe(200);
    await consistent("after deleting a user's values");
    await put("tags", 0, []);
    await consistent("after emptying a list");
  });

  it("deleting a definition drops its bits, and nothing of another application's", async () => {
    const other = await createTenant();
    const otherHeaders = await adminHeaders(other);
    const otherDefs = await defineAttributes(other, otherHeaders, [["score", "number"]]);
    const otherKey = await definitionKey(otherDefs.score!);
    const stranger = await createCustomer(other, { email: "bits-other@example.com" });
    expect((await setAttribute(other, otherHeaders, otherDefs.score!, stranger, 30)).status).toBe(200);
    const before = await storedBits([otherKey]);
    expect(before.size).toBeGreaterThan(0);

    await put("score", 4, 999);
    expect((await storedBits([keys[0]!])).size).toBeGreaterThan(0);
    const res = await call(`${shop.plat}/user_attribute/definition/${defs.score}`, { method: "DELETE", headers });
    expect(res.status).toBe(200);
    expect((await storedBits([keys[0]!])).size).toBe(0);
    expect(await storedBits([otherKey])).toEqual(before);
    // An enum definition takes its numbered values with it.
    const tierKey = await definitionKey(defs.tier!);
    const numbered = async () => (await env.DB.prepare("select count(*) as n from attribute_bitmap_values where def_key = ?").bind(tierKey).first<{ n: number }>())!.n;
    expect(await numbered()).toBeGreaterThan(0);
    expect((await call(`${shop.plat}/user_attribute/definition/${defs.tier}`, { method: "DELETE", headers })).status).toBe(200);
    expect(await numbered()).toBe(0);
    expect((await storedBits([tierKey])).size).toBe(0);
    await consistent("after deleting a definition");
  });

  it("a deleted customer's bits go with the search index rows (cascade)", async () => {
    await put("ratio", 4, 8);
    await put("tags", 4, ["gone"]);
    await env.DB.prepare("delete from attribute_subjects where user_id = ?").bind(people[4]).run();
    await consistent("after the subject is deleted");
  });

  it("index rows are replaced, never updated in place (an update would leave the bits behind)", async () => {
    await put("ratio", 2, 4);
    await expect(env.DB.prepare("update attribute_values set value_num = 5 where def_key = ?").bind(keys[1]).run()).rejects.toThrow(/replaced, not updated/);
    await consistent("after the refused update");
  });
});
