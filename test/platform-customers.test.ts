import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./support/http";
import { countRows, eventsOf, newAdmin, send, type UserBody } from "./support/customers";
import { adminHeaders, createTenant } from "./support/tenants";

describe("platform createUser", () => {
  it("creates a user with verified primary contacts and records the admin action", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({
      email: " Jane@Example.com ",
      phone_number: "9876543210",
      first_name: "Jane",
      last_name: "Doe",
      gender: "female",
      dob: "1990-04-01",
      external_id: "ext-1",
      meta: { tier: "gold" },
    });
    expect(user.emails).toEqual([{ email: "jane@example.com", active: true, primary: true, verified: true }]);
    expect(user.phone_numbers).toEqual([{ phone: "9876543210", country_code: 91, active: true, primary: true, verified: true }]);
    expect(user).toMatchObject({ first_name: "Jane", last_name: "Doe", external_id: "ext-1", meta: { tier: "gold" }, active: true });
    expect(user._id).toMatch(/^[0-9a-f]{24}$/);
    const events = await eventsOf(admin.tenant.applicationId);
    expect(events).toEqual([expect.objectContaining({ type: "admin.user.created", actor: `platform:${admin.tenant.clientId}`, user_id: user._id })]);
  });

  it("leaves contacts unverified with verified=false", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "u@example.com", phone_number: "+14155550123" }, "?verified=false");
    expect(user.emails[0]).toMatchObject({ verified: false, primary: true });
    expect(user.phone_numbers[0]).toMatchObject({ verified: false, country_code: 1, phone: "4155550123" });
  });

  it("leaves unset optional fields out instead of sending null (the SDK's models refuse null strings)", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "plain@example.com" });
    for (const key of ["gender", "dob", "external_id", "rr_id", "consent"]) expect(user).not.toHaveProperty(key);
    expect(JSON.stringify(user)).not.toContain("null");
  });

  it("refuses bad input with 400 and writes nothing", async () => {
    const admin = await newAdmin();
    const bad: [string, unknown][] = [
      ["", { first_name: "No contact" }],
      ["", { email: "not-an-email" }],
      ["", { phone_number: "12" }],
      ["", { email: "a@example.com", dob: "yesterday" }],
      ["", { email: "a@example.com", meta: "x" }],
      ["?verified=maybe", { email: "a@example.com" }],
    ];
    for (const [query, body] of bad) {
      await expectError(await admin.api(`/customers${query}`, send("POST", body)), 400, "VALIDATION_FAILED");
    }
    await expectError(await admin.api("/customers", { method: "POST", body: "{", headers: { "content-type": "application/json" } }), 400);
    expect(await countRows("users", admin.tenant.applicationId)).toBe(0);
    expect(await countRows("events", admin.tenant.applicationId)).toBe(0);
  });

  it("answers 409 when the email or phone already belongs to someone, writing nothing", async () => {
    const admin = await newAdmin();
    await admin.createUser({ email: "taken@example.com", phone_number: "+919876543210" });
    const sameEmail = await admin.api("/customers", send("POST", { email: "TAKEN@example.com" }));
    await expectError(sameEmail, 409, "CONFLICT");
    await expectError(await admin.api("/customers", send("POST", { phone_number: "98765 43210" })), 409, "CONFLICT");
    expect(await countRows("users", admin.tenant.applicationId)).toBe(1);
    expect(await countRows("events", admin.tenant.applicationId)).toBe(1);
  });
});

