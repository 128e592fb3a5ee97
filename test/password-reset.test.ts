import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/crypto/tokens";
import { CodeStore } from "../src/kv/code-store";
import { consumeCode } from "../src/services/codes/one-time-codes";
import { expectError } from "./support/http";
import { e164, lastCode, lastLinkCode, lastMessage, outbox, post, randomEmail, randomMobile, type MobileSent } from "./support/otp";
import { createTenant, type Tenant } from "./support/tenants";
import { createUser, otpKeys } from "./support/users";

const codes = () => new CodeStore(env.OTP_KV);

async function forgotByMobile(tenant: Tenant, mobile: string) {
  const res = await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { mobile, country_code: "91" });
  expect(res.status).toBe(200);
  return (await res.json()) as MobileSent;
}

describe("forgot password by OTP", () => {
  it("mobile: OTP → a single-use forgot_token bound to the user, stored only as a hash", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const user = await createUser(tenant, { mobile });
    const sent = await forgotByMobile(tenant, mobile);
    const message = await lastMessage(e164(mobile));
    expect(message.purpose).toBe("forgot");
    const res = await post(tenant, "/authentication/v1.0/otp/forgot/mobile/verify", { request_id: sent.request_id, otp: message.code });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { success: boolean; forgot_token: string };
    expect(body.success).toBe(true);
    const tokenHash = await sha256Hex(body.forgot_token);
    const keys = (await env.OTP_KV.list({ prefix: `code:${tenant.applicationId}:forgot_token:` })).keys.map((k) => k.name);
    expect(keys).toEqual([`code:${tenant.applicationId}:forgot_token:${tokenHash}`]);

    // The round-2 reset consumes it: exactly one of many concurrent uses wins; another application never can.
    const other = await createTenant();
    expect(await consumeCode(codes(), env.OTP_GUARD, other.applicationId, "forgot_token", body.forgot_token)).toBeUndefined();
    const uses = await Promise.all(
      Array.from({ length: 10 }, () => consumeCode(codes(), env.OTP_GUARD, tenant.applicationId, "forgot_token", body.forgot_token)),
    );
    const winners = uses.filter((u) => u !== undefined);
    expect(winners.length).toBe(1);
    expect(winners[0]).toMatchObject({ userId: user.user.id, channel: "sms", destination: e164(mobile) });
    expect(await consumeCode(codes(), env.OTP_GUARD, tenant.applicationId, "forgot_token", body.forgot_token)).toBeUndefined();
  });

  it("email: OTP → forgot_token", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    await createUser(tenant, { email });
    const sent = await post(tenant, "/authentication/v1.0/otp/forgot/email/send", { email });
    expect(await sent.json()).toEqual({ success: true, resend_email_token: expect.any(String), resend_timer: 30, request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const res = await post(tenant, "/authentication/v1.0/otp/forgot/email/verify", { email, otp: await lastCode(email) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, forgot_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it("answers unknown and blocked contacts the same way and sends them nothing", async () => {
    const tenant = await createTenant();
    const known = randomMobile();
    const blocked = randomMobile();
    const unknown = randomMobile();
    await createUser(tenant, { mobile: known });
    await createUser(tenant, { mobile: blocked, blocked: true });
    const bodies = await Promise.all([known, blocked, unknown].map((m) => forgotByMobile(tenant, m)));
    const shapes = bodies.map((b) => Object.keys(b).sort().join());
    expect(new Set(shapes).size).toBe(1);
    expect((await outbox(e164(known))).length).toBe(1);
    expect(await outbox(e164(blocked))).toEqual([]);
    expect(await outbox(e164(unknown))).toEqual([]);
    const unknownEmail = randomEmail();
    const emailRes = await post(tenant, "/authentication/v1.0/otp/forgot/email/send", { email: unknownEmail });
    expect(emailRes.status).toBe(200);
    expect(await outbox(unknownEmail)).toEqual([]);
    await expectError(await post(tenant, "/authentication/v1.0/otp/forgot/email/verify", { email: unknownEmail, otp: "123456" }), 400, "OTP_INVALID");
  });

  it("refuses every forgot and reset route when forgot_password is off, sending nothing", async () => {
    const tenant = await createTenant({ config: { forgot_password: false } });
    const mobile = randomMobile();
    const email = randomEmail();
    await createUser(tenant, { mobile, email });
    const calls: [string, unknown][] = [
      ["/authentication/v1.0/otp/forgot/mobile/send", { mobile, country_code: "91" }],
      ["/authentication/v1.0/otp/forgot/mobile/verify", { request_id: "0".repeat(32), otp: "123456" }],
      ["/authentication/v1.0/otp/forgot/email/send", { email }],
      ["/authentication/v1.0/otp/forgot/email/verify", { email, otp: "123456" }],
      ["/authentication/v1.0/login/password/reset", { email }],
      ["/authentication/v1.0/login/password/mobile/reset", { mobile, country_code: "91" }],
      ["/authentication/v1.0/login/password/reset/token", { code: "x".repeat(43) }],
    ];
    for (const [path, body] of calls) await expectError(await post(tenant, path, body), 403, "FORGOT_PASSWORD_DISABLED");
    expect(await outbox(e164(mobile))).toEqual([]);
    expect(await outbox(email)).toEqual([]);
    expect(await otpKeys(tenant)).toEqual([]);
  });
});

describe("reset-password links", () => {
  it("emails a link whose code sendResetToken checks without using it up", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    await createUser(tenant, { email });
    const res = await post(tenant, "/authentication/v1.0/login/password/reset", { email });
    expect(await res.json()).toEqual({ status: "success" });
    const message = await lastMessage(email);
    expect(message).toMatchObject({ channel: "email", purpose: "reset_link" });
    expect(message.link).toMatch(/^https:\/\/shop\.test\/auth\/reset-password\?code=[A-Za-z0-9_-]{43}$/);
    expect(message.text).toContain(message.link);
    const code = await lastLinkCode(email);
    for (let i = 0; i < 2; i++) {
      const check = await post(tenant, "/authentication/v1.0/login/password/reset/token", { code });
      expect(check.status).toBe(200);
      expect(await check.json()).toEqual({ status: "success" });
    }
    const other = await createTenant();
    await expectError(await post(other, "/authentication/v1.0/login/password/reset/token", { code }), 400, "LINK_INVALID");
    await expectError(await post(tenant, "/authentication/v1.0/login/password/reset/token", { code: code.slice(1) + "A" }), 400, "LINK_INVALID");
    await expectError(await post(tenant, "/authentication/v1.0/login/password/reset/token", {}), 400, "VALIDATION_FAILED");
  });

  it("texts a link on the application's own base URL", async () => {
    const tenant = await createTenant({ config: { otp: { link_base_url: "https://store.example.com/shop" } } });
    const mobile = randomMobile();
    await createUser(tenant, { mobile });
    const res = await post(tenant, "/authentication/v1.0/login/password/mobile/reset", { mobile, country_code: "91" });
    expect(await res.json()).toEqual({ status: "success" });
    const message = await lastMessage(e164(mobile));
    expect(message).toMatchObject({ channel: "sms", purpose: "reset_link" });
    expect(message.link).toMatch(/^https:\/\/store\.example\.com\/shop\/auth\/reset-password\?code=/);
  });

  it("answers the same for unknown contacts, sends nothing, and rate-limits both alike", async () => {
    const tenant = await createTenant();
    const known = randomEmail();
    const unknown = randomEmail();
    await createUser(tenant, { email: known });
    for (const email of [known, unknown]) {
      const res = await post(tenant, "/authentication/v1.0/login/password/reset", { email });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "success" });
      await expectError(await post(tenant, "/authentication/v1.0/login/password/reset", { email }), 429, "TOO_MANY_REQUESTS");
    }
    expect((await outbox(known)).length).toBe(1);
    expect(await outbox(unknown)).toEqual([]);
  });
});
