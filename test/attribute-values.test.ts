import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttribute, definitionKey, indexRows, loggedInCustomer, setAttribute } from "./support/attributes";

async function admin() {
  const tenant = await createTenant();
  return { tenant, headers: await adminHeaders(tenant) };
}

const valueUrl = (tenant: Tenant, definitionId: string, userId: string) => `${tenant.plat}/user_attribute/definition/${definitionId}/user/${userId}`;
const userValuesUrl = (tenant: Tenant, userId: string) => `${tenant.plat}/user_attribute/user/${userId}`;

async function storedRows(userId: string) {
  return (await env.DB.prepare("select * from user_attributes where user_id = ?").bind(userId).all<Record<string, unknown>>()).results;
}

/** Per type: values that must be accepted (with what is stored) and values that must be refused (with the rule named). */
const TYPE_CASES: { type: string; extra?: Record<string, unknown>; good: [unknown, unknown][]; bad: [unknown, string][] }[] = [
  { type: "string", good: [["hello", "hello"], ["", ""]], bad: [[5, "must be a string"], [true, "must be a string"], ["x".repeat(1001), "at most 1000 characters"]] },
  { type: "number", good: [[42, 42], [-1.5, -1.5], ["17", 17]], bad: [["seventeen", "must be a number"], [false, "must be a number"], ["", "must be a number"]] },
  { type: "boolean", good: [[true, true], ["false", false]], bad: [["yes", "true or false"], [1, "true or false"]] },
  { type: "date", good: [["2024-02-29", "2024-02-29"]], bad: [["2023-02-29", "must be a date"], ["29/02/2024", "must be a date"], [20240229, "must be a date"]] },
  {
    type: "datetime",
    good: [["2024-05-31T10:00:00+05:30", "2024-05-31T04:30:00.000Z"], ["2024-05-31T10:00:00Z", "2024-05-31T10:00:00.000Z"]],
    bad: [["2024-05-31T10:00:00", "time zone"], ["2024-05-31", "time zone"], ["tomorrow", "time zone"]],
  },
  { type: "email", good: [[" Jane@Example.COM ", "jane@example.com"]], bad: [["jane@", "email address"], [7, "email address"]] },
  { type: "url", good: [["https://example.com/a?b=1", "https://example.com/a?b=1"]], bad: [["ftp://example.com", "http(s) URL"], ["not a url", "http(s) URL"]] },
  { type: "phone", good: [["+91 98765 43210", "+919876543210"]], bad: [["98765", "international form"], ["+1 555", "international form"]] },
  { type: "enum", extra: { options: ["s", "m", "l"] }, good: [["m", "m"]], bad: [["xl", "must be one of: s, m, l (rule: options)"], [1, "must be a string"]] },
  { type: "select", extra: { options: ["yes", "no"] }, good: [["no", "no"]], bad: [["maybe", "must be one of: yes, no"]] },
  { type: "json", good: [[{ a: [1, 2] }, { a: [1, 2] }], [[1, "x"], [1, "x"]]], bad: [[{ big: "x".repeat(9000) }, "8192 bytes"]] },
];