describe("platform updateUser", () => {
  it("updates the profile and replaces the contact lists", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "old@example.com", phone_number: "+919876543210", first_name: "Old" });
    const res = await admin.api(
      `/customers/${user._id}`,
      send("PUT", {
        first_name: "New",
        rr_id: "rr-9",
        emails: [
          { email: "old@example.com", primary: false, verified: true, active: true },
          { email: "new@example.com", primary: true, verified: true, active: true },
        ],
        phone_numbers: [{ phone: "9123456789", country_code: "91", primary: true, verified: false, active: true }],
      }),
    );
    expect(res.status).toBe(200);
    const updated = ((await res.json()) as { user: UserBody }).user;
    expect(updated.first_name).toBe("New");
    expect(updated.emails).toEqual([
      { email: "new@example.com", active: true, primary: true, verified: true },
      { email: "old@example.com", active: true, primary: false, verified: true },
    ]);
    expect(updated.phone_numbers).toEqual([{ phone: "9123456789", country_code: 91, active: true, primary: true, verified: false }]);
    // The removed phone is free for someone else.
    await admin.createUser({ phone_number: "+919876543210" });
    const events = await eventsOf(admin.tenant.applicationId);
    expect(events.filter((e) => e.type === "admin.user.updated")).toHaveLength(1);
  });

  it("refuses two primaries, a primary that is inactive, duplicates and bad contacts, changing nothing", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "one@example.com", first_name: "Keep" });
    const bad = [
      { emails: [{ email: "a@example.com", primary: true }, { email: "b@example.com", primary: true }] },
      { emails: [{ email: "a@example.com" }, { email: "b@example.com" }] },
      { emails: [{ email: "a@example.com", primary: true, active: false }] },
      { emails: [{ email: "a@example.com", primary: true }, { email: "A@example.com" }] },
      { emails: [{ email: "nope", primary: true }] },
      { phone_numbers: [{ phone: "123", country_code: "91", primary: true }] },
      { emails: [], phone_numbers: [] },
      { first_name: "x".repeat(101) },
    ].map((body) => ({ first_name: "Changed", ...body }));
    for (const body of [...bad, {}]) {
      const res = await admin.api(`/customers/${user._id}`, send("PUT", body));
      await expectError(res, 400, "VALIDATION_FAILED");
    }
    const row = await env.DB.prepare("select first_name from users where id = ?").bind(user._id).first<{ first_name: string }>();
    expect(row?.first_name).toBe("Keep");
    const emails = await env.DB.prepare("select email, is_primary from user_emails where user_id = ?").bind(user._id).all();
    expect(emails.results).toEqual([{ email: "one@example.com", is_primary: 1 }]);
  });

  it("cannot take an email another user has verified (409, nothing changed)", async () => {
    const admin = await newAdmin();
    await admin.createUser({ email: "owner@example.com" });
    const user = await admin.createUser({ email: "me@example.com", first_name: "Me" });
    for (const entry of [
      { email: "owner@example.com", primary: false, verified: true },
      { email: "owner@example.com", primary: false, verified: false },
    ]) {
      const res = await admin.api(
        `/customers/${user._id}`,
        send("PUT", { first_name: "Thief", emails: [{ email: "me@example.com", primary: true, verified: true }, entry] }),
      );
      if (entry.verified) await expectError(res, 409, "CONFLICT");
      else expect(res.status).toBe(200); // an unverified, non-primary copy claims nothing
    }
    const owner = await env.DB.prepare("select count(*) as n from user_emails where email = 'owner@example.com' and verified = 1")
      .first<{ n: number }>();
    expect(owner?.n).toBe(1);
  });

  it("answers 404 for an unknown user and 409 for an archived one", async () => {
    const admin = await newAdmin();
    await expectError(await admin.api("/customers/000000000000000000000000", send("PUT", { first_name: "X" })), 404);
    const user = await admin.createUser({ email: "gone@example.com" });
    expect((await admin.api("/customers/archive", send("PUT", { user_id: user._id }))).status).toBe(200);
    await expectError(await admin.api(`/customers/${user._id}`, send("PUT", { first_name: "X" })), 409);
  });
});

describe("platform archiveUser", () => {
  it("frees the email and phone for a new account and hides the archived one's contacts", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "reuse@example.com", phone_number: "+919876543210" });
    const res = await admin.api("/customers/archive", send("PUT", { user_id: user._id }));
    expect(await res.json()).toEqual({ success: true });
    const again = await admin.createUser({ email: "reuse@example.com", phone_number: "+919876543210" });
    expect(again._id).not.toBe(user._id);
    const list = (await (await admin.api("/customers/list")).json()) as { items: UserBody[] };
    const archived = list.items.find((u) => u._id === user._id);
    expect(archived).toMatchObject({ archive: true, status: "archived", active: false, emails: [] });
    // Archiving twice changes nothing more.
    expect((await admin.api("/customers/archive", send("PUT", { user_id: user._id }))).status).toBe(200);
    expect((await eventsOf(admin.tenant.applicationId)).filter((e) => e.type === "admin.user.archived")).toHaveLength(1);
  });

  it("refuses a missing or unknown user_id", async () => {
    const admin = await newAdmin();
    await expectError(await admin.api("/customers/archive", send("PUT", {})), 400, "VALIDATION_FAILED");
    await expectError(await admin.api("/customers/archive", send("PUT", { user_id: "000000000000000000000000" })), 404);
  });
});

