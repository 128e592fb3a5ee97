import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { APP, SESSION, get, login, registeredUser, sessionCookie, type Account } from "./support/accounts";
import { lastCode } from "./support/otp";
import {
  LOGIN_MFA,
  LOGIN_MFA_ENROLL,
  MFA,
  MFA_CONFIG,
  RECOVERY_CODES,
  SHOP_ORIGIN,
  TOTP_CONFIRM,
  TOTP_DISABLE,
  TOTP_ENROLL,
  addPasskey,
  awayFromStepBoundary,
  enableTotp,
  eventTypes,
  passkeyAssertion,
  passkeyTenant,
  postAs,
  signInWithPasskey,
  totpCode,
} from "./support/factors";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { SoftwareAuthenticator } from "./support/webauthn";

type Ticket = { mfa_ticket: string; expires_in: number; methods: string[] };

/** A password login that must answer SECOND_FACTOR_REQUIRED: its ticket, and no cookie. */
async function ticketFor(tenant: Tenant, account: Pick<Account, "email" | "password">, headers: Record<string, string> = {}): Promise<Ticket> {
  const res = await login(tenant, account.email, account.password, headers);
  expect(res.headers.get("set-cookie")).toBeNull();
  const body = await expectError(res, 403, "SECOND_FACTOR_REQUIRED");
  return body.info as Ticket;
}

async function mfaUser(config: Record<string, unknown> = {}) {
  const tenant = await createTenant({ config: { ...MFA_CONFIG, ...config } });
  const account = await registeredUser(tenant);
  const totp = await enableTotp(tenant, account);
  return { tenant, account, ...totp };
}

describe("TOTP: enrollment", () => {
  it("enroll answers the secret, an otpauth:// URI and a QR code; a first code confirms it and answers 10 recovery codes", async () => {
    const tenant = await createTenant({ config: MFA_CONFIG });
    const account = await registeredUser(tenant);
    await awayFromStepBoundary();
    const res = await postAs(tenant, TOTP_ENROLL, {}, account.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const enrollment = (await res.json()) as { secret: string; uri: string; qr_svg: string };
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrollment.uri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(uri.searchParams.get("secret")).toBe(enrollment.secret);
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(uri.searchParams.get("algorithm")).toBe("SHA1");
    expect(decodeURIComponent(uri.pathname)).toContain(account.email);
    expect(enrollment.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>$/);

    const status = (await (await get(tenant, MFA, account.cookie)).json()) as { totp: { enabled: boolean; pending: boolean } };
    expect(status.totp).toMatchObject({ enabled: false, pending: true });
    await expectError(await postAs(tenant, TOTP_CONFIRM, { code: totpCode(enrollment.secret, 5) }, account.cookie), 401, "SECOND_FACTOR_INVALID");
    const confirm = await postAs(tenant, TOTP_CONFIRM, { code: totpCode(enrollment.secret) }, account.cookie);
    expect(confirm.status).toBe(200);
    const { recovery_codes } = (await confirm.json()) as { recovery_codes: string[] };
    expect(recovery_codes).toHaveLength(10);
    expect(new Set(recovery_codes).size).toBe(10);
    for (const code of recovery_codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const after = (await (await get(tenant, MFA, account.cookie)).json()) as { totp: { enabled: boolean }; recovery_codes_left: number; policy: string };
    expect(after).toMatchObject({ totp: { enabled: true }, recovery_codes_left: 10, policy: "optional" });
    expect(await eventTypes(account.userId)).toContain("user.mfa_enabled");
    await expectError(await postAs(tenant, TOTP_ENROLL, {}, account.cookie), 409, "MFA_ALREADY_ENABLED");
  });

  it("the secret is encrypted at rest (bound to its user) and recovery codes are kept only as HMACs", async () => {
    const { account, secret, recoveryCodes } = await mfaUser();
    const row = await env.DB.prepare("select secret from totp_factors where user_id = ?").bind(account.userId).first<{ secret: string }>();
    expect(row!.secret).toMatch(/^v1\./);
    expect(row!.secret).not.toContain(secret);
    const { results } = await env.DB.prepare("select code_hash from recovery_codes where user_id = ?").bind(account.userId).all<{ code_hash: string }>();
    expect(results).toHaveLength(10);
    for (const r of results) {
      expect(r.code_hash).toMatch(/^[0-9a-f]{64}$/);
      for (const code of recoveryCodes) expect(r.code_hash).not.toContain(code.replace("-", ""));
    }
  });

  it("a ciphertext copied onto another user's row does not work for them", async () => {
    const { tenant, account } = await mfaUser();
    const other = await registeredUser(tenant);
    await env.DB.prepare("insert into totp_factors (application_id, user_id, secret, created_at, confirmed_at) select application_id, ?, secret, created_at, confirmed_at from totp_factors where user_id = ?")
      .bind(other.userId, account.userId)
      .run();
    const ticket = await ticketFor(tenant, other);
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, code: "123456" }), 401, "SECOND_FACTOR_INVALID");
  });

  it("is refused when the application has MFA off, and needs a session", async () => {
    const off = await createTenant();
    const account = await registeredUser(off);
    await expectError(await postAs(off, TOTP_ENROLL, {}, account.cookie), 403, "MFA_DISABLED");
    const policyOff = await createTenant({ config: { mfa: { enabled: true, required: "off" } } });
    const user = await registeredUser(policyOff);
    await expectError(await postAs(policyOff, TOTP_ENROLL, {}, user.cookie), 403, "MFA_DISABLED");
    await expectError(await postAs(policyOff, TOTP_ENROLL, {}), 401);
  });

  it("bad codes are 400s naming the field", async () => {
    const tenant = await createTenant({ config: MFA_CONFIG });
    const account = await registeredUser(tenant);
    await postAs(tenant, TOTP_ENROLL, {}, account.cookie);
    for (const body of [{}, { code: "12345" }, { code: "1234567" }, { code: 123456 }, { code: "abcdef" }]) {
      const err = await expectError(await postAs(tenant, TOTP_CONFIRM, body, account.cookie), 400, "VALIDATION_FAILED");
      expect(JSON.stringify(err.info)).toContain("code");
    }
    await expectError(await postAs(tenant, TOTP_DISABLE, { code: "123456", recovery_code: "abcde-fghij" }, account.cookie), 400, "VALIDATION_FAILED");
  });
});