describe("attribute values: type validation", () => {
  for (const { type, extra, good, bad } of TYPE_CASES) {
    it(`${type}: accepts good values (normalised) and refuses bad ones naming the attribute and rule`, async () => {
      const { tenant, headers } = await admin();
      const def = await defineAttribute(tenant, headers, { name: type, slug: `a_${type}`, type, ...extra });
      const user = await createCustomer(tenant, { email: "a@example.com" });
      for (const [input, stored] of good) {
        const res = await setAttribute(tenant, headers, def._id, user, input);
        expect(res.status, JSON.stringify(input)).toBe(200);
        expect(((await res.json()) as { attribute: { value: unknown } }).attribute.value).toEqual(stored);
      }
      const before = await storedRows(user);
      for (const [input, message] of bad) {
        const body = await expectError(await setAttribute(tenant, headers, def._id, user, input), 400, "ATTRIBUTE_VALUE_INVALID");
        expect(body.message, JSON.stringify(input)).toContain(`Attribute "a_${type}"`);
        expect(body.message).toContain(message);
        expect(body.info).toMatchObject({ attribute: `a_${type}`, definition_id: def._id });
      }
      expect(await storedRows(user)).toEqual(before);
    });
  }

  it("applies min/max, lengths, regex and date bounds, naming the rule", async () => {
    const { tenant, headers } = await admin();
    const user = await createCustomer(tenant, { email: "a@example.com" });
    const cases: [Record<string, unknown>, unknown, unknown, string][] = [
      [{ type: "number", validations: [{ type: "min", value: 18 }, { type: "max", value: 99 }] }, 18, 17, "must be at least 18 (rule: min)"],
      [{ type: "number", validations: [{ type: "max", value: 99 }] }, 99, 100, "must be at most 99 (rule: max)"],
      [{ type: "string", validations: [{ type: "min_length", value: 2 }] }, "ab", "a", "must be at least 2 characters long (rule: min_length)"],
      [{ type: "string", validations: [{ type: "max_length", value: 3 }] }, "abc", "abcd", "must be at most 3 characters long (rule: max_length)"],
      [{ type: "string", validations: [{ type: "length", value: 6 }] }, "560001", "56001", "must be exactly 6 characters long (rule: length)"],
      [{ type: "string", validations: [{ type: "min", value: 2 }] }, "ab", "a", "must be at least 2 characters long (rule: min)"],
      [{ type: "string", validations: [{ type: "regex", value: "^[A-Z]{3}\\d{3}$" }] }, "ABC123", "abc123", "must match the pattern /^[A-Z]{3}\\d{3}$/ (rule: regex)"],
      [{ type: "date", validations: [{ type: "min", value: "2000-01-01" }] }, "2000-01-01", "1999-12-31", "must be on or after 2000-01-01 (rule: min)"],
      [{ type: "datetime", validations: [{ type: "max", value: "2030-01-01T00:00:00Z" }] }, "2029-12-31T23:59:59Z", "2030-01-01T00:00:01Z", "must be on or before 2030-01-01T00:00:00Z (rule: max)"],
      [{ type: "string", validations: [{ type: "options", value: ["a", "b"] }] }, "b", "c", "must be one of: a, b (rule: options)"],
    ];
    for (const [i, [definition, ok, bad, message]] of cases.entries()) {
      const def = await defineAttribute(tenant, headers, { name: `rule ${i}`, slug: `rule_${i}`, ...definition });
      expect((await setAttribute(tenant, headers, def._id, user, ok)).status, JSON.stringify(definition)).toBe(200);
      const body = await expectError(await setAttribute(tenant, headers, def._id, user, bad), 400, "ATTRIBUTE_VALUE_INVALID");
      expect(body.message).toBe(`Attribute "rule_${i}" ${message}`);
    }
  });

  it("stores multi-value attributes as lists, checks each item, and refuses lists for single values", async () => {
    const { tenant, headers } = await admin();
    const user = await createCustomer(tenant, { email: "a@example.com" });
    const sizes = await defineAttribute(tenant, headers, { name: "Sizes", slug: "sizes", type: "number", is_multi_value: true, validations: [{ type: "min", value: 1 }] });
    const single = await defineAttribute(tenant, headers, { name: "One", slug: "one", type: "number" });
    const res = await setAttribute(tenant, headers, sizes._id, user, [3, "4", 5]);
    expect(((await res.json()) as { attribute: { value: unknown } }).attribute.value).toEqual([3, 4, 5]);
    const wrapped = await setAttribute(tenant, headers, sizes._id, user, 7);
    expect(((await wrapped.json()) as { attribute: { value: unknown } }).attribute.value).toEqual([7]);
    const presence = { value_text: null, value_fold: null, value_num: null, month_day: null };
    // One row per element, plus the presence row that matches no condition.
    const rows = await indexRows(await definitionKey(sizes._id), user);
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(expect.arrayContaining([{ value_text: null, value_fold: null, value_num: 7, month_day: null }, presence]));
    expect((await setAttribute(tenant, headers, sizes._id, user, [])).status).toBe(200);
    expect(await indexRows(await definitionKey(sizes._id), user)).toEqual([]);
    expect((await setAttribute(tenant, headers, sizes._id, user, [7])).status).toBe(200);
    const bad = await expectError(await setAttribute(tenant, headers, sizes._id, user, [2, 0]), 400, "ATTRIBUTE_VALUE_INVALID");
    expect(bad.message).toBe('Attribute "sizes" item 2 must be at least 1 (rule: min)');
    const tooMany = await expectError(await setAttribute(tenant, headers, sizes._id, user, Array.from({ length: 51 }, (_, i) => i + 1)), 400);
    expect(tooMany.message).toContain("at most 50 values");
    const list = await expectError(await setAttribute(tenant, headers, single._id, user, [1, 2]), 400);
    expect(list.message).toContain("takes one value, not a list");
  });
});

