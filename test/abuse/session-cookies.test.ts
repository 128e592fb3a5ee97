import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GOOD_PASSWORD, login, register, SESSION, storefront, uniqueEmail, SIGN_UP_LOGS_IN } from "../support/accounts";
import { call, json } from "../support/http";
import { e164, lastCode, post, randomMobile, type MobileSent } from "../support/otp";
import { adminSession, issuedToken, loginByOtp, sessionIsValid, type LoggedIn } from "../support/sessions";
import { googleClaims, jwksHandlers, mockProviders, signToken, socialLogin, socialTenant } from "../support/social";
import { adminFor } from "../support/customers";
import { fetchOpenApi, operations } from "../support/fuzz/openapi";
import type { Tenant } from "../support/tenants";

const doc = await fetchOpenApi();
/** Every storefront operation that reads the session and needs no body: where a cookie is put to use. */
const sessionReads = operations(doc).filter((op) => op.security.includes("sessionCookie") && op.method === "GET" && !op.body);

function callWithCookie(tenant: Tenant, path: string, token: string) {
  return call(path, { headers: storefront(tenant, `f.session=${token}`) });
}

const HEX = "0123456789abcdef";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Changes one character of part `part` of the token to a different character of the same alphabet. */
const alterOne = fc.tuple(fc.constantFrom(0, 1, 2), fc.nat(), fc.nat()).map(([part, at, by]) => ({
  name: `alter part ${part}`,
  apply: (token: string) => {
    const parts = token.split(".");
    const value = parts[part]!;
    const alphabet = part === 2 ? SECRET_ALPHABET : HEX;
    const i = at % value.length;
    const current = alphabet.indexOf(value[i]!);
    const next = alphabet[(current + 1 + (by % (alphabet.length - 1))) % alphabet.length]!;
    parts[part] = value.slice(0, i) + next + value.slice(i + 1);
    return parts.join(".");
  },
}));

const truncate = fc.integer({ min: 1, max: 90 }).map((n) => ({ name: `truncate ${n}`, apply: (token: string) => token.slice(0, -n) }));
const extend = fc
  .constantFrom("A", "a", "0", ".", ".x", "..", `.${"A".repeat(43)}`, "%00", "\\")
  .map((suffix) => ({ name: `extend ${JSON.stringify(suffix)}`, apply: (token: string) => token + suffix }));
const dropPart = fc.constantFrom(0, 1, 2).map((part) => ({
  name: `drop part ${part}`,
  apply: (token: string) => token.split(".").filter((_, i) => i !== part).join("."),
}));
const upperCase = fc.constant({ name: "upper-case ids", apply: (token: string) => token.replace(/^[^.]+\.[^.]+/, (ids) => ids.toUpperCase()) });

describe("session cookie tampering", () => {
  let tenant: Tenant;
  let me: LoggedIn;
  let other: LoggedIn;
  beforeAll(async () => {
    tenant = (await adminFor(await socialTenant(SIGN_UP_LOGS_IN))).tenant;
    me = await loginByOtp(tenant);
    other = await loginByOtp(tenant);
  });

  it("finds the storefront operations that read the session", () => expect(sessionReads.length).toBeGreaterThan(0));

  it("refuses every altered, truncated or extended cookie on every session route, and keeps the real one working", async () => {
    // Parts of another user's live session combined with this user's: each pair is a real id, none is a session.
    const crossed = fc.constantFrom(
      { name: "other user's id, own session and secret", apply: (t: string) => [other.userId, ...t.split(".").slice(1)].join(".") },
      { name: "own user id, other's session id, own secret", apply: (t: string) => { const [u, , s] = t.split("."); return [u, other.sessionId, s].join("."); } },
      { name: "own ids, other's secret", apply: (t: string) => [...t.split(".").slice(0, 2), other.token.split(".")[2]].join(".") },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(alterOne, truncate, extend, dropPart, upperCase, crossed), fc.constantFrom(...sessionReads), async (tamper, op) => {
        const token = tamper.apply(me.token);
        fc.pre(token !== me.token);
        const res = await callWithCookie(tenant, op.path, token);
        expect(res.status, `${tamper.name} → ${token} on ${op.key}`).toBe(401);
        expect(((await res.json()) as { code: string }).code).toMatch(/^(SESSION_INVALID|UNAUTHORIZED)$/);
      }),
      { numRuns: 60 },
    );
    expect((await callWithCookie(tenant, SESSION, me.token)).status).toBe(200);
    expect((await callWithCookie(tenant, SESSION, other.token)).status).toBe(200);
  });
});

