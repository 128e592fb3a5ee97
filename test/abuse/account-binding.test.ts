import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_PLATFORM_CONFIG } from "../../src/schemas/platform-config";
import { createSession } from "../../src/services/sessions/sessions";
import { expectError } from "../support/http";
import { e164, lastCode, outbox, randomEmail, randomMobile } from "../support/otp";
import { contactRows, eventTypes, member, primaryProof, storefrontCall, type Member } from "../support/profile";
import { createTenant, type Tenant } from "../support/tenants";
import { userRow } from "../support/accounts";

/*
 * Every code and proof belongs to the user whose session started the flow: submitted with another
 * user's session it is refused, and nothing of either account changes.
 */

const v2 = (entity: "email" | "mobile", step: string) => `/profile/v2.0/${entity}/${step}`;

/** A member whose session started `minutesAgo` minutes ago (a login that is not fresh any more). */
async function staleMember(tenant: Tenant, minutesAgo: number): Promise<Member> {
  const m = await member(tenant);
  const issued = await createSession(
    { registry: env.USER_SESSIONS, records: env.SESSIONS_KV },
    tenant.applicationId,
    DEFAULT_PLATFORM_CONFIG.session_config,
    m.userId,
    { userAgent: "test", ip: "198.51.100.7", domain: "https://shop.test" },
    Date.now() - minutesAgo * 60_000,
  );
  const cookie = `f.session=${issued.token}`;
  return { ...m, cookie, call: (method, path, body) => storefrontCall(tenant, cookie, method, path, body) };
}

describe("codes are bound to the account that asked for them", () => {
  it("B's new-contact request_id and code, submitted with A's session, do not change A's primary email", async () => {
    const tenant = await createTenant();
    const victim = await member(tenant);
    const attacker = await member(tenant);
    const proof = await primaryProof(attacker, "email");
    const attackerAddress = randomEmail();
    const sent = await attacker.call("POST", v2("email", "otp/send"), { request_id: proof, email: attackerAddress });
    expect(sent.status).toBe(200);
    const { request_id } = (await sent.json()) as { request_id: string };
    const otp = await lastCode(attackerAddress);
    const before = await contactRows(victim.userId);

    await expectError(await victim.call("POST", v2("email", "otp/verify"), { request_id, email: attackerAddress, otp }), 400, "OTP_EXPIRED");
    await expectError(await victim.call("POST", v2("email", "otp/verify"), { email: attackerAddress, otp }), 400, "OTP_EXPIRED");

    expect(await contactRows(victim.userId)).toEqual(before);
    expect(await eventTypes(victim.userId)).toEqual([]);
    // The refused replay spent nothing of the attacker's own flow: it still works for B.
    const own = await attacker.call("POST", v2("email", "otp/verify"), { request_id, email: attackerAddress, otp });
    expect(own.status).toBe(200);
  });

  it("the same with a mobile number added through updateProfile (v1)", async () => {
    const tenant = await createTenant();
    const victim = await member(tenant);
    const attacker = await member(tenant);
    const mobile = randomMobile();
    const sent = await attacker.call("POST", "/profile/v1.0/detail", { mobile: { phone: mobile, country_code: "91" } });
    expect(sent.status).toBe(200);
    const { request_id } = (await sent.json()) as { request_id: string };
    const otp = await lastCode(e164(mobile));
    const before = await contactRows(victim.userId);
    await expectError(await victim.call("POST", v2("mobile", "otp/verify"), { request_id, otp }), 400, "OTP_EXPIRED");
    expect(await contactRows(victim.userId)).toEqual(before);
    expect((await attacker.call("POST", v2("mobile", "otp/verify"), { request_id, otp })).status).toBe(200);
  });

  it("B's verifyOTPonPrimary proof does not start a change on A's session", async () => {
    const tenant = await createTenant();
    const victim = await member(tenant);
    const attacker = await member(tenant);
    const proof = await primaryProof(attacker, "email");
    const address = randomEmail();
    await expectError(await victim.call("POST", v2("email", "otp/send"), { request_id: proof, email: address }), 400, "LINK_INVALID");
    expect(await outbox(address)).toEqual([]);
    // Still B's to use: the refused attempt did not burn it.
    expect((await attacker.call("POST", v2("email", "otp/send"), { request_id: proof, email: address })).status).toBe(200);
  });

  it("B's reauth OTP does not verify on A's session", async () => {
    const tenant = await createTenant();
    const victim = await member(tenant);
    const attacker = await member(tenant);
    const sent = await attacker.call("POST", v2("email", "primary/otp/send"), {});
    const { request_id } = (await sent.json()) as { request_id: string };
    const otp = await lastCode(attacker.email!);
    await expectError(await victim.call("POST", v2("email", "primary/otp/verify"), { request_id, otp }), 400, "OTP_EXPIRED");
  });

  it("B's delete-account code does not delete A (nor B)", async () => {
    const tenant = await createTenant({
      config: { delete_account_reasons: [{ reason_id: "r1", reason_text: "Other", show_text_area: false }] },
    });
    const victim = await member(tenant);
    const attacker = await member(tenant);
    const sent = await attacker.call("POST", v2("email", "primary/otp/send"), { action: "delete_account" });
    const { request_id } = (await sent.json()) as { request_id: string };
    const otp = await lastCode(attacker.email!);
    await expectError(await victim.call("POST", "/authentication/v1.0/delete", { reason_id: "r1", request_id, otp }), 400, "OTP_EXPIRED");
    expect((await userRow(victim.userId))!.delete_on).toBeNull();
    expect((await userRow(attacker.userId))!.delete_on).toBeNull();
    expect(await eventTypes(victim.userId)).toEqual([]);
  });
});

