import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttribute, download, setAttribute, uploadCsv } from "./support/attributes";

async function admin() {
  const tenant = await createTenant();
  return { tenant, headers: await adminHeaders(tenant) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const groupsUrl = (tenant: Tenant, id = "") => `${tenant.plat}/user_group${id ? `/${id}` : ""}`;

interface Group {
  _id: string;
  uid: number;
  name: string;
  type: string;
  status: string;
  conditions: { user_attribute_definition_id: string; type: string; value: unknown; key: string }[];
  error: { count: number; file_url: string };
  __v: number;
}

async function createGroup(tenant: Tenant, headers: Record<string, string>, body: Record<string, unknown>): Promise<Group> {
  const res = await call(groupsUrl(tenant), json(body, { method: "POST", headers }));
  if (res.status !== 200) throw new Error(`createGroup: ${res.status} ${await res.text()}`);
  return res.json();
}

async function members(tenant: Tenant, headers: Record<string, string>, id: string): Promise<{ ids: string[]; count: number }> {
  const res = await call(`${groupsUrl(tenant, id)}/members?page_size=100`, { headers });
  const body = (await res.json()) as { items: { _id: string }[]; page: { item_total: number } };
  if (res.status !== 200) throw new Error(JSON.stringify(body));
  return { ids: body.items.map((i) => i._id).sort(), count: body.page.item_total };
}

const patch = (tenant: Tenant, headers: Record<string, string>, id: string, body: Record<string, unknown>) =>
  call(groupsUrl(tenant, id), json(body, { method: "PATCH", headers }));

describe("user groups: CRUD and lists", () => {
  it("creates, reads, updates, lists (filters, paging) and deletes groups; uid counts up per application", async () => {
    const { tenant, headers } = await admin();
    const a = await createGroup(tenant, headers, { name: "Early birds", description: "first 100" });
    expect(a).toMatchObject({ uid: 1, name: "Early birds", description: "first 100", type: "bulk", status: "completed", is_active: true, conditions: [], error: { count: 0, file_url: "" }, __v: 0, application_id: tenant.applicationId });
    const age = await defineAttribute(tenant, headers, { name: "Age", slug: "age", type: "number" });
    const b = await createGroup(tenant, headers, { name: "Adults", description: "18+", type: "conditional", conditions: [{ user_attribute_definition_id: age._id, type: "gte", value: 18 }] });
    expect(b).toMatchObject({ uid: 2, type: "conditional", status: "active", conditions: [{ user_attribute_definition_id: age._id, type: "gte", value: "18", key: "age" }] });
    const other = await admin();
    expect((await createGroup(other.tenant, other.headers, { name: "X", description: "" })).uid).toBe(1);

    expect(await (await call(groupsUrl(tenant, a._id), { headers })).json()).toEqual(a);
    const updated = await call(groupsUrl(tenant, a._id), json({ name: "Early birds 2024", description: "changed" }, { method: "PUT", headers }));
    expect(await updated.json()).toMatchObject({ name: "Early birds 2024", description: "changed", type: "bulk", __v: 1 });

    const list = async (query: string) => {
      const res = await call(`${groupsUrl(tenant)}?${query}`, { headers });
      const body = (await res.json()) as { items: Group[]; page: { item_total: number; has_next: boolean } };
      return { names: body.items.map((g) => g.name), page: body.page };
    };
    expect((await list("")).names).toEqual(["Adults", "Early birds 2024"]);
    expect((await list("name=BIRD")).names).toEqual(["Early birds 2024"]);
    expect((await list("type=conditional")).names).toEqual(["Adults"]);
    expect((await list("group_uid=1")).names).toEqual(["Early birds 2024"]);
    expect((await list("status=active")).names).toEqual(["Adults"]);
    expect(await list("page_size=1&page_no=1")).toMatchObject({ names: ["Adults"], page: { item_total: 2, has_next: true } });
    await expectError(await call(`${groupsUrl(tenant)}?type=other`, { headers }), 400, "VALIDATION_FAILED");

    expect(await (await call(groupsUrl(tenant, a._id), { method: "DELETE", headers })).json()).toEqual({ id: a._id, success: true });
    await expectError(await call(groupsUrl(tenant, a._id), { headers }), 404);
  });

  it("refuses bad groups without writing", async () => {
    const { tenant, headers } = await admin();
    const age = await defineAttribute(tenant, headers, { name: "Age", slug: "age", type: "number" });
    const bad: [Record<string, unknown>, string][] = [
      [{ description: "x" }, "VALIDATION_FAILED"],
      [{ name: "A" }, "VALIDATION_FAILED"],
      [{ name: "A", description: "", type: "smart" }, "VALIDATION_FAILED"],
      [{ name: "A", description: "", type: "conditional" }, "BAD_REQUEST"],
      [{ name: "A", description: "", type: "conditional", conditions: [{ user_attribute_definition_id: "f".repeat(24), type: "eq", value: 1 }] }, "ATTRIBUTE_DEFINITION_UNKNOWN"],
      [{ name: "A", description: "", type: "conditional", conditions: [{ user_attribute_definition_id: age._id, type: "sw", value: 1 }] }, "FILTER_INVALID"],
      [{ name: "A", description: "", conditions: [{ user_attribute_definition_id: age._id, type: "eq", value: 1 }] }, "BAD_REQUEST"],
      [{ name: "A", description: "", type: "conditional", file_url: "https://files.example/x.csv", conditions: [{ user_attribute_definition_id: age._id, type: "eq", value: 1 }] }, "BAD_REQUEST"],
    ];
    for (const [body, code] of bad) await expectError(await call(groupsUrl(tenant), json(body, { method: "POST", headers })), 400, code);
    const count = await env.DB.prepare("select count(*) as n from user_groups where application_id = ?").bind(tenant.applicationId).first<{ n: number }>();
    expect(count!.n).toBe(0);
  });

  it("another application's group ids answer 404 everywhere", async () => {
    const mine = await admin();
    const theirs = await admin();
    const group = await createGroup(theirs.tenant, theirs.headers, { name: "Theirs", description: "" });
    const { tenant, headers } = mine;
    await expectError(await call(groupsUrl(tenant, group._id), { headers }), 404);
    await expectError(await call(groupsUrl(tenant, group._id), json({ name: "Mine" }, { method: "PUT", headers })), 404);
    await expectError(await patch(tenant, headers, group._id, { type: "json", user_data: [] }), 404);
    await expectError(await call(groupsUrl(tenant, group._id), { method: "DELETE", headers }), 404);
    await expectError(await call(`${groupsUrl(tenant, group._id)}/members`, { headers }), 404);
    expect(await (await call(groupsUrl(theirs.tenant, group._id), { headers: theirs.headers })).json()).toMatchObject({ name: "Theirs" });
  });

  it("a group is also found by its numeric uid (get, put, patch), only within its own application", async () => {
    const { tenant, headers } = await admin();
    const other = await admin();
    const mine = await createGroup(tenant, headers, { name: "Mine", description: "" });
    const theirs = await createGroup(other.tenant, other.headers, { name: "Theirs", description: "" });
    await createGroup(other.tenant, other.headers, { name: "Theirs 2", description: "" });
    expect(mine.uid).toBe(1);
    expect(await (await call(groupsUrl(tenant, "1"), { headers })).json()).toMatchObject({ _id: mine._id, name: "Mine" });
    const put = await call(groupsUrl(tenant, "1"), json({ name: "Mine renamed", description: "by uid" }, { method: "PUT", headers }));
    expect(await put.json()).toMatchObject({ _id: mine._id, uid: 1, name: "Mine renamed", description: "by uid" });
    const customer = await createCustomer(tenant, { email: "uid-member@example.com" });
    const patched = await patch(tenant, headers, "1", { type: "json", user_data: [{ action: "add", user_id: customer }] });
    expect(await patched.json()).toMatchObject({ _id: mine._id, name: "Mine renamed" });
    expect(await members(tenant, headers, mine._id)).toEqual({ ids: [customer], count: 1 });

    // uid 2 exists only in the other application; uid 1 there is theirs, never ours.
    for (const ref of ["2", "0", "999"]) {
      await expectError(await call(groupsUrl(tenant, ref), { headers }), 404);
      await expectError(await call(groupsUrl(tenant, ref), json({ name: "Hijack" }, { method: "PUT", headers })), 404);
      await expectError(await patch(tenant, headers, ref, { name: "Hijack" }), 404);
    }
    expect(await (await call(groupsUrl(other.tenant, "1"), { headers: other.headers })).json()).toMatchObject({ _id: theirs._id, name: "Theirs" });
    expect(await (await call(groupsUrl(other.tenant, theirs._id), { headers: other.headers })).json()).toMatchObject({ name: "Theirs", __v: 0 });
  });

  it("conditions come back as the SDK's Conditions (value a string); string values round-trip as conditions", async () => {
    const { tenant, headers } = await admin();
    const age = await defineAttribute(tenant, headers, { name: "Age", slug: "age", type: "number" });
    const vip = await defineAttribute(tenant, headers, { name: "VIP", slug: "vip", type: "boolean" });
    const city = await defineAttribute(tenant, headers, { name: "City", slug: "city", type: "string" });
    const ann = await createCustomer(tenant, { email: "ann-cond@example.com" });
    const ben = await createCustomer(tenant, { email: "ben-cond@example.com" });
    await setAttribute(tenant, headers, age._id, ann, 30);
    await setAttribute(tenant, headers, vip._id, ann, true);
    await setAttribute(tenant, headers, city._id, ann, "Pune");
    await setAttribute(tenant, headers, age._id, ben, 30);
    await setAttribute(tenant, headers, vip._id, ben, false);
    await setAttribute(tenant, headers, city._id, ben, "Pune");
    const conditions = [
      { user_attribute_definition_id: age._id, type: "btw", value: [18, 40] },
      { user_attribute_definition_id: vip._id, type: "eq", value: true },
      { user_attribute_definition_id: city._id, type: "in", value: ["Pune", "Delhi"] },
    ];
    const group = await createGroup(tenant, headers, { name: "Typed", description: "", type: "conditional", conditions });
    expect(group.conditions).toEqual([
      { user_attribute_definition_id: age._id, type: "btw", value: "[18,40]", key: "age" },
      { user_attribute_definition_id: vip._id, type: "eq", value: "true", key: "vip" },
      { user_attribute_definition_id: city._id, type: "in", value: '["Pune","Delhi"]', key: "city" },
    ]);
    for (const c of group.conditions) expect(typeof c.value).toBe("string");
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann], count: 1 });

    // What the SDK sends (strings) means the same; what GET answers can be sent back unchanged.
    const asStrings = await createGroup(tenant, headers, { name: "As strings", description: "", type: "conditional", conditions: group.conditions.map(({ key: _, ...c }) => c) });
    expect(asStrings.conditions).toEqual(group.conditions);
    expect(await members(tenant, headers, asStrings._id)).toEqual({ ids: [ann], count: 1 });
    const narrowed = await call(
      groupsUrl(tenant, asStrings._id),
      json({ conditions: [{ user_attribute_definition_id: age._id, type: "gt", value: "29" }, { user_attribute_definition_id: vip._id, type: "eq", value: "false" }] }, { method: "PUT", headers }),
    );
    expect(await narrowed.json()).toMatchObject({ conditions: [{ value: "29" }, { value: "false" }] });
    expect(await members(tenant, headers, asStrings._id)).toEqual({ ids: [ben], count: 1 });
  });
});