describe("attribute values: platform routes", () => {
  it("PUT creates then replaces, GET reads, DELETE removes; values carry customer_overridden and updated_by", async () => {
    const { tenant, headers } = await admin();
    const def = await defineAttribute(tenant, headers, { name: "City", slug: "city", type: "string" });
    const user = await createCustomer(tenant, { email: "a@example.com" });
    const put = await call(valueUrl(tenant, def._id, user), json({ customer_overridden: true, attribute: { value: "Pune" } }, { method: "PUT", headers }));
    const first = (await put.json()) as Record<string, unknown>;
    expect(first).toMatchObject({
      name: "City",
      user_id: user,
      application_id: tenant.applicationId,
      user_attribute_definition_id: def._id,
      type: "string",
      customer_overridden: true,
      attribute: { value: "Pune" },
      updated_by: `platform:${tenant.clientId}`,
    });
    const again = (await (await setAttribute(tenant, headers, def._id, user, "Delhi")).json()) as Record<string, unknown>;
    expect(again._id).toBe(first._id);
    expect(again.attribute).toEqual({ value: "Delhi" });
    expect(await (await call(valueUrl(tenant, def._id, user), { headers })).json()).toEqual(again);
    expect(await (await call(`${tenant.plat}/user_attribute/attribute/${first._id}`, { headers })).json()).toEqual(again);
    expect(await (await call(valueUrl(tenant, def._id, user), { method: "DELETE", headers })).json()).toEqual({ success: "true" });
    await expectError(await call(valueUrl(tenant, def._id, user), { headers }), 404);
    await expectError(await call(valueUrl(tenant, def._id, user), { method: "DELETE", headers }), 404);
    await expectError(await call(`${tenant.plat}/user_attribute/attribute/${first._id}`, { headers }), 404);
  });

  it("refuses a missing value, an unknown user and an unknown definition", async () => {
    const { tenant, headers } = await admin();
    const def = await defineAttribute(tenant, headers, { name: "City", slug: "city", type: "string" });
    const user = await createCustomer(tenant, { email: "a@example.com" });
    await expectError(await call(valueUrl(tenant, def._id, user), json({ attribute: {} }, { method: "PUT", headers })), 400, "VALIDATION_FAILED");
    await expectError(await call(valueUrl(tenant, def._id, user), json({ attribute: { value: null } }, { method: "PUT", headers })), 400, "VALIDATION_FAILED");
    await expectError(await setAttribute(tenant, headers, def._id, "0".repeat(24), "x"), 404);
    await expectError(await setAttribute(tenant, headers, "f".repeat(24), user, "x"), 404);
    const bulk = await call(userValuesUrl(tenant, user), json({ attributes: [{ definition_id: "f".repeat(24), value: 1 }] }, { method: "POST", headers }));
    expect((await expectError(bulk, 400, "ATTRIBUTE_DEFINITION_UNKNOWN")).message).toContain("attributes.0.definition_id");
    expect(await storedRows(user)).toEqual([]);
  });

  it("bulk POST writes every value or none; bulk DELETE takes a JSON body; the per-user list pages", async () => {
    const { tenant, headers } = await admin();
    const city = await defineAttribute(tenant, headers, { name: "City", slug: "city", type: "string" });
    const age = await defineAttribute(tenant, headers, { name: "Age", slug: "age", type: "number" });
    const vip = await defineAttribute(tenant, headers, { name: "VIP", slug: "vip", type: "boolean" });
    const user = await createCustomer(tenant, { email: "a@example.com" });
    const bad = await call(
      userValuesUrl(tenant, user),
      json({ attributes: [{ definition_id: city._id, value: "Pune" }, { definition_id: age._id, value: "old" }] }, { method: "POST", headers }),
    );
    expect((await expectError(bad, 400, "ATTRIBUTE_VALUE_INVALID")).message).toBe('attributes.1: Attribute "age" must be a number (rule: type)');
    expect(await storedRows(user)).toEqual([]);
    await expectError(
      await call(userValuesUrl(tenant, user), json({ attributes: [{ definition_id: city._id, value: "a" }, { definition_id: city._id, value: "b" }] }, { method: "POST", headers })),
      400,
    );

    const ok = await call(
      userValuesUrl(tenant, user),
      json({ attributes: [{ definition_id: city._id, value: "Pune" }, { definition_id: age._id, value: 30 }, { definition_id: vip._id, value: true }] }, { method: "POST", headers }),
    );
    const body = (await ok.json()) as { success: boolean; attributes: { user_attribute_definition_id: string; attribute: { value: unknown } }[] };
    expect(body.success).toBe(true);
    expect(Object.fromEntries(body.attributes.map((a) => [a.user_attribute_definition_id, a.attribute.value]))).toEqual({ [city._id]: "Pune", [age._id]: 30, [vip._id]: true });

    const page = await call(`${userValuesUrl(tenant, user)}?page_size=2&page_no=1`, { headers });
    const paged = (await page.json()) as { items: unknown[]; page: { item_total: number; has_next: boolean } };
    expect(paged.items).toHaveLength(2);
    expect(paged.page).toMatchObject({ item_total: 3, has_next: true });

    await expectError(await call(userValuesUrl(tenant, user), json({ definition_ids: [] }, { method: "DELETE", headers })), 400, "VALIDATION_FAILED");
    await expectError(await call(userValuesUrl(tenant, user), json({ definition_ids: ["f".repeat(24)] }, { method: "DELETE", headers })), 400);
    const del = await call(userValuesUrl(tenant, user), json({ definition_ids: [city._id, vip._id] }, { method: "DELETE", headers }));
    expect(await del.json()).toEqual({ success: "true" });
    expect((await storedRows(user)).map((r) => r.definition_id)).toEqual([age._id]);
  });

  it("another application's value and user ids answer 404", async () => {
    const mine = await admin();
    const theirs = await admin();
    const def = await defineAttribute(theirs.tenant, theirs.headers, { name: "City", slug: "city", type: "string" });
    const theirUser = await createCustomer(theirs.tenant, { email: "t@example.com" });
    const value = (await (await setAttribute(theirs.tenant, theirs.headers, def._id, theirUser, "Pune")).json()) as { _id: string };
    const myDef = await defineAttribute(mine.tenant, mine.headers, { name: "City", slug: "city", type: "string" });
    const { tenant, headers } = mine;
    await expectError(await call(`${tenant.plat}/user_attribute/attribute/${value._id}`, { headers }), 404);
    await expectError(await call(userValuesUrl(tenant, theirUser), { headers }), 404);
    await expectError(await setAttribute(tenant, headers, myDef._id, theirUser, "x"), 404);
    await expectError(await call(userValuesUrl(tenant, theirUser), json({ definition_ids: [myDef._id] }, { method: "DELETE", headers })), 404);
    expect((await storedRows(theirUser)).map((r) => r.value)).toEqual(['"Pune"']);
  });
});

