import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchOpenApi } from "../support/fuzz/openapi";
import { expectError } from "../support/http";
import { post } from "../support/otp";
import { GOOGLE_TOKENINFO, jsonResponse, mockProviders, socialLogin, socialTenant } from "../support/social";
import { createTenant } from "../support/tenants";

afterEach(() => vi.restoreAllMocks());

/** Inputs the fuzz found that once broke a route, kept as plain examples so they never come back. */
describe("fuzz findings", () => {
  it("a calling code no country uses is a 400 on every mobile route, not a 500", async () => {
    const tenant = await createTenant();
    for (const path of ["/authentication/v1.0/login/otp", "/authentication/v1.0/otp/mobile/send", "/authentication/v1.0/otp/forgot/mobile/send", "/authentication/v1.0/login/password/mobile/reset"]) {
      for (const country_code of ["0", "21", 999]) {
        const body = await expectError(await post(tenant, path, { mobile: "6000000000", country_code }), 400, "VALIDATION_FAILED");
        expect(body.message).toMatch(/mobile/);
      }
    }
  });

  it("documents every pattern as a plain regular expression (no '/flags' tail that would match nothing)", async () => {
    const patterns: string[] = [];
    JSON.stringify(await fetchOpenApi(), (key, value: unknown) => {
      if (key === "pattern" && typeof value === "string") patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) {
      expect(pattern).not.toMatch(/\/[dgimsuvy]*$/);
      expect(() => new RegExp(pattern)).not.toThrow();
    }
    // The session domain and the allowed origin stay case-insensitive.
    expect(patterns.some((p) => new RegExp(p).test("Shop.Example.com:8443"))).toBe(true);
    expect(patterns.some((p) => new RegExp(p).test("HTTPS://Shop.Example.com"))).toBe(true);
  });

  it("documents the bounds of page_no and page_size that it enforces", async () => {
    const doc = await fetchOpenApi();
    const list = Object.entries(doc.paths).find(([path]) => path.endsWith("/customers/list"))![1].get!;
    const schemaOf = (name: string) => list.parameters!.find((p) => p.name === name)!.schema;
    expect(schemaOf("page_no")).toMatchObject({ type: "integer", minimum: 1, maximum: 1_000_000 });
    expect(schemaOf("page_size")).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
  });

  it("a Google token with a lone surrogate is refused as invalid, not a 500", async () => {
    mockProviders({ [GOOGLE_TOKENINFO]: (url) => jsonResponse({ error: "invalid_token", got: url.searchParams.get("access_token") }, 400) });
    const tenant = await socialTenant();
    for (const route of ["google-token", "google-android", "google-ios"]) {
      await expectError(await socialLogin(tenant, route, { oauth2: { access_token: "ya29.\ud800x" } }), 401);
      await expectError(await socialLogin(tenant, route, { oauth2: { id_token: "\udfff" } }), 401);
    }
  });
});
