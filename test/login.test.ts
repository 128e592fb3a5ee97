import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword } from "../src/crypto/password-hash";
import { GOOD_PASSWORD, LOGIN, login, register, registeredUser, storefront, uniqueEmail, updatePassword, userRow } from "./support/accounts";
import { call, expectError, json } from "./support/http";
import { createTenant } from "./support/tenants";

afterEach(() => vi.restoreAllMocks());

/** Everything a client can see of a failure except the per-request id. */
async function failure(res: Response) {
  const body = (await res.json()) as Record<string, unknown>;
  const headers = [...res.headers].filter(([name]) => !["x-request-id", "date"].includes(name));
  return { status: res.status, body: { ...body, request_id: undefined }, headers };
}

const fromIp = (ip: string) => ({ "cf-connecting-ip": ip });

describe("loginWithEmailAndPassword", () => {
  it("logs in by email or phone and sets the session cookie", async () => {
    const tenant = await createTenant();
    const email = uniqueEmail();
    await register(tenant, { email, phone: { country_code: "91", mobile: "9876500001" }, password: GOOD_PASSWORD });
    const res = await login(tenant, ` ${email.toUpperCase()} `, GOOD_PASSWORD);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { emails: { email: string }[] } };
    expect(body.user.emails[0]?.email).toBe(email);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^f\.session=[0-9a-f]{24}\.[0-9a-f]{24}\.[A-Za-z0-9_-]{43};/);
    for (const attribute of ["HttpOnly", "Secure", "SameSite=None", "Path=/", `Max-Age=${30 * 86_400}`]) expect(cookie).toContain(attribute);
    expect((await login(tenant, "+91 98765 00001", GOOD_PASSWORD)).status).toBe(200);
    expect((await login(tenant, "9876500001", GOOD_PASSWORD)).status).toBe(200);
  });

  it("refuses bad input with 400", async () => {
    const tenant = await createTenant();
    const post = (body: unknown) => call(LOGIN, json(body, { method: "POST", headers: storefront(tenant) }));
    await expectError(await post({ password: GOOD_PASSWORD }), 400, "VALIDATION_FAILED");
    await expectError(await post({ username: "a@example.com", password: "" }), 400, "VALIDATION_FAILED");
    await expectError(await post({ username: "   ", password: GOOD_PASSWORD }), 400, "VALIDATION_FAILED");
    await expectError(await post({ username: ["a@example.com"], password: GOOD_PASSWORD }), 400, "VALIDATION_FAILED");
  });

  it("is refused when the application turned password login off", async () => {
    const tenant = await createTenant({ config: { login: { password: false, otp: true } } });
    await expectError(await login(tenant, uniqueEmail(), GOOD_PASSWORD), 403, "PASSWORD_LOGIN_DISABLED");
  });

  it("answers an unknown user, a wrong password and a passwordless user identically, at the same hashing cost", async () => {
    const tenant = await createTenant({ config: { register_required_fields: { password: { is_required: false } } } });
    const account = await registeredUser(tenant);
    const passwordless = uniqueEmail();
    await register(tenant, { email: passwordless });
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const outcomes = [];
    for (const username of [account.email, uniqueEmail(), passwordless, "not an identifier"]) {
      derive.mockClear();
      const res = await login(tenant, username, "Wrong-Password-123");
      outcomes.push({ ...(await failure(res)), derivations: derive.mock.calls.map((c) => (c[0] as { iterations: number }).iterations) });
    }
    expect(outcomes[0]!.status).toBe(401);
    expect(outcomes[0]!.body).toEqual({ message: "The username or password is incorrect", code: "INVALID_CREDENTIALS", status: 401, request_id: undefined });
    expect(outcomes[0]!.derivations).toEqual([100_000]);
    for (const other of outcomes.slice(1)) expect(other).toEqual(outcomes[0]);
  });

  it("reveals a blocked or deleting account only to the right password", async () => {
    const tenant = await createTenant();
    const blocked = await registeredUser(tenant);
    const deleting = await registeredUser(tenant);
    await env.DB.prepare("update users set blocked = 1 where id = ?").bind(blocked.userId).run();
    await env.DB.prepare("update users set delete_on = ? where id = ?").bind(new Date(Date.now() + 86_400_000).toISOString(), deleting.userId).run();
    const unknown = await failure(await login(tenant, uniqueEmail(), "Wrong-Password-123"));
    expect(await failure(await login(tenant, blocked.email, "Wrong-Password-123"))).toEqual(unknown);
    expect(await failure(await login(tenant, deleting.email, "Wrong-Password-123"))).toEqual(unknown);
    const blockedRes = await login(tenant, blocked.email, blocked.password);
    expect((await expectError(blockedRes, 403, "ACCOUNT_BLOCKED")).message).toContain("blocked");
    expect(blockedRes.headers.get("set-cookie")).toBeNull();
    await expectError(await login(tenant, deleting.email, deleting.password), 403, "ACCOUNT_DELETION_SCHEDULED");
  });

  it("refuses an expired password only after it was given correctly", async () => {
    const tenant = await createTenant({ config: { password_settings: { expiry: { required: true, duration: 30 } } } });
    const account = await registeredUser(tenant);
    expect((await login(tenant, account.email, account.password)).status).toBe(200);
    await env.DB.prepare("update users set password_changed_at = ? where id = ?").bind(new Date(Date.now() - 31 * 86_400_000).toISOString(), account.userId).run();
    await expectError(await login(tenant, account.email, "Wrong-Password-123"), 401, "INVALID_CREDENTIALS");
    await expectError(await login(tenant, account.email, account.password), 403, "PASSWORD_EXPIRED");
  });

  it("re-hashes a password stored with older parameters at the next login", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const legacy = await hashPassword(account.password, { current: env.PASSWORD_PEPPER! }, 1_000);
    await env.DB.batch([
      env.DB.prepare("update users set password_hash = ? where id = ?").bind(legacy, account.userId),
      env.DB.prepare("update password_history set hash = ? where user_id = ?").bind(legacy, account.userId),
    ]);
    expect((await login(tenant, account.email, account.password)).status).toBe(200);
    const upgraded = String((await userRow(account.userId))?.password_hash);
    expect(upgraded).toMatch(/^pbkdf2-sha256\$100000\$/);
    const history = await env.DB.prepare("select hash from password_history where user_id = ?").bind(account.userId).all<{ hash: string }>();
    expect(history.results).toEqual([{ hash: upgraded }]);
    expect((await login(tenant, account.email, account.password)).status).toBe(200);
  });

  it("keeps applications apart: a user of A cannot log in to B", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const account = await registeredUser(a);
    await expectError(await login(b, account.email, account.password), 401, "INVALID_CREDENTIALS");
    expect((await login(a, account.email, account.password)).status).toBe(200);
  });
});