describe("encrypted attributes", () => {
  it("are stored as AES-GCM ciphertext only (never in clear, never indexed) and read back decrypted", async () => {
    const { tenant, headers } = await admin();
    const def = await defineAttribute(tenant, headers, { name: "PAN", slug: "pan", type: "string", encrypted: true });
    const user = await createCustomer(tenant, { email: "a@example.com" });
    const secret = "ABCDE1234F";
    const res = await setAttribute(tenant, headers, def._id, user, secret);
    expect(((await res.json()) as { attribute: { value: unknown } }).attribute.value).toBe(secret);
    const [row] = await storedRows(user);
    expect(row!.value).toBeNull();
    expect(String(row!.ciphertext)).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const everything = JSON.stringify(await env.DB.prepare("select * from user_attributes").all()) + JSON.stringify(await env.DB.prepare("select * from attribute_values").all());
    expect(everything).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(await indexRows(await definitionKey(def._id))).toEqual([]);
    expect(await (await call(valueUrl(tenant, def._id, user), { headers })).json()).toMatchObject({ attribute: { value: secret } });

    // Two writes of the same value give different ciphertexts (random IV).
    await setAttribute(tenant, headers, def._id, user, secret);
    const [again] = await storedRows(user);
    expect(again!.ciphertext).not.toBe(row!.ciphertext);
  });

  it("a ciphertext moved onto another customer's row does not decrypt there", async () => {
    const { tenant, headers } = await admin();
    const def = await defineAttribute(tenant, headers, { name: "PAN", slug: "pan", type: "string", encrypted: true });
    const alice = await createCustomer(tenant, { email: "alice@example.com" });
    const bob = await createCustomer(tenant, { email: "bob@example.com" });
    await setAttribute(tenant, headers, def._id, alice, "ALICE0001A");
    await setAttribute(tenant, headers, def._id, bob, "BOBBB0002B");
    await env.DB.prepare("update user_attributes set ciphertext = (select ciphertext from user_attributes where user_id = ?) where user_id = ?").bind(alice, bob).run();
    const res = await call(valueUrl(tenant, def._id, bob), { headers });
    const body = await expectError(res, 500, "INTERNAL_ERROR");
    expect(JSON.stringify(body)).not.toContain("ALICE");
  });

  it("cannot be used in filters", async () => {
    const { tenant, headers } = await admin();
    const def = await defineAttribute(tenant, headers, { name: "PAN", slug: "pan", type: "string", encrypted: true });
    const res = await call(
      `${tenant.plat}/user_attribute/users`,
      json({ query: { type: "and", limit: 10, page: 1, conditions: [{ definition_id: def._id, type: "eq", value: "x" }] } }, { method: "POST", headers }),
    );
    expect((await expectError(res, 400, "FILTER_INVALID")).message).toContain("encrypted and cannot be searched");
  });
});