describe("user groups: bulk members", () => {
  it("adds and removes members by user_id, email and phone (json); bad entries refuse the whole request", async () => {
    const { tenant, headers } = await admin();
    const ann = await createCustomer(tenant, { email: "ann@example.com" });
    const ben = await createCustomer(tenant, { phone: "+919812345678" });
    const cat = await createCustomer(tenant, { email: "cat@example.com" });
    const stranger = await createCustomer((await admin()).tenant, { email: "zed@example.com" });
    const group = await createGroup(tenant, headers, { name: "VIP", description: "" });

    const added = await patch(tenant, headers, group._id, {
      type: "json",
      user_data: [
        { action: "add", email: "ANN@example.com" },
        { action: "add", phone_number: "+91 98123 45678" },
        { action: "add", user_id: cat },
      ],
    });
    expect(added.status).toBe(200);
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann, ben, cat].sort(), count: 3 });

    const removed = await patch(tenant, headers, group._id, {
      type: "json",
      user_data: [{ action: "remove", phone_number: "+919812345678" }, { action: "remove", email: "cat@example.com" }, { action: "add", email: "cat@example.com" }],
    });
    expect(removed.status).toBe(200);
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann, cat].sort(), count: 2 });

    const bad = await patch(tenant, headers, group._id, {
      type: "json",
      user_data: [{ action: "remove", email: "ann@example.com" }, { action: "add", email: "zed@example.com" }, { action: "add", user_id: stranger }, { action: "add" }, { action: "add", phone_number: "123" }],
    });
    const body = await expectError(bad, 400, "USER_DATA_INVALID");
    expect(body.info).toEqual({
      fields: [
        { field: "user_data.1", message: "no customer with email zed@example.com" },
        { field: "user_data.2", message: `no customer with user_id ${stranger}` },
        { field: "user_data.3", message: "needs a user_id, email or phone_number" },
        { field: "user_data.4", message: expect.stringContaining("phone_number is not valid") },
      ],
    });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann, cat].sort(), count: 2 });
    await expectError(await patch(tenant, headers, group._id, { type: "json" }), 400);
    await expectError(await patch(tenant, headers, group._id, { type: "json", user_data: [{ action: "toggle", email: "ann@example.com" }] }), 400, "VALIDATION_FAILED");
  });

  it("applies a CSV from an external URL (fetched) or an uploaded file, reporting unresolved rows in an error CSV", async () => {
    const { tenant, headers } = await admin();
    const ann = await createCustomer(tenant, { email: "ann@example.com" });
    const ben = await createCustomer(tenant, { phone: "+919812345678" });
    const csv = "Email,Phone_Number,Action\nann@example.com,,add\n,9812345678,ADD\nghost@example.com,,add\n,,add\nann@example.com,,jump\n";
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = String(input instanceof Request ? input.url : input);
      return url === "https://files.example/members.csv" ? new Response(csv) : new Response("nope", { status: 404 });
    });
    // A national number needs a country_code column; without one that row fails too.
    const group = await createGroup(tenant, headers, { name: "From file", description: "", file_url: "https://files.example/members.csv" });
    expect(fetchSpy).toHaveBeenCalled();
    expect(group).toMatchObject({ status: "partial", file_url: "https://files.example/members.csv", error: { count: 4 } });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann], count: 1 });
    const report = await download(headers, new URL(group.error.file_url).pathname);
    expect(report.trim().split("\n")).toEqual([
      "row,Email,Phone_Number,Action,error",
      "3,,9812345678,ADD,phone_number is not valid (use +<country code><number> or a country_code column)",
      "4,ghost@example.com,,add,no customer with email ghost@example.com",
      '5,,,add,"needs a user_id, email or phone_number"',
      "6,ann@example.com,,jump,action must be add or remove",
    ]);

    const uploaded = await uploadCsv(tenant, headers, "phone_number,country_code,action\n9812345678,91,add\nann@example.com,,remove\n");
    const patched = await patch(tenant, headers, group._id, { file_url: uploaded.absolute_url });
    expect(await patched.json()).toMatchObject({ status: "partial", error: { count: 1 } });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann, ben].sort(), count: 2 });

    const removal = await uploadCsv(tenant, headers, "email,action\nann@example.com,remove\n");
    expect(await (await patch(tenant, headers, group._id, { type: "file_url", file_url: removal.relative_url })).json()).toMatchObject({ status: "completed", error: { count: 0, file_url: "" } });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ben], count: 1 });

    await expectError(await patch(tenant, headers, group._id, { file_url: "https://files.example/missing.csv" }), 400, "FILE_UNREADABLE");
    const noAction = await uploadCsv(tenant, headers, "email\nann@example.com\n");
    expect((await expectError(await patch(tenant, headers, group._id, { file_url: noAction.absolute_url }), 400)).message).toContain("action column");
    // Another application's file URL is never fetched or read.
    const other = await admin();
    const foreign = await uploadCsv(other.tenant, other.headers, "email,action\nann@example.com,remove\n");
    await expectError(await patch(tenant, headers, group._id, { file_url: foreign.absolute_url }), 404);
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ben], count: 1 });
  });
});

