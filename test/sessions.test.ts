import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { endAllSessions } from "../src/services/sessions/sessions";
import {
  get,
  HAS_PASSWORD,
  login,
  LOGOUT,
  registeredUser,
  SESSION,
  sessionCookie,
  SESSIONS,
  storefront,
  updatePassword,
} from "./support/accounts";
import { call, expectError } from "./support/http";
import { createTenant } from "./support/tenants";

describe("getLoggedInUser", () => {
  it("answers UserObjectSchema for a valid cookie, 401 without one or with a forged one", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const me = (await (await get(tenant, SESSION, account.cookie)).json()) as { user: Record<string, unknown> };
    expect(Object.keys(me)).toEqual(["user"]);
    expect(me.user).toMatchObject({ _id: account.userId, user_id: account.userId, emails: [{ email: account.email }] });
    await expectError(await get(tenant, SESSION), 401, "UNAUTHORIZED");
    await expectError(await get(tenant, SESSION, "f.session=garbage"), 401, "SESSION_INVALID");
    const forged = account.cookie.replace(/\.[^.]+$/, `.${"A".repeat(43)}`);
    await expectError(await get(tenant, SESSION, forged), 401, "SESSION_INVALID");
  });

  it("refuses a blocked user's session on the very next request", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    await env.DB.prepare("update users set blocked = 1 where id = ?").bind(account.userId).run();
    await expectError(await get(tenant, SESSION, account.cookie), 401, "SESSION_INVALID");
  });

  it("refuses a session revoked in the Durable Object although its KV record still exists", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    await endAllSessions({ registry: env.USER_SESSIONS, records: env.SESSIONS_KV }, tenant.applicationId, account.userId);
    const records = await env.SESSIONS_KV.list({ prefix: `session:${tenant.applicationId}:` });
    expect(records.keys).toHaveLength(1);
    await expectError(await get(tenant, SESSION, account.cookie), 401, "SESSION_INVALID");
  });

  it("makes a cookie of application A useless on application B", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const account = await registeredUser(a);
    await expectError(await get(b, SESSION, account.cookie), 401, "SESSION_INVALID");
    expect((await get(a, SESSION, account.cookie)).status).toBe(200);
  });
});

describe("sessions and logout", () => {
  it("lists the user's sessions and logs one out: the same cookie is then refused", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const second = sessionCookie(await login(tenant, account.email, account.password));
    const listed = (await (await get(tenant, SESSIONS, account.cookie)).json()) as { sessions: string[] };
    expect(listed.sessions).toHaveLength(2);
    for (const id of listed.sessions) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(listed.sessions).toContain(second.split("=")[1]!.split(".")[1]);

    const out = await get(tenant, LOGOUT, second);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ logout: true });
    expect(out.headers.get("set-cookie")).toMatch(/^f\.session=;.*Max-Age=0/);
    await expectError(await get(tenant, SESSION, second), 401, "SESSION_INVALID");
    await expectError(await get(tenant, LOGOUT, second), 401, "SESSION_INVALID");
    expect(((await (await get(tenant, SESSIONS, account.cookie)).json()) as { sessions: string[] }).sessions).toHaveLength(1);
    const events = await env.DB.prepare("select type from events where user_id = ? and type = 'user.logged_out'").bind(account.userId).all();
    expect(events.results).toHaveLength(1);
  });

  it("needs a session for every session route", async () => {
    const tenant = await createTenant();
    for (const path of [SESSION, SESSIONS, LOGOUT, HAS_PASSWORD]) await expectError(await get(tenant, path), 401, "UNAUTHORIZED");
  });
});

describe("updatePassword", () => {
  it("changes the password, keeps this session and ends every other one", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const other = sessionCookie(await login(tenant, account.email, account.password));
    const res = await updatePassword(tenant, account.cookie, account.password, "Brand-New-Secret-55");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "success" });
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(200);
    await expectError(await get(tenant, SESSION, other), 401, "SESSION_INVALID");
    await expectError(await login(tenant, account.email, account.password), 401, "INVALID_CREDENTIALS");
    expect((await login(tenant, account.email, "Brand-New-Secret-55")).status).toBe(200);
    const events = await env.DB.prepare("select type, title from events where user_id = ? and type = 'user.password_changed'").bind(account.userId).all();
    expect(events.results).toEqual([{ type: "user.password_changed", title: "Password changed" }]);
  });

  it("refuses a wrong old password and bad bodies, changing nothing", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    await expectError(await updatePassword(tenant, account.cookie, "Not-The-Password-1", "Brand-New-Secret-55"), 400, "OLD_PASSWORD_INCORRECT");
    await expectError(await updatePassword(tenant, account.cookie, "", "Brand-New-Secret-55"), 400, "VALIDATION_FAILED");
    await expectError(await updatePassword(tenant, account.cookie, account.password, ""), 400, "VALIDATION_FAILED");
    await expectError(await updatePassword(tenant, "f.session=nope", account.password, "Brand-New-Secret-55"), 401, "SESSION_INVALID");
    expect((await login(tenant, account.email, account.password)).status).toBe(200);
  });

  it("refuses an account without a password (it sets one through forgot password)", async () => {
    const tenant = await createTenant({ config: { register_required_fields: { password: { is_required: false } } } });
    const account = await registeredUser(tenant, { password: undefined });
    await expectError(await updatePassword(tenant, account.cookie, "anything-at-all", "Brand-New-Secret-55"), 400, "NO_PASSWORD");
  });

  it("answers hasPassword with 1 when the user has one", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    expect(await (await get(tenant, HAS_PASSWORD, account.cookie)).json()).toEqual({ result: 1 });
  });
});

describe("CORS per application", () => {
  const shop = "https://shop.example.com";

  it("gives an allowed origin credentialed CORS headers", async () => {
    const tenant = await createTenant({ config: { allowed_origins: [shop] } });
    const account = await registeredUser(tenant);
    const res = await get(tenant, SESSION, account.cookie, { origin: shop });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(shop);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    const preflight = await call(SESSION, {
      method: "OPTIONS",
      headers: { origin: shop, "access-control-request-method": "GET", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(shop);
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("refuses an origin the application does not list, before any session work", async () => {
    const tenant = await createTenant({ config: { allowed_origins: [shop] } });
    const account = await registeredUser(tenant);
    const res = await get(tenant, LOGOUT, account.cookie, { origin: "https://evil.example.net" });
    await expectError(res, 403, "ORIGIN_NOT_ALLOWED");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    // The refused logout did not end the session.
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(200);
    const preflight = await call(SESSION, { method: "OPTIONS", headers: { origin: "https://evil.example.net", "access-control-request-method": "GET" } });
    await expectError(preflight, 403, "ORIGIN_NOT_ALLOWED");
    // Another application's allowed origin is not this one's.
    const other = await createTenant();
    await expectError(await call(SESSION, { headers: { ...storefront(other, account.cookie), origin: shop } }), 403, "ORIGIN_NOT_ALLOWED");
  });
});
