import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { registeredUser, storefront } from "./support/accounts";
import { call, expectError } from "./support/http";
import { createTenant } from "./support/tenants";

describe("benchmark-only routes", () => {
  it("do not exist unless BENCH_ROUTES is true", async () => {
    for (const path of ["/_bench/pbkdf2", "/_bench/session", "/_bench/op/tenant", "/_bench/op/user-read", "/_bench/op/guard", "/_bench/op/kv-put", "/_bench/op/event"]) {
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

describe("bench storage operations", () => {
  it("each does its one operation for the calling application, and only for it", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const benchEnv = { ...env, BENCH_ROUTES: "true" };
    const op = (path: string, headers: Record<string, string> = storefront(tenant)) => app.request(`/_bench/op/${path}`, { headers }, benchEnv);

    expect((await op("tenant")).status).toBe(200);
    expect((await op(`user-read?user_id=${account.userId}`)).status).toBe(200);
    await expectError(await op("user-read?user_id=000000000000000000000000"), 404, "NOT_FOUND");
    const other = await createTenant();
    await expectError(await op(`user-read?user_id=${account.userId}`, storefront(other)), 404, "NOT_FOUND");
    expect(await (await op("guard?key=a")).json()).toEqual({ ok: true });

    const events = () => env.DB.prepare("select count(*) as n from events where application_id = ? and type = 'bench.event'").bind(tenant.applicationId).first<{ n: number }>("n");
    expect(await events()).toBe(0);
    expect((await op("event")).status).toBe(200);
    expect(await events()).toBe(1);

    const before = (await env.SESSIONS_KV.list({ prefix: "bench:" })).keys.length;
    expect((await op("kv-put")).status).toBe(200);
    expect((await env.SESSIONS_KV.list({ prefix: "bench:" })).keys.length).toBe(before + 1);

    await expectError(await op("tenant", {}), 401, "INVALID_APPLICATION_CREDENTIALS");
  });
});