/** Each way a storefront user logs in, sending whatever Cookie header the browser holds. */
interface LoginFlow {
  name: string;
  logIn(tenant: Tenant, cookie: string): Promise<Response>;
}

const loginFlows: LoginFlow[] = [
  {
    name: "mobile OTP",
    async logIn(tenant, cookie) {
      const mobile = randomMobile();
      const sent = (await (await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" }, { cookie })).json()) as MobileSent;
      return post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: sent.request_id, otp: await lastCode(e164(mobile)) }, { cookie });
    },
  },
  {
    name: "password registration",
    logIn: (tenant, cookie) => register(tenant, { first_name: "Ana", email: uniqueEmail(), password: GOOD_PASSWORD }, { cookie }),
  },
  {
    name: "password login",
    async logIn(tenant, cookie) {
      const email = uniqueEmail();
      await register(tenant, { first_name: "Ana", email, password: GOOD_PASSWORD });
      return login(tenant, email, GOOD_PASSWORD, { cookie });
    },
  },
  {
    name: "Google ID token",
    async logIn(tenant, cookie) {
      const token = await signToken(googleClaims({ sub: `sub-${crypto.randomUUID()}`, email: uniqueEmail() }));
      return call("/service/application/user/authentication/v1.0/login/google-token", json({ oauth2: { id_token: token } }, { method: "POST", headers: storefront(tenant, cookie) }));
    },
  },
];

/**
 * Fixation: whatever f.session the browser already holds (a value the attacker chose, or the
 * attacker's own live session planted there), a login issues a fresh token; the planted value is
 * never turned into the new user's session.
 */
describe("session fixation", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const flow of loginFlows) {
    it(`${flow.name}: login always issues a new token and never adopts the one the browser sent`, async () => {
      mockProviders(jwksHandlers());
      const tenant = await socialTenant(SIGN_UP_LOGS_IN);
      const attacker = await loginByOtp(tenant);
      const planted = await adminSession(await adminFor(tenant), attacker.userId);
      const chosen = fc.oneof(
        fc.constant(planted.token),
        fc.constant(attacker.token),
        fc.tuple(fc.stringMatching(/^[0-9a-f]{24}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)).map(([session, secret]) => `${attacker.userId}.${session}.${secret}`),
        fc.constant("attacker-chosen-value"),
      );
      await fc.assert(
        fc.asyncProperty(chosen, async (value) => {
          const res = await flow.logIn(tenant, `f.session=${value}`);
          expect(res.status).toBe(200);
          const issued = issuedToken(res)!;
          expect(issued).toBeDefined();
          expect(issued).not.toBe(value);
          expect(issued.split(".")[1]).not.toBe(value.split(".")[1]);
          expect(issued.split(".")[0]).not.toBe(attacker.userId);
          expect(await sessionIsValid(tenant, issued)).toBe(true);
          // A planted live session stays the attacker's own, nothing more; a chosen value stays nothing.
          const me = (await (await callWithCookie(tenant, SESSION, value)).json()) as { user?: { _id: string } };
          expect(me.user?._id === undefined || me.user._id === attacker.userId).toBe(true);
        }),
        { numRuns: 4 },
      );
    });
  }

  it("logging in again while logged in starts a new session rather than reusing the current one", async () => {
    const tenant = await socialTenant(SIGN_UP_LOGS_IN);
    const email = uniqueEmail();
    const first = issuedToken(await register(tenant, { first_name: "Ana", email, password: GOOD_PASSWORD }))!;
    const second = issuedToken(await login(tenant, email, GOOD_PASSWORD, { cookie: `f.session=${first}` }))!;
    expect(second.split(".")[0]).toBe(first.split(".")[0]);
    expect(second.split(".")[1]).not.toBe(first.split(".")[1]);
    expect(await sessionIsValid(tenant, first)).toBe(true);
    expect(await sessionIsValid(tenant, second)).toBe(true);
  });
});