describe("login throttling", () => {
  const lockout = (attempts: number, duration = 60) => ({ config: { account_lockout: { enable: true, attempts, duration } } });

  it("lets exactly the configured number of 50 concurrent wrong passwords through", async () => {
    const tenant = await createTenant(lockout(5));
    const account = await registeredUser(tenant);
    const responses = await Promise.all(Array.from({ length: 50 }, () => login(tenant, account.email, "Wrong-Password-123", fromIp("203.0.113.7"))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    const locked = responses.find((r) => r.status === 429)!;
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await expectError(locked, 429, "TOO_MANY_REQUESTS");
    // Locked means locked: even the right password waits.
    await expectError(await login(tenant, account.email, account.password, fromIp("203.0.113.7")), 429, "TOO_MANY_REQUESTS");
    // The stranger locked only their own address out: the owner elsewhere logs in.
    expect((await login(tenant, account.email, account.password, fromIp("198.51.100.20"))).status).toBe(200);
  });

  it("locks unknown usernames exactly like real ones", async () => {
    const tenant = await createTenant(lockout(3));
    const account = await registeredUser(tenant);
    const run = async (username: string) => {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login(tenant, username, "Wrong-Password-123", fromIp("203.0.113.8"))).status);
      return statuses;
    };
    expect(await run(account.email)).toEqual([401, 401, 401, 429]);
    expect(await run(uniqueEmail())).toEqual([401, 401, 401, 429]);
  });

  it("forgets failures after a successful login", async () => {
    const tenant = await createTenant(lockout(3));
    const account = await registeredUser(tenant);
    const attempt = (password: string) => login(tenant, account.email, password, fromIp("203.0.113.9")).then((r) => r.status);
    expect([await attempt("Wrong-1-password"), await attempt("Wrong-2-password")]).toEqual([401, 401]);
    expect(await attempt(account.password)).toBe(200);
    expect([await attempt("Wrong-3-password"), await attempt("Wrong-4-password"), await attempt(account.password)]).toEqual([401, 401, 200]);
  });

  it("locks the account for attacks spread over many IPs, but never from an IP the owner logged in from", async () => {
    const tenant = await createTenant(lockout(1));
    const account = await registeredUser(tenant);
    expect((await login(tenant, account.email, account.password, fromIp("192.0.2.1"))).status).toBe(200);
    // attempts × 5 failures from five addresses lock the account everywhere else.
    for (let i = 0; i < 5; i++) expect((await login(tenant, account.email, "Wrong-Password-123", fromIp(`203.0.113.${20 + i}`))).status).toBe(401);
    await expectError(await login(tenant, account.email, account.password, fromIp("203.0.113.99")), 429, "TOO_MANY_REQUESTS");
    expect((await login(tenant, account.email, account.password, fromIp("192.0.2.1"))).status).toBe(200);
  });

  it("does not lock accounts when the application turned lockout off", async () => {
    const tenant = await createTenant({ config: { account_lockout: { enable: false, attempts: 2, duration: 60 } } });
    const account = await registeredUser(tenant);
    for (let i = 0; i < 4; i++) expect((await login(tenant, account.email, "Wrong-Password-123")).status).toBe(401);
    expect((await login(tenant, account.email, account.password)).status).toBe(200);
  });

  it("charges the old-password check of updatePassword to the same account", async () => {
    const tenant = await createTenant(lockout(2));
    const account = await registeredUser(tenant);
    const change = (oldPassword: string) => updatePassword(tenant, account.cookie, oldPassword, "Another-Fine-Password-7");
    await expectError(await change("Wrong-Password-1"), 400, "OLD_PASSWORD_INCORRECT");
    await expectError(await change("Wrong-Password-2"), 400, "OLD_PASSWORD_INCORRECT");
    await expectError(await change(account.password), 429, "TOO_MANY_REQUESTS");
    await expectError(await login(tenant, account.email, account.password), 429, "TOO_MANY_REQUESTS");
  });
});
