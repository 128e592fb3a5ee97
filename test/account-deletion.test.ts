import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { database } from "../src/db/client";
import { ErasureRepo } from "../src/db/erasure-repo";
import { IdentitiesRepo } from "../src/db/identities-repo";
import { login, registeredUser, sessionCookie, userRow } from "./support/accounts";
import { defineAttribute, setAttribute } from "./support/attributes";
import { adminFor, type Admin } from "./support/customers";
import { expectError, json } from "./support/http";
import { lastCode, lastMessage, wrongCode } from "./support/otp";
import { contactRows, member, sessionFor, storefrontCall, type Member } from "./support/profile";
import { queryPlans, recordingD1 } from "./support/query-plans";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";

const DELETE = "/authentication/v1.0/delete";
const DAY_MS = 86_400_000;

/** The deletion code for a member's primary email: request_id and the OTP from the outbox. */
async function deletionCode(m: Member): Promise<{ request_id: string; otp: string }> {
  const res = await m.call("POST", "/profile/v2.0/email/primary/otp/send", { action: "delete_account" });
  if (res.status !== 200) throw new Error(`send: ${res.status} ${await res.text()}`);
  const { request_id } = (await res.json()) as { request_id: string };
  return { request_id, otp: await lastCode(m.email!) };
}

/** A registered user (with a password and its history) as a Member. */
async function registeredMember(tenant: Tenant): Promise<Member & { password: string }> {
  const account = await registeredUser(tenant);
  return {
    tenant,
    userId: account.userId,
    email: account.email,
    cookie: account.cookie,
    password: account.password,
    call: (method, path, body) => storefrontCall(tenant, account.cookie, method, path, body),
  };
}

/** Invokes the Worker's scheduled handler as the Cron Trigger would, at `at`. */
async function runCron(at: number) {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "17 * * * *" }), env);
}

async function timeline(admin: Admin, userId: string) {
  return (await (await admin.api(`/customers/${userId}/timeline`)).json()) as { delete_on: string | null; timeline: { type: string; title: string; sub_title: string | null }[] };
}

const deleteOn = async (userId: string) => (await userRow(userId))!.delete_on as string | null;

describe("deleteUser", () => {
  it("with the emailed code and a reason: every session ends and the account is scheduled for erasure", async () => {
    const tenant = await createTenant();
    const m = await registeredMember(tenant);
    const otherSession = sessionCookie(await login(tenant, m.email!, m.password));
    const code = await deletionCode(m);
    expect((await lastMessage(m.email!)).subject).toContain("deletion");

    const before = Date.now();
    const res = await m.call("POST", DELETE, { ...code, reason_id: "1", user_id: m.userId });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    expect(res.headers.get("set-cookie")).toMatch(/f\.session=;.*Max-Age=0/);
    const scheduled = Date.parse((await deleteOn(m.userId))!);
    expect(scheduled).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(scheduled).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);

    for (const cookie of [m.cookie, otherSession]) await expectError(await storefrontCall(tenant, cookie, "GET", "/authentication/v1.0/session"), 401);
    await expectError(await login(tenant, m.email!, m.password), 403, "ACCOUNT_DELETION_SCHEDULED");

    const admin = await adminFor(tenant);
    const shown = await timeline(admin, m.userId);
    expect(shown.delete_on).toBe((await deleteOn(m.userId))!);
    expect(shown.timeline.map((t) => t.type)).toEqual(["user.registered", "user.contact_verified", "user.deletion_requested"]);
    expect(shown.timeline[2]).toMatchObject({ title: "Account deletion requested", sub_title: "I no longer use this account" });
  });

  it("refuses a wrong code, an unknown reason, a missing text, another user_id or a contact-change code, changing nothing", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const code = await deletionCode(m);
    const invalid: [Record<string, unknown>, string][] = [
      [{ ...code, reason_id: "nope" }, "reason_id"],
      [{ ...code, reason_id: "2" }, "reason"],
      [{ ...code, reason_id: "2", reason: "   " }, "reason"],
      [{ ...code }, "reason_id"],
      [{ request_id: code.request_id, reason_id: "1" }, "otp"],
    ];
    for (const [body, field] of invalid) {
      const error = await expectError(await m.call("POST", DELETE, body), 400, "VALIDATION_FAILED");
      expect((error.info as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
    }
    await expectError(await m.call("POST", DELETE, { ...code, reason_id: "1", user_id: "0123456789abcdef01234567" }), 403, "FORBIDDEN");
    await expectError(await m.call("POST", DELETE, { ...code, otp: wrongCode(code.otp), reason_id: "1" }), 400, "OTP_INVALID");
    const change = (await (await m.call("POST", "/profile/v2.0/email/primary/otp/send", {})).json()) as { request_id: string };
    await expectError(await m.call("POST", DELETE, { request_id: change.request_id, otp: await lastCode(m.email!), reason_id: "1" }), 400, "OTP_EXPIRED");

    expect(await deleteOn(m.userId)).toBeNull();
    expect((await m.call("GET", "/authentication/v1.0/session")).status).toBe(200);
    // The refusals did not use the code up (one wrong guess leaves attempts): with a valid reason it still works.
    expect((await m.call("POST", DELETE, { ...code, reason_id: "2", reason: "Moving abroad" })).status).toBe(200);
    const events = await env.DB.prepare("select data from events where user_id = ? and type = 'user.deletion_requested'").bind(m.userId).all<{ data: string }>();
    expect(JSON.parse(events.results[0]!.data)).toMatchObject({ reason_id: "2", reason: "Moving abroad" });
  });

  it("another account's deletion code deletes neither account", async () => {
    const tenant = await createTenant();
    const [a, b] = [await member(tenant), await member(tenant)];
    const code = await deletionCode(a);
    await expectError(await b.call("POST", DELETE, { ...code, reason_id: "1" }), 400, "OTP_EXPIRED");
    expect(await deleteOn(a.userId)).toBeNull();
    expect(await deleteOn(b.userId)).toBeNull();
  });

  it("needs a session", async () => {
    const tenant = await createTenant();
    await expectError(await storefrontCall(tenant, undefined, "POST", DELETE, { reason_id: "1", request_id: "0".repeat(32), otp: "123456" }), 401);
  });

  it("the platform's unDeleteUser before the deadline restores login, and the cron then leaves the account alone", async () => {
    const tenant = await createTenant();
    const m = await registeredMember(tenant);
    expect((await m.call("POST", DELETE, { ...(await deletionCode(m)), reason_id: "1" })).status).toBe(200);
    const admin = await adminFor(tenant);
    expect((await admin.api("/customers/undelete", json({ user_id: m.userId, reason: "changed their mind" }, { method: "PUT" }))).status).toBe(200);

    const res = await login(tenant, m.email!, m.password);
    expect(res.status).toBe(200);
    const shown = await timeline(admin, m.userId);
    expect(shown).not.toHaveProperty("delete_on");
    expect(shown.timeline.map((t) => t.type).slice(-2)).toEqual(["user.deletion_requested", "admin.user.undeleted"]);

    await runCron(Date.now() + 8 * DAY_MS);
    expect((await userRow(m.userId))!.erased_at).toBeNull();
    expect((await storefrontCall(tenant, sessionCookie(res), "GET", "/authentication/v1.0/session")).status).toBe(200);
  });
});