describe("second factor at login", () => {
  it("a right password answers a typed SECOND_FACTOR_REQUIRED with a ticket; the code then makes the session", async () => {
    const { tenant, account, secret } = await mfaUser();
    const ticket = await ticketFor(tenant, account);
    expect(ticket).toMatchObject({ expires_in: 300, methods: ["totp", "recovery_code"] });
    expect(ticket.mfa_ticket).toMatch(new RegExp(`^${account.userId}\\.`));
    const res = await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, code: totpCode(secret) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(account.userId);
    const cookie = sessionCookie(res);
    expect((await get(tenant, SESSION, cookie)).status).toBe(200);
    const { results } = await env.DB.prepare("select data from events where user_id = ? and type = 'user.logged_in'").bind(account.userId).all<{ data: string }>();
    expect(results.map((r) => JSON.parse(r.data).method)).toContain("password+totp");
  });

  it("an OTP login asks for the second factor too, after the OTP is used", async () => {
    const { tenant, account, secret } = await mfaUser();
    const send = await postAs(tenant, `${APP}/authentication/v1.0/otp/email/send`, { email: account.email });
    expect(send.status).toBe(200);
    const otp = await lastCode(account.email);
    const verify = await postAs(tenant, `${APP}/authentication/v1.0/otp/email/verify`, { email: account.email, otp });
    expect(verify.headers.get("set-cookie")).toBeNull();
    const { info } = await expectError(verify, 403, "SECOND_FACTOR_REQUIRED");
    await expectError(await postAs(tenant, `${APP}/authentication/v1.0/otp/email/verify`, { email: account.email, otp }), 400);
    const res = await postAs(tenant, LOGIN_MFA, { mfa_ticket: (info as Ticket).mfa_ticket, code: totpCode(secret) });
    expect(res.status).toBe(200);
    expect((await get(tenant, SESSION, sessionCookie(res))).status).toBe(200);
  });

  it("a wrong password still answers the same 401 (the ticket says nothing about wrong passwords)", async () => {
    const { tenant, account } = await mfaUser();
    await expectError(await login(tenant, account.email, "Wrong-Password-123"), 401, "INVALID_CREDENTIALS");
  });

  it("a used TOTP step cannot be replayed, not even concurrently with two tickets", async () => {
    const { tenant, account, secret } = await mfaUser();
    const code = totpCode(secret);
    const first = await ticketFor(tenant, account);
    expect((await postAs(tenant, LOGIN_MFA, { mfa_ticket: first.mfa_ticket, code })).status).toBe(200);
    const again = await ticketFor(tenant, account);
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: again.mfa_ticket, code }), 401, "SECOND_FACTOR_INVALID");
    // An older step after a newer one is refused too (confirm spent step -1, this login step 0).
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: again.mfa_ticket, code: totpCode(secret, -1) }), 401);

    const tickets = await Promise.all(Array.from({ length: 5 }, () => ticketFor(tenant, account)));
    const next = totpCode(secret, 1);
    const results = await Promise.all(tickets.map((t) => postAs(tenant, LOGIN_MFA, { mfa_ticket: t.mfa_ticket, code: next })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it("a ticket works once, even sent 10 times at once with different right answers", async () => {
    const { tenant, account, recoveryCodes } = await mfaUser();
    const ticket = await ticketFor(tenant, account);
    const results = await Promise.all(recoveryCodes.map((recovery_code) => postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, recovery_code })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expect(((await r.json()) as { code: string }).code).toBe("MFA_TICKET_INVALID");
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, recovery_code: recoveryCodes[0] }), 401, "MFA_TICKET_INVALID");
  });

  it("refuses unknown, malformed and forged tickets", async () => {
    const { tenant, account, secret } = await mfaUser();
    const { mfa_ticket } = await ticketFor(tenant, account);
    for (const bad of ["nope", `${account.userId}.${"A".repeat(43)}`, mfa_ticket.slice(0, -1) + (mfa_ticket.endsWith("A") ? "B" : "A"), `${mfa_ticket}x`]) {
      await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: bad, code: totpCode(secret) }), 401, "MFA_TICKET_INVALID");
    }
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket, code: "12" }), 400, "VALIDATION_FAILED");
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket }), 400, "VALIDATION_FAILED");
    await expectError(await postAs(tenant, LOGIN_MFA, { code: "123456" }), 400, "VALIDATION_FAILED");
  });

  it("a ticket of user A cannot be spent for user B, nor in another application", async () => {
    const { tenant, account, secret } = await mfaUser();
    const userB = await registeredUser(tenant);
    const b = await enableTotp(tenant, userB);
    const { mfa_ticket } = await ticketFor(tenant, account);
    // A's ticket with B's code; A's ticket re-addressed to B.
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket, code: totpCode(b.secret) }), 401, "SECOND_FACTOR_INVALID");
    const readdressed = `${userB.userId}.${mfa_ticket.split(".")[1]}`;
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: readdressed, code: totpCode(b.secret) }), 401, "MFA_TICKET_INVALID");
    const elsewhere = await createTenant({ config: MFA_CONFIG });
    await expectError(await postAs(elsewhere, LOGIN_MFA, { mfa_ticket, code: totpCode(secret) }), 401, "MFA_TICKET_INVALID");
    // Still good for A, where it belongs.
    const res = await postAs(tenant, LOGIN_MFA, { mfa_ticket, code: totpCode(secret) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(account.userId);
  });

  it("wrong codes count in the login guard of the account and IP; a ticket dies after 5 wrong codes", async () => {
    const { tenant, account, secret } = await mfaUser({ account_lockout: { enable: true, attempts: 3, duration: 600 } });
    const ip = { "cf-connecting-ip": "203.0.113.50" };
    const { mfa_ticket } = await ticketFor(tenant, account, ip);
    for (let i = 0; i < 3; i++) {
      await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket, code: "000000" }, undefined, ip), 401, "SECOND_FACTOR_INVALID");
    }
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket, code: totpCode(secret) }, undefined, ip), 429);
    await expectError(await login(tenant, account.email, account.password, ip), 429);

    const loose = await mfaUser({ account_lockout: { enable: true, attempts: 50, duration: 600 } });
    const ticket = await ticketFor(loose.tenant, loose.account);
    for (let i = 0; i < 5; i++) await postAs(loose.tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, code: "000000" });
    await expectError(await postAs(loose.tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, code: totpCode(loose.secret) }), 401, "MFA_TICKET_INVALID");
  });

  it("a recovery code works once", async () => {
    const { tenant, account, recoveryCodes } = await mfaUser();
    const first = await ticketFor(tenant, account);
    const res = await postAs(tenant, LOGIN_MFA, { mfa_ticket: first.mfa_ticket, recovery_code: recoveryCodes[3]!.toUpperCase().replace("-", "") });
    expect(res.status).toBe(200);
    const second = await ticketFor(tenant, account);
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: second.mfa_ticket, recovery_code: recoveryCodes[3] }), 401, "SECOND_FACTOR_INVALID");
    const status = (await (await get(tenant, MFA, sessionCookie(res))).json()) as { recovery_codes_left: number };
    expect(status.recovery_codes_left).toBe(9);
  });

  it("a passkey sign-in counts as two factors: no ticket", async () => {
    const tenant = await passkeyTenant(MFA_CONFIG);
    const account = await registeredUser(tenant);
    await enableTotp(tenant, account);
    const authenticator = new SoftwareAuthenticator(SHOP_ORIGIN);
    expect((await addPasskey(tenant, account.cookie, authenticator)).res.status).toBe(200);
    const { response } = await passkeyAssertion(tenant, authenticator);
    const res = await signInWithPasskey(tenant, response);
    expect(res.status).toBe(200);
    expect((await get(tenant, SESSION, sessionCookie(res))).status).toBe(200);
  });

  it("with the policy `required`, an account without TOTP enrolls with its ticket, then logs in with the first code", async () => {
    const tenant = await createTenant({ config: { mfa: { enabled: true, required: "required" }, register_required_fields: { email: { is_required: true, level: "soft" }, mobile: { is_required: false, level: "soft" } } } });
    const email = `u${crypto.randomUUID()}@example.com`;
    const password = "Violet-Anchor-Teacup-93";
    const reg = await postAs(tenant, "/service/application/user/authentication/v1.0/register/form", { first_name: "A", last_name: "B", email, password });
    // Registration is a login too: with `required` it asks for the second factor as well.
    const regTicket = await expectError(reg, 403, "SECOND_FACTOR_REQUIRED");
    expect((regTicket.info as Ticket).methods).toEqual(["totp_enroll"]);

    await awayFromStepBoundary();
    const ticket = await ticketFor(tenant, { email, password });
    await expectError(await postAs(tenant, LOGIN_MFA_ENROLL, { mfa_ticket: "x" }), 401, "MFA_TICKET_INVALID");
    const enroll = await postAs(tenant, LOGIN_MFA_ENROLL, { mfa_ticket: ticket.mfa_ticket });
    expect(enroll.status).toBe(200);
    const { secret } = (await enroll.json()) as { secret: string };
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, code: totpCode(secret, 4) }), 401, "SECOND_FACTOR_INVALID");
    const res = await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, code: totpCode(secret) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { recovery_codes: string[] };
    expect(body.recovery_codes).toHaveLength(10);
    // From now on the account has TOTP: the next login asks for a code, not an enrollment.
    const next = await ticketFor(tenant, { email, password });
    expect(next.methods).toEqual(["totp", "recovery_code"]);
    await expectError(await postAs(tenant, LOGIN_MFA_ENROLL, { mfa_ticket: next.mfa_ticket }), 409, "MFA_ALREADY_ENABLED");
  });

  it("with MFA off, a login with enrolled TOTP is a plain login, unchanged", async () => {
    const { tenant, account } = await mfaUser();
    const admin = await adminHeaders(tenant);
    const off = await call(`${tenant.plat}/platform/config`, json({ mfa: { enabled: false } }, { method: "POST", headers: admin }));
    expect(off.status).toBe(200);
    const res = await login(tenant, account.email, account.password);
    expect(res.status).toBe(200);
    sessionCookie(res);
  });
});

