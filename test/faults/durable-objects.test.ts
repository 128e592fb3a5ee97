import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GOOD_PASSWORD, LOGIN, REGISTER, registeredUser, SESSION, storefront, uniqueEmail, SIGN_UP_LOGS_IN } from "../support/accounts";
import { adminFor } from "../support/customers";
import { countChanges, errorShapeProblem, storageCounts } from "../support/fuzz/invariants";
import { fetchOpenApi, operations } from "../support/fuzz/openapi";
import { call, json } from "../support/http";
import { APP, callWithEnv, e164, lastCode, post, randomMobile, type MobileSent } from "../support/otp";
import { adminSession, issuedToken, sessionIsValid } from "../support/sessions";
import { googleClaims, jwksHandlers, mockProviders, signToken, socialTenant } from "../support/social";
import { adminHeaders, createTenant, type Tenant } from "../support/tenants";

const doc = await fetchOpenApi();
const sessionOps = operations(doc).filter((op) => op.security.includes("sessionCookie"));

/*
 * A Durable Object call that fails for real: each namespace is swapped for one of another class, so
 * the RPC reaches a live object that does not implement the method and throws, as an unreachable,
 * reset or overloaded object would.
 */
const SESSIONS_DOWN = { USER_SESSIONS: env.LOGIN_GUARD as unknown as Cloudflare.Env["USER_SESSIONS"] };
const OTP_GUARD_DOWN = { OTP_GUARD: env.LOGIN_GUARD as unknown as Cloudflare.Env["OTP_GUARD"] };
const LOGIN_GUARD_DOWN = { LOGIN_GUARD: env.USER_SESSIONS as unknown as Cloudflare.Env["LOGIN_GUARD"] };

afterEach(() => vi.restoreAllMocks());

/** A refusal because a store is down: 503 in the error shape with Retry-After, no session started, nothing of the user shown. */
async function expectUnavailable(res: Response, what: string, userId?: string) {
  const text = await res.text();
  expect(res.status, `${what}: ${text}`).toBe(503);
  expect(errorShapeProblem(res, text), what).toBeUndefined();
  expect(Number(res.headers.get("retry-after")), what).toBeGreaterThan(0);
  expect(res.headers.getSetCookie().filter((c) => /^f\.session=[^;]/.test(c)), what).toEqual([]);
  if (userId) expect(text, what).not.toContain(userId);
}

const bodyFor = (path: string) => (path.endsWith("/password") ? { old_password: GOOD_PASSWORD, new_password: "Another-Good-Secret-77" } : { attributes: {} });

