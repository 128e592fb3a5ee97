import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./support/http";
import { adminHeaders, basic, createTenant, platformToken, requestToken } from "./support/tenants";

const CONFIG = "/service/application/user/platform/v1.0/config";

describe("storefront tenant resolution", () => {
  it("serves the storefront config for a valid application credential, without secrets", async () => {
    const tenant = await createTenant({
      config: { social_tokens: { google: { app_id: "g-client", app_secret: "g-secret" } }, account_lockout: { enable: true, attempts: 3, duration: 60 } },
    });
    const res = await call(CONFIG, { headers: { authorization: tenant.appAuth, "x-fp-signature": "v1.1:ignored", "x-fp-date": "20261127T000000Z" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body._id).toBe(tenant.applicationId);
    expect(body.register).toBe(true);
    expect(body.social_tokens.google).toEqual({ app_id: "g-client" });
    expect(body.social_tokens.accountkit).toEqual({ app_id: "" });
    expect(JSON.stringify(body)).not.toContain("g-secret");
    expect(body).not.toHaveProperty("account_lockout");
    expect(body).not.toHaveProperty("allowed_origins");
  });

  it.each([
    ["missing", undefined],
    ["not bearer", "Basic abc"],
    ["not base64", "Bearer %%%"],
    ["no colon", `Bearer ${btoa("just-an-id")}`],
    ["unknown application", `Bearer ${btoa("ffffffffffffffffffffffff:whatever")}`],
  ])("refuses a %s credential with 401", async (_name, header) => {
    const res = await call(CONFIG, { headers: header ? { authorization: header } : {} });
    await expectError(res, 401, "INVALID_APPLICATION_CREDENTIALS");
  });

  it("refuses the right application id with the wrong token", async () => {
    const tenant = await createTenant();
    const res = await call(CONFIG, { headers: { authorization: `Bearer ${btoa(`${tenant.applicationId}:wrong-token`)}` } });
    await expectError(res, 401, "INVALID_APPLICATION_CREDENTIALS");
  });

  it("refuses an application that the seller turned off", async () => {
    const tenant = await createTenant({ config: { active: false } });
    await expectError(await call(CONFIG, { headers: { authorization: tenant.appAuth } }), 403, "APPLICATION_INACTIVE");
  });
});

describe("platform tokens", () => {
  it("issues a short-lived bearer token and a refresh token for valid client credentials", async () => {
    const tenant = await createTenant();
    const res = await requestToken(tenant);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(typeof body.access_token).toBe("string");
    expect(typeof body.refresh_token).toBe("string");
  });

  it("refreshes with a refresh token exactly once (rotation)", async () => {
    const tenant = await createTenant();
    const first = (await (await requestToken(tenant)).json()) as { refresh_token: string };
    const refreshed = await requestToken(tenant, { grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const ok = await call(`${tenant.plat}/platform/config`, { headers: { authorization: `Bearer ${second.access_token}` } });
    expect(ok.status).toBe(200);
    await expectError(await requestToken(tenant, { grant_type: "refresh_token", refresh_token: first.refresh_token }), 400, "INVALID_GRANT");
  });

  it("does not let one client use another client's refresh token", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const tokenOfA = (await (await requestToken(a)).json()) as { refresh_token: string };
    await expectError(await requestToken(b, { grant_type: "refresh_token", refresh_token: tokenOfA.refresh_token }), 400, "INVALID_GRANT");
  });

  it.each([
    ["wrong secret", (t: { clientId: string }) => basic(t.clientId, "wrong")],
    ["unknown client", () => basic("nobody", "secret")],
    ["no credentials", () => ""],
  ])("refuses %s with 401", async (_name, auth) => {
    const tenant = await createTenant();
    const res = await call(`/service/panel/authentication/v1.0/company/${tenant.companyId}/oauth/token`, {
      method: "POST",
      headers: { authorization: auth(tenant), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    await expectError(res, 401, "INVALID_CLIENT");
  });

  it("refuses a client of another company on this company's token endpoint", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await expectError(await requestToken({ ...b, companyId: a.companyId }), 401, "INVALID_CLIENT");
  });

  it("validates the grant", async () => {
    const tenant = await createTenant();
    const bad = await requestToken(tenant, { grant_type: "password" });
    const body = await expectError(bad, 400, "VALIDATION_FAILED");
    expect(JSON.stringify(body.info)).toContain("grant_type");
    await expectError(await requestToken(tenant, { grant_type: "refresh_token" }), 400, "VALIDATION_FAILED");
  });

  it("refuses expired, forged and missing access tokens", async () => {
    const tenant = await createTenant();
    const { SignJWT } = await import("jose");
    const key = new TextEncoder().encode(env.TOKEN_SIGNING_KEY);
    const claims = { company_id: tenant.companyId };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("user-edge")
      .setAudience("user-edge:platform")
      .setSubject(tenant.clientId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("user-edge")
      .setAudience("user-edge:platform")
      .setSubject(tenant.clientId)
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("not-the-real-signing-key-0123456789"));
    const unsigned = `${btoa(JSON.stringify({ alg: "none" }))}.${btoa(JSON.stringify({ ...claims, sub: tenant.clientId, iss: "user-edge", aud: "user-edge:platform" }))}.`;
    const url = `${tenant.plat}/platform/config`;
    await expectError(await call(url, { headers: { authorization: `Bearer ${expired}` } }), 401, "TOKEN_EXPIRED");
    await expectError(await call(url, { headers: { authorization: `Bearer ${forged}` } }), 401, "UNAUTHORIZED");
    await expectError(await call(url, { headers: { authorization: `Bearer ${unsigned}` } }), 401, "UNAUTHORIZED");
    await expectError(await call(url), 401, "UNAUTHORIZED");
  });
});

describe("platform config", () => {
  it("round-trips an update and the storefront sees it", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const update = {
      register: false,
      login: { password: true, otp: false },
      session_config: { duration: "12", type: "hours", is_rolling: true },
      delete_account_reasons: [{ reason_id: "r1", reason_text: "Too many emails", show_text_area: false }],
      password_settings: { configs: { length: 12, require_number: true }, history: { required: true, count: 3 } },
      social_tokens: { facebook: { app_id: "fb-app", app_secret: "fb-secret" } },
    };
    const res = await call(`${tenant.plat}/platform/config`, json(update, { method: "POST", headers }));
    expect(res.status).toBe(200);
    const saved = (await res.json()) as Record<string, any>;
    expect(saved.register).toBe(false);
    expect(saved.session_config).toEqual({ duration: 12, type: "Hours", is_rolling: true });
    expect(saved.password_settings.configs).toMatchObject({ length: 12, require_number: true, require_special_character: false });
    expect(saved.social_tokens.facebook).toEqual({ app_id: "fb-app", app_secret: "fb-secret" });
    expect(saved.__v).toBe(1);
    // Untouched sections keep their values.
    expect(saved.forgot_password).toBe(true);

    const again = (await (await call(`${tenant.plat}/platform/config`, { headers })).json()) as Record<string, any>;
    expect(again).toEqual(saved);
    const storefront = (await (await call(CONFIG, { headers: { authorization: tenant.appAuth } })).json()) as Record<string, any>;
    expect(storefront.register).toBe(false);
    expect(storefront.social_tokens.facebook).toEqual({ app_id: "fb-app" });
  });

  it.each([
    [{ register: "yes" }, "register"],
    [{ session_config: { duration: 0 } }, "session_config.duration"],
    [{ session_config: { type: "Weeks" } }, "session_config.type"],
    [{ password_settings: { configs: { length: 4 } } }, "password_settings.configs.length"],
    [{ delete_account_day: -1 }, "delete_account_day"],
    [{ allowed_origins: ["https://shop.example.com/path"] }, "allowed_origins.0"],
    [
      { delete_account_reasons: [{ reason_id: "a", reason_text: "x", show_text_area: false }, { reason_id: "a", reason_text: "y", show_text_area: true }] },
      "delete_account_reasons",
    ],
  ])("rejects %j naming %s, and writes nothing", async (update, field) => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const before = await env.DB.prepare("select config, config_version from applications where id = ?").bind(tenant.applicationId).first();
    const res = await call(`${tenant.plat}/platform/config`, json(update, { method: "POST", headers }));
    const body = await expectError(res, 400, "VALIDATION_FAILED");
    expect((body.info as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
    const after = await env.DB.prepare("select config, config_version from applications where id = ?").bind(tenant.applicationId).first();
    expect(after).toEqual(before);
  });

  it("answers malformed JSON, wrong content type and oversized bodies with 4xx JSON, writing nothing", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const url = `${tenant.plat}/platform/config`;
    await expectError(await call(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{nope" }), 400, "MALFORMED_JSON");
    await expectError(await call(url, { method: "POST", headers: { ...headers, "content-type": "text/plain" }, body: "{}" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectError(await call(url, json({ display: "x".repeat(70_000) }, { method: "POST", headers })), 413, "PAYLOAD_TOO_LARGE");
    const row = await env.DB.prepare("select config_version from applications where id = ?").bind(tenant.applicationId).first<{ config_version: number }>();
    expect(row?.config_version).toBe(0);
  });
});

describe("tenant isolation", () => {
  it("does not let company A's token read or change company B's application", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const headersA = await adminHeaders(a);
    // B's path with A's token: wrong company.
    await expectError(await call(`${b.plat}/platform/config`, { headers: headersA }), 403, "FORBIDDEN");
    await expectError(await call(`${b.plat}/platform/config`, json({ register: false }, { method: "POST", headers: headersA })), 403);
    // A's company with B's application id: not found, so nothing says whether it exists elsewhere.
    const mixed = `/service/platform/user/v1.0/company/${a.companyId}/application/${b.applicationId}/platform/config`;
    await expectError(await call(mixed, { headers: headersA }), 404, "NOT_FOUND");
    await expectError(await call(mixed, json({ register: false }, { method: "POST", headers: headersA })), 404);
    const configB = (await (await call(`${b.plat}/platform/config`, { headers: await adminHeaders(b) })).json()) as Record<string, unknown>;
    expect(configB.register).toBe(true);
    expect(configB.__v).toBe(0);
  });

  it("scopes storefront credentials to their own application", async () => {
    const a = await createTenant({ config: { display: "Store A" } });
    const b = await createTenant({ config: { display: "Store B" } });
    const crossed = `Bearer ${btoa(`${b.applicationId}:${a.applicationToken}`)}`;
    await expectError(await call(CONFIG, { headers: { authorization: crossed } }), 401);
    const body = (await (await call(CONFIG, { headers: { authorization: a.appAuth } })).json()) as Record<string, unknown>;
    expect(body.display).toBe("Store A");
  });
});

describe("CORS", () => {
  it("allows listed origins with credentials and refuses others", async () => {
    const tenant = await createTenant({ config: { allowed_origins: ["https://shop.example.com"] } });
    const preflight = await call(CONFIG, {
      method: "OPTIONS",
      headers: { origin: "https://shop.example.com", "access-control-request-method": "GET", "access-control-request-headers": "authorization, x-fp-date" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");

    const allowed = await call(CONFIG, { headers: { authorization: tenant.appAuth, origin: "https://shop.example.com" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");

    const evilPreflight = await call(CONFIG, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    await expectError(evilPreflight, 403, "ORIGIN_NOT_ALLOWED");
    expect(evilPreflight.headers.get("access-control-allow-origin")).toBeNull();
    const evil = await call(CONFIG, { headers: { authorization: tenant.appAuth, origin: "https://evil.example" } });
    await expectError(evil, 403, "ORIGIN_NOT_ALLOWED");
  });

  it("does not let one application's allowed origin call another application", async () => {
    await createTenant({ config: { allowed_origins: ["https://a-shop.example.com"] } });
    const b = await createTenant();
    const res = await call(CONFIG, { headers: { authorization: b.appAuth, origin: "https://a-shop.example.com" } });
    await expectError(res, 403, "ORIGIN_NOT_ALLOWED");
  });

  it("applies an origin added through the platform config", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const update = await call(`${tenant.plat}/platform/config`, json({ allowed_origins: ["https://New-Shop.example.com"] }, { method: "POST", headers }));
    expect(update.status).toBe(200);
    const res = await call(CONFIG, { headers: { authorization: tenant.appAuth, origin: "https://new-shop.example.com" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://new-shop.example.com");
  });
});

describe("errors and documents", () => {
  it("answers unknown routes with the error shape", async () => {
    await expectError(await call("/nope"), 404, "ROUTE_NOT_FOUND");
  });

  it("publishes an OpenAPI 3.1 document and a docs page", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown>; components: any };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/service/application/user/platform/v1.0/config",
        "/service/platform/user/v1.0/company/{company_id}/application/{application_id}/platform/config",
        "/service/panel/authentication/v1.0/company/{company_id}/oauth/token",
      ]),
    );
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(["applicationCredential", "sessionCookie", "platformToken", "platformClient"]),
    );
    const docs = await call("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/openapi.json");
  });
});
