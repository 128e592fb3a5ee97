import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { get, login, registeredUser, SESSION, SESSIONS, sessionCookie, updatePassword, type Account } from "./support/accounts";
import { adminFor, send } from "./support/customers";
import { expectError } from "./support/http";
import { lastCode, lastLinkCode, post } from "./support/otp";
import { createTenant, type Tenant } from "./support/tenants";

const RESET_FORGOT = "/authentication/v1.0/login/password/forgot";
const FORGOT = "/authentication/v1.0/login/password/reset/forgot";
const pw = (n: number) => `Seasonal-Lantern-${n}-Quartz`;
const historyConfig = { password_settings: { history: { required: true, count: 3 } } };

/** A forgot_token for the account's email, through the real OTP flow. */
async function forgotToken(tenant: Tenant, account: Account): Promise<string> {
  expect((await post(tenant, "/authentication/v1.0/otp/forgot/email/send", { email: account.email })).status).toBe(200);
  const res = await post(tenant, "/authentication/v1.0/otp/forgot/email/verify", { email: account.email, otp: await lastCode(account.email) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { forgot_token: string }).forgot_token;
}

/** The code of a reset link emailed to the account. */
async function resetLinkCode(tenant: Tenant, account: Account): Promise<string> {
  expect((await post(tenant, "/authentication/v1.0/login/password/reset", { email: account.email })).status).toBe(200);
  return lastLinkCode(account.email);
}

async function historyRows(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from password_history where user_id = ?").bind(userId).first<{ n: number }>();
  return row?.n ?? 0;
}

async function eventTitles(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("select title from events where user_id = ? order by created_at, rowid").bind(userId).all<{ title: string }>();
  return results.map((r) => r.title);
}

describe("resetForgotPassword (forgot_token + new password)", () => {
  it("sets the password, ends every session, and the token works once", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const token = await forgotToken(tenant, account);
    const res = await post(tenant, RESET_FORGOT, { code: token, password: pw(1) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(401);
    await expectError(await login(tenant, account.email, account.password), 401, "INVALID_CREDENTIALS");
    expect((await login(tenant, account.email, pw(1))).status).toBe(200);
    await expectError(await post(tenant, RESET_FORGOT, { code: token, password: pw(2) }), 400, "LINK_INVALID");
    expect(await eventTitles(account.userId)).toContain("Password reset");
  });

  it("does not burn the token on a refused password", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const token = await forgotToken(tenant, account);
    const weak = await expectError(await post(tenant, RESET_FORGOT, { code: token, password: "short" }), 400, "PASSWORD_POLICY_VIOLATION");
    expect(weak.message).toContain("min_length");
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(200);
    expect((await post(tenant, RESET_FORGOT, { code: token, password: pw(1) })).status).toBe(200);
  });

  it("sets the password at most once for 10 concurrent uses of one token", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const token = await forgotToken(tenant, account);
    const before = await historyRows(account.userId);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(tenant, RESET_FORGOT, { code: token, password: pw(i) })));
    const winners = responses.flatMap((r, i) => (r.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of responses.filter((r) => r.status !== 200)) await expectError(r, 400, "LINK_INVALID");
    expect(await historyRows(account.userId)).toBe(before + 1);
    expect((await login(tenant, account.email, pw(winners[0]!))).status).toBe(200);
  });

  it("refuses a recent password (history) and accepts an older one", async () => {
    const tenant = await createTenant({ config: historyConfig });
    const account = await registeredUser(tenant, { password: pw(1) });
    expect((await updatePassword(tenant, account.cookie, pw(1), pw(2))).status).toBe(200);
    const token = await forgotToken(tenant, account);
    for (const recent of [1, 2]) {
      const body = await expectError(await post(tenant, RESET_FORGOT, { code: token, password: pw(recent) }), 400, "PASSWORD_POLICY_VIOLATION");
      expect(body.message).toContain("history");
    }
    expect((await post(tenant, RESET_FORGOT, { code: token, password: pw(3) })).status).toBe(200);
    expect((await login(tenant, account.email, pw(3))).status).toBe(200);
  });

  it("refuses blocked accounts without using the token up", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const admin = await adminFor(tenant);
    const token = await forgotToken(tenant, account);
    const block = (status: boolean) => admin.api("/customers/activation", send("PUT", { user_id: [account.userId], status }));
    expect((await block(false)).status).toBe(200);
    const refused = await expectError(await post(tenant, RESET_FORGOT, { code: token, password: pw(1) }), 403, "ACCOUNT_UNAVAILABLE");
    expect(refused.message).toMatch(/blocked/);
    expect((await block(true)).status).toBe(200);
    expect((await post(tenant, RESET_FORGOT, { code: token, password: pw(1) })).status).toBe(200);
  });

  it("refuses bad input, codes of another kind and of another application, writing nothing", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const token = await forgotToken(tenant, account);
    const linkCode = await resetLinkCode(tenant, account);
    const before = await historyRows(account.userId);
    await expectError(await post(tenant, RESET_FORGOT, { code: token }), 400, "VALIDATION_FAILED");
    await expectError(await post(tenant, RESET_FORGOT, { password: pw(1) }), 400, "VALIDATION_FAILED");
    await expectError(await post(tenant, RESET_FORGOT, { code: token, password: 12345678 }), 400, "VALIDATION_FAILED");
    await expectError(await post(tenant, RESET_FORGOT, { code: "x".repeat(201), password: pw(1) }), 400, "VALIDATION_FAILED");
    await expectError(await post(tenant, RESET_FORGOT, { code: "not-a-code", password: pw(1) }), 400, "LINK_INVALID");
    await expectError(await post(tenant, RESET_FORGOT, { code: linkCode, password: pw(1) }), 400, "LINK_INVALID");
    await expectError(await post(tenant, FORGOT, { code: token, password: pw(1) }), 400, "LINK_INVALID");
    await expectError(await post(await createTenant(), RESET_FORGOT, { code: token, password: pw(1) }), 400, "LINK_INVALID");
    expect(await historyRows(account.userId)).toBe(before);
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(200);
    // Every refusal above left both codes usable.
    expect((await post(tenant, RESET_FORGOT, { code: token, password: pw(1) })).status).toBe(200);
    expect((await post(tenant, FORGOT, { code: linkCode, password: pw(2) })).status).toBe(200);
  });

  it("is refused when forgot_password is off", async () => {
    const tenant = await createTenant({ config: { forgot_password: false } });
    await expectError(await post(tenant, RESET_FORGOT, { code: "x".repeat(43), password: pw(1) }), 403, "FORGOT_PASSWORD_DISABLED");
    await expectError(await post(tenant, FORGOT, { code: "x".repeat(43), password: pw(1) }), 403, "FORGOT_PASSWORD_DISABLED");
  });
});