describe("user groups: conditional", () => {
  it("members are the customers matching the conditions right now, following attribute changes", async () => {
    const { tenant, headers } = await admin();
    const age = await defineAttribute(tenant, headers, { name: "Age", slug: "age", type: "number" });
    const city = await defineAttribute(tenant, headers, { name: "City", slug: "city", type: "string" });
    const ann = await createCustomer(tenant, { email: "ann@example.com" });
    const ben = await createCustomer(tenant, { email: "ben@example.com" });
    await setAttribute(tenant, headers, age._id, ann, 30);
    await setAttribute(tenant, headers, city._id, ann, "Pune");
    await setAttribute(tenant, headers, age._id, ben, 16);
    await setAttribute(tenant, headers, city._id, ben, "Pune");
    const group = await createGroup(tenant, headers, {
      name: "Adults in Pune",
      description: "",
      type: "conditional",
      conditions: [
        { user_attribute_definition_id: age._id, type: "gte", value: 18 },
        { user_attribute_definition_id: city._id, type: "eq", value: "pune" },
      ],
    });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann], count: 1 });

    await setAttribute(tenant, headers, age._id, ben, 18);
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ann, ben].sort(), count: 2 });
    await setAttribute(tenant, headers, city._id, ann, "Delhi");
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [ben], count: 1 });
    await call(`${tenant.plat}/user_attribute/definition/${age._id}/user/${ben}`, { method: "DELETE", headers });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [], count: 0 });

    // Members follow the conditions, not edits.
    await expectError(await patch(tenant, headers, group._id, { type: "json", user_data: [{ action: "add", user_id: ann }] }), 409);
    // A definition used by a conditional group can neither be deleted nor change type.
    await expectError(await call(`${tenant.plat}/user_attribute/definition/${age._id}`, { method: "DELETE", headers }), 409);
    await expectError(await call(`${tenant.plat}/user_attribute/definition/${city._id}`, json({ encrypted: true }, { method: "PUT", headers })), 409);

    // Turning it into a bulk group drops the conditions and starts with no members.
    const bulk = await call(groupsUrl(tenant, group._id), json({ type: "bulk" }, { method: "PUT", headers }));
    expect(await bulk.json()).toMatchObject({ type: "bulk", conditions: [], status: "completed" });
    expect(await members(tenant, headers, group._id)).toEqual({ ids: [], count: 0 });
    expect((await call(`${tenant.plat}/user_attribute/definition/${age._id}`, { method: "DELETE", headers })).status).toBe(200);
  });
});