describe("scheduled erasure (Cron Trigger)", () => {
  it("erases only after the deadline, once: personal data and identifiers gone, an anonymised record stays", async () => {
    const tenant = await createTenant();
    const m = await registeredMember(tenant);
    const headers = await adminHeaders(tenant);
    const admin = await adminFor(tenant);
    await m.call("POST", "/profile/v1.0/detail", { dob: "1990-01-01T00:00:00.000Z", profile_pic_url: "https://cdn.example.com/me.png" });
    await m.call("PUT", "/profile/v1.0/mobile", { phone: "9876501234", country_code: "91" });
    const db = database(env.DB);
    await new IdentitiesRepo(db).insertStatement({
      applicationId: tenant.applicationId,
      provider: "google",
      subject: "google-sub-1",
      userId: m.userId,
      email: m.email!,
      createdAt: new Date().toISOString(),
    });
    const now = new Date().toISOString();
    await env.DB.batch([
      env.DB.prepare(
        "insert into passkeys (id, application_id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, aaguid, name, created_at) values (?, ?, ?, 'cred', 'key', 0, '[]', 'multiDevice', 1, '', 'Phone', ?)",
      ).bind("0123456789abcdef01234567", tenant.applicationId, m.userId, now),
      env.DB.prepare("insert into totp_factors (application_id, user_id, secret, created_at, confirmed_at) values (?, ?, 'v1.x.y', ?, ?)").bind(tenant.applicationId, m.userId, now, now),
      env.DB.prepare("insert into recovery_codes (application_id, user_id, code_hash) values (?, ?, 'h')").bind(tenant.applicationId, m.userId),
    ]);
    const definition = await defineAttribute(tenant, headers, { name: "Shoe size", slug: "shoe_size", type: "number" });
    expect((await setAttribute(tenant, headers, definition._id, m.userId, 42)).status).toBe(200);
    expect((await m.call("POST", DELETE, { ...(await deletionCode(m)), reason_id: "2", reason: "too many emails to " + m.email })).status).toBe(200);

    const count = async (table: string) =>
      (await env.DB.prepare(`select count(*) as n from ${table} where user_id = ?`).bind(m.userId).first<{ n: number }>())!.n;
    const erasable = ["password_history", "user_identities", "user_attributes", "attribute_subjects", "passkeys", "totp_factors", "recovery_codes"];
    for (const table of erasable) expect(await count(table), table).toBeGreaterThan(0);
    const { seq } = (await env.DB.prepare("select seq from attribute_subjects where user_id = ?").bind(m.userId).first<{ seq: number }>())!;
    // The filter bitmaps (migration 0019) hold the user's bit for the attribute until the erasure.
    const bitsOfUser = async () =>
      (
        await env.DB.prepare(
          "select count(*) as n from attribute_bitmaps where chunk = ?1 >> 12 and (instr('0123456789abcdef', substr(hex, ((?1 >> 6) & 63) * 16 + 16 - ((?1 & 63) >> 2), 1)) - 1) & (1 << (?1 & 3)) != 0",
        )
          .bind(seq)
          .first<{ n: number }>()
      )!.n;
    expect(await bitsOfUser()).toBeGreaterThan(0);

    // Not yet due: nothing happens.
    await runCron(Date.now());
    expect((await userRow(m.userId))!.erased_at).toBeNull();
    expect((await contactRows(m.userId)).emails).toHaveLength(1);

    await runCron(Date.now() + 8 * DAY_MS);
    const row = (await userRow(m.userId))!;
    expect(row).toMatchObject({
      first_name: "",
      last_name: "",
      dob: null,
      profile_pic_url: "",
      password_hash: null,
      username: "deleted_user",
      archived: 1,
      meta: "{}",
    });
    expect(row.erased_at).toEqual(expect.any(String));
    expect(row.delete_on).toEqual(expect.any(String));
    expect(await contactRows(m.userId)).toEqual({ emails: [], phones: [] });
    for (const table of erasable) expect(await count(table), table).toBe(0);
    expect(await bitsOfUser()).toBe(0);
    const { results: events } = await env.DB.prepare("select type, sub_title, data from events where user_id = ? order by created_at, rowid")
      .bind(m.userId)
      .all<{ type: string; sub_title: string | null; data: string | null }>();
    expect(events.at(-1)).toMatchObject({ type: "user.erased" });
    for (const event of events.slice(0, -1)) expect(event, event.type).toMatchObject({ sub_title: null, data: null });
    expect(JSON.stringify(events)).not.toContain(m.email!);

    // The timeline survives, the date stays, the account cannot come back, and a second run changes nothing.
    const shown = await timeline(admin, m.userId);
    expect(shown.delete_on).toBe(row.delete_on);
    expect(shown.timeline.map((t) => t.title)).toContain("Account deleted");
    await expectError(await admin.api("/customers/undelete", json({ user_id: m.userId }, { method: "PUT" })), 409);
    await runCron(Date.now() + 9 * DAY_MS);
    expect((await timeline(admin, m.userId)).timeline.filter((t) => t.type === "user.erased")).toHaveLength(1);

    // The identifiers are released: the same email (verified) and mobile belong to a new account.
    const newcomer = await admin.createUser({ email: m.email, phone_number: "9876501234" });
    expect(newcomer.emails[0]).toMatchObject({ email: m.email, verified: true });
    const listed = (await (await admin.api(`/customers/search?q=${m.userId}`)).json()) as { users: { _id: string; status: string }[] };
    expect(listed.users.find((u) => u._id === m.userId)?.status).toBe("deleted");
  });

  it("finds due accounts over the erasure index and erases one account without scanning any table", async () => {
    const { d1, statements } = recordingD1();
    const repo = new ErasureRepo(database(d1));
    const now = new Date().toISOString();
    await repo.due(now, 10);
    await repo.erase({ id: "0123456789abcdef01234567", applicationId: "app" }, now, []);
    const plans = await queryPlans(statements);
    expect(plans[0]).toContain("users_erasure_due_idx");
    for (const plan of plans) expect(plan).not.toMatch(/SCAN (users|user_emails|user_phones|events|password_history|user_identities|user_attributes|attribute_values|attribute_subjects|user_group_members|passkeys|totp_factors|recovery_codes)\b/);
  });

  it("a grace period of 0 days erases at the next run; a session made meanwhile does not survive", async () => {
    const tenant = await createTenant({ config: { delete_account_day: 0 } });
    const m = await member(tenant);
    expect((await m.call("POST", DELETE, { ...(await deletionCode(m)), reason_id: "1" })).status).toBe(200);
    const sneaked = await sessionFor(tenant, m.userId);
    await runCron(Date.now() + 1000);
    expect((await userRow(m.userId))!.erased_at).toEqual(expect.any(String));
    await expectError(await storefrontCall(tenant, sneaked, "GET", "/authentication/v1.0/session"), 401);
  });
});
