import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttribute, definitionKey, indexRows, setAttribute } from "./support/attributes";

async function admin() {
  const tenant = await createTenant();
  return { tenant, headers: await adminHeaders(tenant) };
}

const definitionUrl = (tenant: Tenant, id = "") => `${tenant.plat}/user_attribute/definition${id ? `/${id}` : ""}`;

async function countRows(table: string, applicationId: string) {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where application_id = ?`).bind(applicationId).first<{ n: number }>();
  return row!.n;
}

describe("attribute definitions (platform)", () => {
  it("creates, reads, lists, updates and deletes a definition with every documented field", async () => {
    const { tenant, headers } = await admin();
    const created = await defineAttribute(tenant, headers, {
      name: "Loyalty tier",
      slug: "tier",
      type: "enum",
      description: "Customer tier",
      options: ["gold", "silver"],
      is_multi_value: false,
      customer_editable: true,
      pinned: true,
      pin_order: 2,
      registration: { enabled: true, type: "mandatory" },
      masking: { enabled: false, type: "default" },
      ordering_channels: ["web"],
      default_value: "silver",
    });
    expect(created).toMatchObject({
      name: "Loyalty tier",
      slug: "tier",
      type: "enum",
      application_id: tenant.applicationId,
      options: ["gold", "silver"],
      customer_editable: true,
      encrypted: false,
      pinned: true,
      pin_order: 2,
      registration: { enabled: true, type: "mandatory" },
      default_value: "silver",
      __v: 0,
      validations: [{ type: "options", value: ["gold", "silver"] }],
    });
    expect(created._id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.created_by).toBe(`platform:${tenant.clientId}`);

    const read = await call(definitionUrl(tenant, created._id), { headers });
    expect(await read.json()).toEqual(created);

    const updated = await call(definitionUrl(tenant, created._id), json({ name: "Tier", options: ["gold", "silver", "bronze"] }, { method: "PUT", headers }));
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ name: "Tier", slug: "tier", options: ["gold", "silver", "bronze"], __v: 1 });

    const list = await call(definitionUrl(tenant), { headers });
    const body = (await list.json()) as { items: { _id: string }[]; page: Record<string, unknown> };
    expect(body.items.map((i) => i._id)).toEqual([created._id]);
    expect(body.page).toEqual({ type: "number", current: 1, size: 10, item_total: 1, has_next: false, total: 1 });

    const deleted = await call(definitionUrl(tenant, created._id), { method: "DELETE", headers });
    expect(await deleted.json()).toEqual({ success: "true" });
    await expectError(await call(definitionUrl(tenant, created._id), { headers }), 404, "NOT_FOUND");
  });

  it("requires name, slug and a known type, and refuses bad fields without writing", async () => {
    const { tenant, headers } = await admin();
    const bad = [
      { slug: "a", type: "string" },
      { name: "A", type: "string" },
      { name: "A", slug: "a" },
      { name: "A", slug: "a", type: "colour" },
      { name: "A", slug: "has space", type: "string" },
      { name: "A", slug: "a", type: "string", pin_order: -1 },
      { name: "A", slug: "a", type: "string", registration: { enabled: true, type: "sometimes" } },
    ];
    for (const body of bad) {
      await expectError(await call(definitionUrl(tenant), json(body, { method: "POST", headers })), 400, "VALIDATION_FAILED");
    }
    expect(await countRows("attribute_definitions", tenant.applicationId)).toBe(0);
  });

  it("refuses validations that do not fit the type, unsafe regexes, enums without options and bad defaults", async () => {
    const { tenant, headers } = await admin();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: "number", validations: [{ type: "regex", value: "^\\d+$" }] }, /regex.*does not apply to number/],
      [{ type: "boolean", validations: [{ type: "min", value: 1 }] }, /does not apply to boolean/],
      [{ type: "string", validations: [{ type: "min", value: "x" }] }, /whole number/],
      [{ type: "string", validations: [{ type: "regex", value: "(a+)+$" }] }, /repeats a group/],
      [{ type: "string", validations: [{ type: "regex", value: "(a|aa)*b" }] }, /repeats a group/],
      [{ type: "string", validations: [{ type: "regex", value: "(x)\\1" }] }, /back-reference/],
      [{ type: "string", validations: [{ type: "regex", value: "a".repeat(201) }] }, /longer than 200/],
      [{ type: "string", validations: [{ type: "regex", value: "[" }] }, /not a valid regular expression/],
      [{ type: "string", validations: [{ type: "shout", value: 1 }] }, /unknown validation/],
      [{ type: "enum" }, /need options/],
      [{ type: "date", validations: [{ type: "min", value: "yesterday" }] }, /needs a date/],
      [{ type: "json", is_multi_value: true }, /cannot be multi-value/],
      [{ type: "number", default_value: "many" }, /default_value: Attribute "x" must be a number \(rule: type\)/],
      [{ type: "number", default_value: "3", validations: [{ type: "min", value: 5 }] }, /must be at least 5 \(rule: min\)/],
    ];
    for (const [extra, message] of cases) {
      const res = await call(definitionUrl(tenant), json({ name: "X", slug: "x", ...extra }, { method: "POST", headers }));
      const body = await expectError(res, 400);
      expect(body.message, JSON.stringify(extra)).toMatch(message);
    }
    expect(await countRows("attribute_definitions", tenant.applicationId)).toBe(0);
  });

  it("keeps slugs unique per application and frozen (with type, multi-value and encryption) once values exist", async () => {
    const { tenant, headers } = await admin();
    const age = await defineAttribute(tenant, headers, { name: "Age", slug: "age", type: "number" });
    await expectError(await call(definitionUrl(tenant), json({ name: "Age 2", slug: "age", type: "string" }, { method: "POST", headers })), 409, "CONFLICT");

    // Another application may use the same slug.
    const other = await admin();
    await defineAttribute(other.tenant, other.headers, { name: "Age", slug: "age", type: "number" });

    // Without values the slug may still change.
    const renamed = await call(definitionUrl(tenant, age._id), json({ slug: "years" }, { method: "PUT", headers }));
    expect(await renamed.json()).toMatchObject({ slug: "years" });

    const user = await createCustomer(tenant, { email: "a@example.com" });
    expect((await setAttribute(tenant, headers, age._id, user, 30)).status).toBe(200);
    for (const change of [{ slug: "age" }, { type: "string" }, { is_multi_value: true }, { encrypted: true }]) {
      const res = await call(definitionUrl(tenant, age._id), json(change, { method: "PUT", headers }));
      expect((await expectError(res, 409, "CONFLICT")).message).toMatch(/has values/);
    }
    // Other fields still change.
    const ok = await call(definitionUrl(tenant, age._id), json({ name: "Age in years", customer_editable: true }, { method: "PUT", headers }));
    expect(await ok.json()).toMatchObject({ slug: "years", name: "Age in years", customer_editable: true });
  });

  it("a locked definition cannot change or be deleted until unlocked", async () => {
    const { tenant, headers } = await admin();
    const def = await defineAttribute(tenant, headers, { name: "Source", slug: "source", type: "string", is_locked: true });
    await expectError(await call(definitionUrl(tenant, def._id), json({ name: "Origin" }, { method: "PUT", headers })), 409);
    await expectError(await call(definitionUrl(tenant, def._id), { method: "DELETE", headers }), 409);
    const unlocked = await call(definitionUrl(tenant, def._id), json({ is_locked: false, name: "Origin" }, { method: "PUT", headers }));
    expect(await unlocked.json()).toMatchObject({ is_locked: false, name: "Origin" });
    expect((await call(definitionUrl(tenant, def._id), { method: "DELETE", headers })).status).toBe(200);
  });

  it("deleting a definition removes its values", async () => {
    const { tenant, headers } = await admin();
    const tags = await defineAttribute(tenant, headers, { name: "Tags", slug: "tags", type: "string", is_multi_value: true });
    const keep = await defineAttribute(tenant, headers, { name: "Nick", slug: "nick", type: "string" });
    const user = await createCustomer(tenant, { email: "a@example.com" });
    await setAttribute(tenant, headers, tags._id, user, ["a", "b"]);
    await setAttribute(tenant, headers, keep._id, user, "Al");
    const tagsKey = await definitionKey(tags._id);
    // Two elements and the presence row.
    expect(await indexRows(tagsKey)).toHaveLength(3);
    expect((await call(definitionUrl(tenant, tags._id), { method: "DELETE", headers })).status).toBe(200);
    const values = await env.DB.prepare("select definition_id from user_attributes where user_id = ?").bind(user).all<{ definition_id: string }>();
    expect(values.results.map((r) => r.definition_id)).toEqual([keep._id]);
    expect(await indexRows(tagsKey)).toEqual([]);
  });

  it("filters and pages the list (name as case-insensitive substring, flags, excluding_ids), pinned first", async () => {
    const { tenant, headers } = await admin();
    const a = await defineAttribute(tenant, headers, { name: "Favourite colour", slug: "colour", type: "string", customer_editable: true });
    const b = await defineAttribute(tenant, headers, { name: "Birthday", slug: "birthday", type: "date", pinned: true, pin_order: 1, registration: { enabled: true, type: "optional" } });
    const c = await defineAttribute(tenant, headers, { name: "Secret", slug: "secret", type: "string", encrypted: true, pinned: true, pin_order: 0 });
    const ids = async (query: string) => {
      const res = await call(`${definitionUrl(tenant)}?${query}`, { headers });
      expect(res.status, query).toBe(200);
      return ((await res.json()) as { items: { _id: string }[] }).items.map((i) => i._id);
    };
    expect(await ids("")).toEqual([c._id, b._id, a._id]);
    expect(await ids("name=fav")).toEqual([a._id]);
    expect(await ids("name=COLOUR")).toEqual([a._id]);
    expect(await ids("name=COLOU?R")).toEqual([]);
    expect(await ids("customer_editable=true")).toEqual([a._id]);
    expect(await ids("encrypted=true")).toEqual([c._id]);
    expect(await ids("pinned=false")).toEqual([a._id]);
    expect(await ids("type=date")).toEqual([b._id]);
    expect(await ids("slug=secret")).toEqual([c._id]);
    expect(await ids(`excluding_ids=${a._id},${c._id}`)).toEqual([b._id]);
    expect(await ids("page_size=2&page_no=2")).toEqual([a._id]);
    expect(await ids("name=(a%2B)%2B")).toEqual([]);
    await expectError(await call(`${definitionUrl(tenant)}?page_size=0`, { headers }), 400, "VALIDATION_FAILED");
  });

  it("another application's definition ids answer 404 everywhere", async () => {
    const mine = await admin();
    const theirs = await admin();
    const foreign = await defineAttribute(theirs.tenant, theirs.headers, { name: "Age", slug: "age", type: "number" });
    const { tenant, headers } = mine;
    await expectError(await call(definitionUrl(tenant, foreign._id), { headers }), 404);
    await expectError(await call(definitionUrl(tenant, foreign._id), json({ name: "Mine" }, { method: "PUT", headers })), 404);
    await expectError(await call(definitionUrl(tenant, foreign._id), { method: "DELETE", headers }), 404);
    const user = await createCustomer(tenant, { email: "a@example.com" });
    await expectError(await setAttribute(tenant, headers, foreign._id, user, 3), 404);
    const still = await call(definitionUrl(theirs.tenant, foreign._id), { headers: theirs.headers });
    expect(await still.json()).toMatchObject({ name: "Age" });
  });
});

describe("attribute definitions (storefront)", () => {
  it("lists definitions keyed `id`, with the storefront filters", async () => {
    const { tenant, headers } = await admin();
    const reg = await defineAttribute(tenant, headers, { name: "Shoe size", slug: "shoe", type: "number", registration: { enabled: true, type: "mandatory" } });
    await defineAttribute(tenant, headers, { name: "Notes", slug: "notes", type: "string" });
    const res = await call("/service/application/user/profile/v1.0/attributes/definition?registration_enabled=true&registration_type=mandatory", {
      headers: { authorization: tenant.appAuth },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Record<string, unknown>[]; page: { item_total: number } };
    expect(body.page.item_total).toBe(1);
    expect(body.items[0]).toMatchObject({ id: reg._id, slug: "shoe", registration: { enabled: true, type: "mandatory" } });
    expect(body.items[0]).not.toHaveProperty("_id");
    expect(body.items[0]).not.toHaveProperty("__v");
    expect(body.items[0]).not.toHaveProperty("created_by");
    await expectError(await call("/service/application/user/profile/v1.0/attributes/definition"), 401);
  });
});