describe("TOTP: disable, recovery codes, admin reset", () => {
  it("disabling needs a current code or a recovery code", async () => {
    const { tenant, account, secret, recoveryCodes } = await mfaUser();
    await expectError(await postAs(tenant, TOTP_DISABLE, {}, account.cookie), 400, "VALIDATION_FAILED");
    await expectError(await postAs(tenant, TOTP_DISABLE, { code: totpCode(secret, -1) }, account.cookie), 401, "SECOND_FACTOR_INVALID");
    await expectError(await postAs(tenant, TOTP_DISABLE, { recovery_code: "aaaaa-aaaaa" }, account.cookie), 401, "SECOND_FACTOR_INVALID");
    expect((await postAs(tenant, TOTP_DISABLE, { recovery_code: recoveryCodes[0] }, account.cookie)).status).toBe(200);
    expect(await eventTypes(account.userId)).toContain("user.mfa_disabled");
    expect((await env.DB.prepare("select count(*) as n from recovery_codes where user_id = ?").bind(account.userId).first<{ n: number }>())!.n).toBe(0);
    const res = await login(tenant, account.email, account.password);
    expect(res.status).toBe(200);
    await expectError(await postAs(tenant, TOTP_DISABLE, { code: totpCode(secret) }, account.cookie), 409, "MFA_NOT_ENABLED");
  });

  it("regenerating recovery codes needs a code and retires the old ones", async () => {
    const { tenant, account, secret, recoveryCodes } = await mfaUser();
    await expectError(await postAs(tenant, RECOVERY_CODES, { code: "000000" }, account.cookie), 401);
    const res = await postAs(tenant, RECOVERY_CODES, { code: totpCode(secret) }, account.cookie);
    expect(res.status).toBe(200);
    const fresh = ((await res.json()) as { recovery_codes: string[] }).recovery_codes;
    expect(fresh).toHaveLength(10);
    const ticket = await ticketFor(tenant, account);
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, recovery_code: recoveryCodes[0] }), 401);
    expect((await postAs(tenant, LOGIN_MFA, { mfa_ticket: ticket.mfa_ticket, recovery_code: fresh[0] })).status).toBe(200);
  });

  it("an admin reset removes the factor, ends every session, kills open tickets and is on the timeline", async () => {
    const { tenant, account, secret } = await mfaUser();
    const admin = await adminHeaders(tenant);
    const open = await ticketFor(tenant, account);
    const res = await call(`${tenant.plat}/customers/${account.userId}/mfa/reset`, { method: "POST", headers: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, had_totp: true });
    await expectError(await get(tenant, SESSION, account.cookie), 401);
    await expectError(await postAs(tenant, LOGIN_MFA, { mfa_ticket: open.mfa_ticket, code: totpCode(secret) }), 401, "MFA_TICKET_INVALID");
    const timeline = (await (await call(`${tenant.plat}/customers/${account.userId}/timeline`, { headers: admin })).json()) as { timeline: { type: string }[] };
    expect(timeline.timeline.map((e) => e.type)).toContain("user.mfa_reset");
    expect((await login(tenant, account.email, account.password)).status).toBe(200);

    const other = await createTenant({ config: MFA_CONFIG });
    await expectError(await call(`${other.plat}/customers/${account.userId}/mfa/reset`, { method: "POST", headers: await adminHeaders(other) }), 404);
    await expectError(await call(`${tenant.plat}/customers/${account.userId}/mfa/reset`, { method: "POST" }), 401);
  });
});
