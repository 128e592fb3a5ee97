import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { registeredUser, storefront } from "./support/accounts";
import { call, expectError } from "./support/http";
import { createTenant } from "./support/tenants";

describe("benchmark-only routes", () => {
  it("do not exist unless BENCH_ROUTES is true", async () => {
    for (const path of ["/_bench/pbkdf2", "/_bench/session"]) {
      const body = await expectError(await call(path), 404, "ROUTE_NOT_FOUND");
      expect(body.message).toBe(`No route for GET ${path}`);
    }
  });

  it("derive one password hash when turned on", async () => {
    const res = await app.request("/_bench/pbkdf2", {}, { ...env, BENCH_ROUTES: "true" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe("bench session check", () => {
  it("answers only for a valid session of the calling application", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const benchEnv = { ...env, BENCH_ROUTES: "true" };
    const check = (cookie?: string) => app.request("/_bench/session", { headers: storefront(tenant, cookie) }, benchEnv);
    expect((await check(account.cookie)).status).toBe(200);
    await expectError(await check(), 401, "UNAUTHORIZED");
    await expectError(await app.request("/_bench/session", { headers: { cookie: account.cookie } }, benchEnv), 401, "INVALID_APPLICATION_CREDENTIALS");
  });
});
