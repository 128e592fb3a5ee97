import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GOOD_PASSWORD, LOGOUT, login, register, storefront, uniqueEmail, SIGN_UP_LOGS_IN } from "../support/accounts";
import { adminFor } from "../support/customers";
import { call, json } from "../support/http";
import { INJECTIONS, UNICODE } from "../support/fuzz/payloads";
import { e164, lastCode, post, randomMobile, type MobileSent } from "../support/otp";
import { createTenant, type Tenant } from "../support/tenants";

/** The only cookies the service ever sets: a session it generated, or the session cleared. */
const SESSION_SET = /^f\.session=[0-9a-f]{24}\.[0-9a-f]{24}\.[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=None$/;
const SESSION_CLEAR = /^f\.session=; Max-Age=0; Path=\/; HttpOnly; Secure; SameSite=None$/;

/** Cookie-splitting and attribute-injection attempts; header values cannot carry CR/LF at all. */
const COOKIE_ATTACKS = [
  "; Domain=evil.example",
  "x; Path=/; Domain=evil.example; SameSite=Lax",
  ", f.session=attacker",
  "\r\nSet-Cookie: f.session=attacker",
  "f.session=attacker",
  "=; Max-Age=999999999",
];
const payload = fc.constantFrom(...COOKIE_ATTACKS, ...INJECTIONS, ...UNICODE);
/** Header-safe (Latin-1, no CR/LF) form of a payload, for the headers a client controls. */
const headerSafe = (value: string) => value.replace(/[\r\n\0]/g, " ").replace(/[^\x20-\xff]/g, "?");

interface Placed {
  query: string;
  headers: Record<string, string>;
  text: string;
}

function placed(value: string): Placed {
  const h = headerSafe(value);
  return {
    query: `?platform=${encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, "?"))}`,
    headers: { "user-agent": h, "x-forwarded-for": h, "cf-connecting-ip": h, "accept-language": h, cookie: `f.session=${h}; other=${h}` },
    text: value,
  };
}

/** Each flow that sets or clears the session cookie, with the attacker's value wherever the client has a say. */
const flows: { name: string; run(tenant: Tenant, p: Placed): Promise<Response> }[] = [
  {
    name: "registration",
    run: (tenant, p) =>
      call(`/service/application/user/authentication/v1.0/register/form${p.query}`, json({ first_name: p.text.slice(0, 100), last_name: p.text.slice(0, 100), email: uniqueEmail(), password: GOOD_PASSWORD }, { method: "POST", headers: storefront(tenant, undefined, p.headers) })),
  },
  {
    name: "password login",
    async run(tenant, p) {
      const email = uniqueEmail();
      await register(tenant, { first_name: "Ana", email, password: GOOD_PASSWORD });
      return login(tenant, email, GOOD_PASSWORD, p.headers);
    },
  },
  {
    name: "OTP login",
    async run(tenant, p) {
      const mobile = randomMobile();
      const sent = (await (await post(tenant, `/authentication/v1.0/otp/mobile/send${p.query}`, { mobile, country_code: "91" }, p.headers)).json()) as MobileSent;
      return post(tenant, `/authentication/v1.0/otp/mobile/verify${p.query}`, { request_id: sent.request_id, otp: await lastCode(e164(mobile)) }, p.headers);
    },
  },
  {
    name: "logout",
    async run(tenant, p) {
      const res = await register(tenant, { first_name: "Ana", email: uniqueEmail(), password: GOOD_PASSWORD });
      const token = /f\.session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
      return call(`${LOGOUT}${p.query}`, { headers: storefront(tenant, `f.session=${token}; evil=${headerSafe(p.text)}`, { "user-agent": headerSafe(p.text) }) });
    },
  },
];

describe("header injection into cookies", () => {
  for (const flow of flows) {
    it(`${flow.name}: whatever the client sends, Set-Cookie is only the service's own f.session`, async () => {
      const tenant = await createTenant({ config: SIGN_UP_LOGS_IN });
      await fc.assert(
        fc.asyncProperty(payload, async (value) => {
          const res = await flow.run(tenant, placed(value));
          const cookies = res.headers.getSetCookie();
          expect(res.status, await res.clone().text()).toBe(200);
          expect(cookies).toHaveLength(1);
          expect(cookies[0]).toMatch(flow.name === "logout" ? SESSION_CLEAR : SESSION_SET);
        }),
        { numRuns: 8 },
      );
    });
  }

  it("platform createUserSession: a domain carrying cookie syntax is refused, and the answer names only f.session", async () => {
    const admin = await adminFor(await createTenant());
    const user = await admin.createUser({ email: uniqueEmail() });
    for (const domain of COOKIE_ATTACKS.map((a) => `shop.example.com${a}`)) {
      const res = await admin.api("/customers/session", json({ user_id: user._id, domain }, { method: "POST" }));
      expect(res.status, domain).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const res = await admin.api("/customers/session", json({ user_id: user._id, domain: "shop.example.com" }, { method: "POST" }));
    const body = (await res.json()) as { cookie: Record<string, string> };
    expect(Object.keys(body.cookie)).toEqual(["f.session"]);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