describe("attribute values: storefront", () => {
  const attributesUrl = "/service/application/user/profile/v1.0/user-attributes";

  it("the customer reads their values and changes only customer-editable ones", async () => {
    const { tenant, headers } = await admin();
    const nick = await defineAttribute(tenant, headers, { name: "Nickname", slug: "nick", type: "string", customer_editable: true });
    const tier = await defineAttribute(tenant, headers, { name: "Tier", slug: "tier", type: "enum", options: ["gold", "silver"] });
    const hobbies = await defineAttribute(tenant, headers, { name: "Hobbies", slug: "hobbies", type: "string", is_multi_value: true, customer_editable: true });
    const { userId, cookie } = await loggedInCustomer(tenant);
    await setAttribute(tenant, headers, tier._id, userId, "gold");
    const sf = { authorization: tenant.appAuth, cookie };

    const read = await call(attributesUrl, { headers: sf });
    expect(await read.json()).toEqual({ attributes: { tier: "gold" } });

    const patched = await call(attributesUrl, json({ attributes: { nick: "Jo", hobbies: ["chess", "go"] } }, { method: "PATCH", headers: sf }));
    expect(await patched.json()).toEqual({ attributes: { tier: "gold", nick: "Jo", hobbies: ["chess", "go"] } });
    const stored = await env.DB.prepare("select customer_overridden, updated_by from user_attributes where definition_id = ?").bind(nick._id).first();
    expect(stored).toEqual({ customer_overridden: 1, updated_by: "user" });
    expect(await (await call(`${attributesUrl}?slug=nick`, { headers: sf })).json()).toEqual({ attributes: { nick: "Jo" } });

    // Not customer-editable: refused, and nothing else in the request is written either.
    const forbidden = await call(attributesUrl, json({ attributes: { nick: "Joe", tier: "silver" } }, { method: "PATCH", headers: sf }));
    expect((await expectError(forbidden, 403, "FORBIDDEN")).message).toContain('"tier"');
    await expectError(await call(attributesUrl, json({ attributes: { nope: 1 } }, { method: "PATCH", headers: sf })), 400, "ATTRIBUTE_DEFINITION_UNKNOWN");
    await expectError(await call(attributesUrl, json({ attributes: { nick: 5 } }, { method: "PATCH", headers: sf })), 400, "ATTRIBUTE_VALUE_INVALID");
    expect(await (await call(attributesUrl, { headers: sf })).json()).toEqual({ attributes: { tier: "gold", nick: "Jo", hobbies: ["chess", "go"] } });

    // null clears an editable value.
    const cleared = await call(attributesUrl, json({ attributes: { hobbies: null } }, { method: "PATCH", headers: sf }));
    expect(await cleared.json()).toEqual({ attributes: { tier: "gold", nick: "Jo" } });
    expect(hobbies._id).toBeTruthy();
  });

  it("needs a session", async () => {
    const tenant = await createTenant();
    await expectError(await call(attributesUrl, { headers: { authorization: tenant.appAuth } }), 401);
    await expectError(await call(attributesUrl, json({ attributes: {} }, { method: "PATCH", headers: { authorization: tenant.appAuth } })), 401);
    const other = await createTenant();
    const { cookie } = await loggedInCustomer(other);
    await expectError(await call(attributesUrl, { headers: { authorization: tenant.appAuth, cookie } }), 401);
  });
});
