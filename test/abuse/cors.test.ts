import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD, REGISTER, SESSION, storefront, uniqueEmail } from "../support/accounts";
import { countChanges, storageCounts } from "../support/fuzz/invariants";
import { fetchOpenApi, operations } from "../support/fuzz/openapi";
import { call, expectError, json } from "../support/http";
import { loginByOtp, type LoggedIn } from "../support/sessions";
import { adminHeaders, createTenant, type Tenant } from "../support/tenants";

const SHOP = "https://shop.example.com";
const doc = await fetchOpenApi();
const storefrontPaths = [...new Set(operations(doc).filter((op) => op.path.startsWith("/service/application/")).map((op) => op.path))];

/** Origins that look like the allowed one but are not it: other scheme, port, host, suffix, prefix, userinfo, IDN, null. */
const nearMisses = fc.oneof(
  fc.constantFrom(
    "http://shop.example.com",
    "https://shop.example.com:8443",
    "https://shop.example.com.evil.example",
    "https://evilshop.example.com",
    "https://evil.example/https://shop.example.com",
    "https://shop.example.co",
    "https://sub.shop.example.com",
    "https://shop.example.com.",
    "https://user@shop.example.com",
    "https://shop.exаmple.com",
    "https://xn--shop-example-com",
    "null",
    "file://",
    "https://shop.example.com/",
  ),
  fc.webUrl({ withFragments: false, withQueryParameters: false }).map((u) => new URL(u).origin),
);

const isAllowed = (origin: string) => origin.toLowerCase() === SHOP;

/**
 * The storefront API answers browsers only from the origins the application lists: a preflight from
 * any other origin is refused without CORS headers, and so is the real request (even with valid
 * credentials and a live session), which then changes nothing. The platform API grants CORS to nobody.
 */
describe("CORS from an unlisted origin", () => {
  let tenant: Tenant;
  let user: LoggedIn;
  beforeAll(async () => {
    tenant = await createTenant({ config: { allowed_origins: [SHOP] } });
    user = await loginByOtp(tenant);
  });

  it("refuses the preflight of every storefront path from near-miss origins", async () => {
    expect(storefrontPaths.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(nearMisses, fc.constantFrom(...storefrontPaths), fc.constantFrom("GET", "POST", "PUT", "DELETE"), async (origin, path, method) => {
        fc.pre(!isAllowed(origin));
        const res = await call(path, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type" } });
        expect(res.status, `${origin} ${path}`).toBe(403);
        expect(res.headers.get("access-control-allow-origin")).toBeNull();
        expect(res.headers.get("access-control-allow-credentials")).toBeNull();
        await expectError(res, 403, "ORIGIN_NOT_ALLOWED");
      }),
      { numRuns: 40 },
    );
  });

  it("refuses the real request too, with valid credentials and a live session, and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(nearMisses, async (origin) => {
        fc.pre(!isAllowed(origin));
        const before = await storageCounts();
        const me = await call(SESSION, { headers: storefront(tenant, user.cookie, { origin }) });
        const signUp = await call(REGISTER, json({ first_name: "Eve", email: uniqueEmail(), password: GOOD_PASSWORD }, { method: "POST", headers: storefront(tenant, undefined, { origin }) }));
        for (const res of [me, signUp]) {
          expect(res.headers.get("access-control-allow-origin")).toBeNull();
          expect(res.headers.getSetCookie()).toEqual([]);
          await expectError(res, 403, "ORIGIN_NOT_ALLOWED");
        }
        expect(countChanges(before, await storageCounts())).toEqual({});
      }),
      { numRuns: 20 },
    );
  });

  it("lets the listed origin through (in any letter case), so the refusals above are about the origin", async () => {
    for (const origin of [SHOP, SHOP.toUpperCase().replace("HTTPS", "https")]) {
      const res = await call(SESSION, { headers: storefront(tenant, user.cookie, { origin }) });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    }
  });

  it("refuses a preflight asking for headers outside the allow-list, even from the listed origin", async () => {
    for (const headers of ["x-evil", "authorization, cookie", "x-forwarded-host", "content-type, x-http-method-override"]) {
      const res = await call(SESSION, { method: "OPTIONS", headers: { origin: SHOP, "access-control-request-method": "GET", "access-control-request-headers": headers } });
      await expectError(res, 403, "ORIGIN_NOT_ALLOWED");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("does not let an origin another application lists call this one", async () => {
    await createTenant({ companyId: tenant.companyId, config: { allowed_origins: ["https://other-shop.example.com"] } });
    const before = await storageCounts();
    const res = await call(REGISTER, json({ first_name: "Eve", email: uniqueEmail(), password: GOOD_PASSWORD }, { method: "POST", headers: storefront(tenant, undefined, { origin: "https://other-shop.example.com" }) }));
    await expectError(res, 403, "ORIGIN_NOT_ALLOWED");
    expect(countChanges(before, await storageCounts())).toEqual({});
  });

  it("gives no CORS headers on the platform API, to any origin", async () => {
    const authorization = (await adminHeaders(tenant)).authorization!;
    for (const origin of [SHOP, "https://evil.example"]) {
      const preflight = await call(`${tenant.plat}/customers/list`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET" } });
      expect(preflight.status).toBeGreaterThanOrEqual(400);
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      const real = await call(`${tenant.plat}/customers/list`, { headers: { origin, authorization } });
      expect(real.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});