describe("platform unDeleteUser and getUserTimeline", () => {
  it("cancels a pending deletion and shows it in the timeline", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "leaving@example.com" });
    const deleteOn = new Date(Date.now() + 7 * 86_400_000).toISOString();
    // The erasure request flow is built elsewhere; here its effect is set directly.
    await env.DB.prepare("update users set delete_on = ? where id = ?").bind(deleteOn, user._id).run();
    const before = (await (await admin.api(`/customers/${user._id}/timeline`)).json()) as { delete_on?: string };
    expect(before.delete_on).toBe(deleteOn);

    const res = await admin.api("/customers/undelete", send("PUT", { user_id: user._id, reason: "asked by phone", reason_id: "7" }));
    expect(await res.json()).toEqual({ success: true });
    const timeline = (await (await admin.api(`/customers/${user._id}/timeline`)).json()) as {
      delete_on?: string;
      timeline: { title: string; type: string; visible: boolean; sub_title: string | null; date: string }[];
    };
    expect(timeline).not.toHaveProperty("delete_on");
    expect(timeline.timeline.map((t) => t.type)).toEqual(["admin.user.created", "admin.user.undeleted"]);
    expect(timeline.timeline[1]).toMatchObject({ visible: true, sub_title: "asked by phone", title: expect.any(String) });
    expect(Date.parse(timeline.timeline[1]!.date)).not.toBeNaN();
  });

  it("answers 409 when nothing is pending and 404 for unknown users", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "staying@example.com" });
    await expectError(await admin.api("/customers/undelete", send("PUT", { user_id: user._id })), 409);
    await expectError(await admin.api("/customers/undelete", send("PUT", { user_id: "000000000000000000000000" })), 404);
    await expectError(await admin.api("/customers/000000000000000000000000/timeline"), 404);
    expect((await eventsOf(admin.tenant.applicationId)).map((e) => e.type)).toEqual(["admin.user.created"]);
  });
});

describe("platform tenant isolation", () => {
  it("an admin of company A cannot read or change company B's application or users", async () => {
    const a = await newAdmin();
    const b = await newAdmin();
    const victim = await b.createUser({ email: "victim@example.com", first_name: "Victim" });
    const { authorization } = await adminHeaders(a.tenant);
    const asA = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { ...(init.headers as object), authorization: authorization! } });

    // B's company and application in the path: the token is for another company.
    await expectError(await asA(`${b.tenant.plat}/customers/list`), 403);
    await expectError(await asA(`${b.tenant.plat}/customers/archive`, send("PUT", { user_id: victim._id })), 403);
    // A's company with B's application id: that application does not exist for A.
    const crossApp = `/service/platform/user/v1.0/company/${a.tenant.companyId}/application/${b.tenant.applicationId}`;
    await expectError(await asA(`${crossApp}/customers/${victim._id}`, send("PUT", { first_name: "Owned" })), 404);
    await expectError(await asA(`${crossApp}/customers/activation`, send("PUT", { status: false, user_id: [victim._id] })), 404);
    // B's user id through A's own application: no such user there.
    await expectError(await a.api(`/customers/${victim._id}`, send("PUT", { first_name: "Owned" })), 404);
    await expectError(await a.api("/customers/activation", send("PUT", { status: false, user_id: [victim._id] })), 404);
    await expectError(await a.api("/customers/archive", send("PUT", { user_id: victim._id })), 404);
    await expectError(await a.api(`/customers/sessions?id=${victim._id}`), 404);
    await expectError(await a.api("/customers/session", send("POST", { user_id: victim._id, domain: "evil.example" })), 404);
    const search = (await (await a.api("/customers/search?q=victim")).json()) as { users: unknown[] };
    expect(search.users).toEqual([]);

    const row = await env.DB.prepare("select first_name, blocked, archived from users where id = ?").bind(victim._id).first();
    expect(row).toEqual({ first_name: "Victim", blocked: 0, archived: 0 });
    expect(await countRows("events", a.tenant.applicationId)).toBe(0);
    expect((await eventsOf(b.tenant.applicationId)).map((e) => e.type)).toEqual(["admin.user.created"]);
  });

  it("needs a platform token", async () => {
    const tenant = await createTenant();
    await expectError(await call(`${tenant.plat}/customers/list`), 401);
    await expectError(await call(`${tenant.plat}/customers`, json({ email: "x@example.com" }, { method: "POST", headers: { authorization: tenant.appAuth } })), 401);
    expect(await countRows("users", tenant.applicationId)).toBe(0);
  });
});