describe("forgotPassword (reset link code + new password → logged in)", () => {
  it("sets the password, ends the other sessions, logs in and verifies the email the link went to", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const code = await resetLinkCode(tenant, account);
    const res = await post(tenant, FORGOT, { code, password: pw(1) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { _id: string; emails: { email: string; verified: boolean }[] } };
    expect(body.user._id).toBe(account.userId);
    expect(body.user.emails).toEqual([expect.objectContaining({ email: account.email, verified: true })]);
    const cookie = sessionCookie(res);
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(401);
    const sessions = (await (await get(tenant, SESSIONS, cookie)).json()) as { sessions: string[] };
    expect(sessions.sessions).toHaveLength(1);
    expect((await login(tenant, account.email, pw(1))).status).toBe(200);
    await expectError(await post(tenant, FORGOT, { code, password: pw(2) }), 400, "LINK_INVALID");
    const titles = await eventTitles(account.userId);
    expect(titles).toEqual(expect.arrayContaining(["Password reset", "Email verified"]));
  });

  it("refuses a recent password (history) without using the code up", async () => {
    const tenant = await createTenant({ config: historyConfig });
    const account = await registeredUser(tenant, { password: pw(1) });
    expect((await updatePassword(tenant, account.cookie, pw(1), pw(2))).status).toBe(200);
    const code = await resetLinkCode(tenant, account);
    const body = await expectError(await post(tenant, FORGOT, { code, password: pw(1) }), 400, "PASSWORD_POLICY_VIOLATION");
    expect(body.message).toContain("history");
    const res = await post(tenant, FORGOT, { code, password: pw(3) });
    expect(res.status).toBe(200);
    expect((await get(tenant, SESSION, sessionCookie(res))).status).toBe(200);
  });

  it("logs in at most once for 10 concurrent uses of one code", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const code = await resetLinkCode(tenant, account);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(tenant, FORGOT, { code, password: pw(i) })));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.headers.get("set-cookie"))).toHaveLength(1);
  });
});