describe("changing a primary contact proves the current primary or a fresh login (v1 too)", () => {
  it("setEmailAsPrimary on a session older than the re-authentication window is refused, nothing written", async () => {
    const tenant = await createTenant();
    const m = await staleMember(tenant, 11);
    const second = randomEmail();
    await env.DB.prepare("insert into user_emails (id, user_id, application_id, email, is_primary, verified, active, created_at) values (?, ?, ?, ?, 0, 1, 1, ?)")
      .bind(crypto.randomUUID().replace(/-/g, "").slice(0, 24), m.userId, tenant.applicationId, second, new Date().toISOString())
      .run();
    const before = await contactRows(m.userId);
    await expectError(await m.call("POST", "/profile/v1.0/email/primary", { email: second }), 403, "REAUTH_REQUIRED");
    expect(await contactRows(m.userId)).toEqual(before);
  });

  it("a fresh session (within the window) may still do it, as Fynd's v1 calls do", async () => {
    const tenant = await createTenant();
    const m = await staleMember(tenant, 2);
    const second = randomEmail();
    await env.DB.prepare("insert into user_emails (id, user_id, application_id, email, is_primary, verified, active, created_at) values (?, ?, ?, ?, 0, 1, 1, ?)")
      .bind(crypto.randomUUID().replace(/-/g, "").slice(0, 24), m.userId, tenant.applicationId, second, new Date().toISOString())
      .run();
    const res = await m.call("POST", "/profile/v1.0/email/primary", { email: second });
    expect(res.status).toBe(200);
  });

  it("updateProfile with a new email on a stale session is refused before any OTP is sent", async () => {
    const tenant = await createTenant();
    const m = await staleMember(tenant, 30);
    const address = randomEmail();
    const before = await contactRows(m.userId);
    await expectError(await m.call("POST", "/profile/v1.0/detail", { email: address, first_name: "Mallory" }), 403, "REAUTH_REQUIRED");
    expect(await outbox(address)).toEqual([]);
    expect(await contactRows(m.userId)).toEqual(before);
    expect((await userRow(m.userId))!.first_name).not.toBe("Mallory");
  });

  it("the window is a config value: profile.reauth_window_minutes", async () => {
    const tenant = await createTenant({ config: { profile: { reauth_window_minutes: 60 } } });
    const m = await staleMember(tenant, 30);
    const address = randomEmail();
    expect((await m.call("POST", "/profile/v1.0/detail", { email: address })).status).toBe(200);
  });

  it("the v2 flow works on a stale session: it proves the current primary instead", async () => {
    const tenant = await createTenant();
    const m = await staleMember(tenant, 30);
    const proof = await primaryProof(m, "email");
    const address = randomEmail();
    const sent = await m.call("POST", v2("email", "otp/send"), { request_id: proof, email: address });
    expect(sent.status).toBe(200);
  });
});