describe("the session registry (UserSessions) failing", () => {
  it("fails every session route closed: 503, the session is never taken as valid, nothing written", async () => {
    expect(sessionOps.length).toBeGreaterThan(3);
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    for (const op of sessionOps) {
      const before = await storageCounts();
      const init = op.method === "GET" ? {} : json(bodyFor(op.path), { method: op.method });
      const res = await callWithEnv(SESSIONS_DOWN, op.path, { ...init, headers: { ...storefront(tenant, account.cookie), ...(init.headers as Record<string, string> | undefined) } });
      await expectUnavailable(res, op.key, account.userId);
      expect(countChanges(before, await storageCounts()), op.key).toEqual({});
    }
    // Back up, the session was never touched.
    expect((await call(SESSION, { headers: storefront(tenant, account.cookie) })).status).toBe(200);
  });

  it("refuses every login with 503 and no cookie when no session can be created", async () => {
    const tenant = await socialTenant(SIGN_UP_LOGS_IN);
    mockProviders(jwksHandlers());
    const email = uniqueEmail();
    await call(REGISTER, json({ first_name: "Ana", email, password: GOOD_PASSWORD }, { method: "POST", headers: storefront(tenant) }));
    const mobile = randomMobile();
    const sent = (await (await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" })).json()) as MobileSent;
    const otp = await lastCode(e164(mobile));
    const idToken = await signToken(googleClaims({ sub: `sub-${crypto.randomUUID()}`, email: uniqueEmail() }));
    const logins: [string, string, unknown][] = [
      ["password login", LOGIN, { username: email, password: GOOD_PASSWORD }],
      ["registration", REGISTER, { first_name: "Bo", email: uniqueEmail(), password: GOOD_PASSWORD }],
      ["mobile OTP", `${APP}/authentication/v1.0/otp/mobile/verify`, { request_id: sent.request_id, otp }],
      ["Google", `${APP}/authentication/v1.0/login/google-token`, { oauth2: { id_token: idToken } }],
    ];
    for (const [what, path, body] of logins) {
      await expectUnavailable(await callWithEnv(SESSIONS_DOWN, path, json(body, { method: "POST", headers: storefront(tenant) })), what);
    }
  });

  it("answers the platform session routes with 503; a block still takes effect (the account is refused)", async () => {
    const admin = await adminFor(await createTenant());
    const user = await admin.createUser({ email: uniqueEmail() });
    const live = await adminSession(admin, user._id);
    const auth = await adminHeaders(admin.tenant);
    const platform = (path: string, init: RequestInit = {}) =>
      callWithEnv(SESSIONS_DOWN, `${admin.tenant.plat}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
    await expectUnavailable(await platform(`/customers/sessions?id=${user._id}`), "getActiveSessions");
    await expectUnavailable(await platform(`/customers/session?id=${user._id}&session_id=${live.sessionId}&reason=x`, { method: "DELETE" }), "deleteSession");
    await expectUnavailable(await platform(`/customers/sessions?id=${user._id}&reason=x`, { method: "DELETE" }), "deleteActiveSessions");
    await expectUnavailable(await platform("/customers/session", json({ user_id: user._id, domain: "shop.example.com" }, { method: "POST" })), "createUserSession");
    expect(await sessionIsValid(admin.tenant, live.token)).toBe(true);

    await expectUnavailable(await platform("/customers/activation", json({ status: false, user_id: [user._id] }, { method: "PUT" })), "blockOrUnblockUsers");
    // The registry never heard of the block, yet the session no longer gets the user anywhere.
    expect(await sessionIsValid(admin.tenant, live.token)).toBe(true);
    expect((await call(SESSION, { headers: storefront(admin.tenant, live.cookie) })).status).toBe(401);
  });
});

/** A KV session record is only metadata: once the registry has ended the session, it gets nothing. */
describe("KV session record present, registry says ended", () => {
  async function kvRecords(tenant: Tenant) {
    return (await env.SESSIONS_KV.list({ prefix: `session:${tenant.applicationId}:` })).keys.length;
  }

  interface Victim {
    userId: string;
    sessionId: string;
    email: string;
  }
  const revocations: { name: string; end(tenant: Tenant, victim: Victim): Promise<Response> }[] = [
    { name: "platform deleteSession", end: async (t, v) => (await adminFor(t)).api(`/customers/session?id=${v.userId}&session_id=${v.sessionId}&reason=x`, { method: "DELETE" }) },
    { name: "platform deleteActiveSessions", end: async (t, v) => (await adminFor(t)).api(`/customers/sessions?id=${v.userId}&reason=x`, { method: "DELETE" }) },
    { name: "platform block then unblock", end: async (t, v) => {
      const admin = await adminFor(t);
      await admin.api("/customers/activation", json({ status: false, user_id: [v.userId] }, { method: "PUT" }));
      return admin.api("/customers/activation", json({ status: true, user_id: [v.userId] }, { method: "PUT" }));
    } },
    { name: "password change in another session", end: async (t, v) => {
      const other = await call(LOGIN, json({ username: v.email, password: GOOD_PASSWORD }, { method: "POST", headers: storefront(t) }));
      return call(`${APP}/authentication/v1.0/password`, json({ old_password: GOOD_PASSWORD, new_password: "Another-Good-Secret-77" }, { method: "POST", headers: storefront(t, `f.session=${issuedToken(other)}`) }));
    } },
  ];

  for (const revocation of revocations) {
    it(`${revocation.name}: every session route refuses the cookie while its KV record remains`, async () => {
      const tenant = await createTenant();
      const account = await registeredUser(tenant);
      const sessionId = account.cookie.replace("f.session=", "").split(".")[1]!;
      const records = await kvRecords(tenant);
      expect(records).toBeGreaterThan(0);
      expect((await revocation.end(tenant, { userId: account.userId, sessionId, email: account.email })).status).toBe(200);
      expect(await kvRecords(tenant)).toBeGreaterThanOrEqual(records);
      for (const op of sessionOps.filter((o) => o.method === "GET")) {
        const res = await call(op.path, { headers: storefront(tenant, account.cookie) });
        expect(res.status, op.key).toBe(401);
      }
    });
  }
});

describe("the OTP guard failing", () => {
  it("fails OTP sends and verifies closed with 503: no code goes out, none is accepted, nothing written", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const before = await storageCounts();
    await expectUnavailable(await callWithEnv(OTP_GUARD_DOWN, `${APP}/authentication/v1.0/otp/mobile/send`, json({ mobile, country_code: "91" }, { method: "POST", headers: storefront(tenant) })), "send");
    expect(await (await call(`/_dev/outbox?to=${encodeURIComponent(e164(mobile))}`)).json()).toEqual({ messages: [] });

    const sent = (await (await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" })).json()) as MobileSent;
    const otp = await lastCode(e164(mobile));
    await expectUnavailable(await callWithEnv(OTP_GUARD_DOWN, `${APP}/authentication/v1.0/otp/mobile/verify`, json({ request_id: sent.request_id, otp }, { method: "POST", headers: storefront(tenant) })), "verify");
    expect(countChanges(before, await storageCounts())).toEqual({});
    // The guard back, the OTP still works: the failed check used nothing up.
    expect((await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: sent.request_id, otp })).status).toBe(200);
  });
});

describe("the login guard failing", () => {
  it("refuses password logins with 503 rather than checking passwords unthrottled", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    for (const password of [account.password, "Wrong-Password-123"]) {
      await expectUnavailable(await callWithEnv(LOGIN_GUARD_DOWN, LOGIN, json({ username: account.email, password }, { method: "POST", headers: storefront(tenant) })), password);
    }
  });
});
