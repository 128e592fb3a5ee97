import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/crypto/tokens";
import { call, expectError, json } from "../support/http";
import { APP, callWithEnv, randomEmail } from "../support/otp";
import { createUser } from "../support/users";
import { adminHeaders, createTenant, platformToken } from "../support/tenants";

const OTP_GUARD_DOWN = { OTP_GUARD: env.LOGIN_GUARD as unknown as Cloudflare.Env["OTP_GUARD"] };

describe("loginWithToken: the jti claim fails closed", () => {
  it("with the guard object unreachable the token login answers 503 (not 500), no session, the jti is not spent", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const publicJwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const tenant = await createTenant({ config: { token_login: { enabled: true, public_keys: [publicJwk], jwks_url: "", issuer: "" } } });
    const email = randomEmail();
    await createUser(tenant, { email });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ aud: tenant.applicationId, iat: now, exp: now + 120, jti: newId(), email, email_verified: true })
      .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "JWT" })
      .sign(privateKey);
    const init = () => json({ token: jwt }, { method: "POST", headers: { authorization: tenant.appAuth } });
    const res = await callWithEnv(OTP_GUARD_DOWN, `${APP}/authentication/v1.0/login/token`, init());
    await expectError(res, 503, "SERVICE_UNAVAILABLE");
    expect(res.headers.get("set-cookie")).toBeNull();
    // Nothing was decided: the same token works once the guard is back.
    expect((await call(`${APP}/authentication/v1.0/login/token`, init())).status).toBe(200);
  });
});

describe("platform access tokens of a deactivated client", () => {
  it("stop working on the very next request (checked on every request), and cannot be refreshed", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    expect((await call(`${tenant.plat}/platform/config`, { headers })).status).toBe(200);
    await env.DB.prepare("update platform_clients set active = 0 where client_id = ?").bind(tenant.clientId).run();
    await expectError(await call(`${tenant.plat}/platform/config`, { headers }), 401, "CLIENT_INACTIVE");
    await expectError(await call(`${tenant.plat}/customers`, { headers }), 401, "CLIENT_INACTIVE");
    await expect(platformToken(tenant)).rejects.toThrow();
  });
});

describe("otp.link_base_url", () => {
  it("must be https; http only for localhost; a refused update writes nothing", async () => {
    const tenant = await createTenant();
    const headers = { ...(await adminHeaders(tenant)), "content-type": "application/json" };
    const set = (link_base_url: string) => call(`${tenant.plat}/platform/config`, { method: "POST", headers, body: JSON.stringify({ otp: { link_base_url } }) });
    await expectError(await set("http://shop.example.com"), 400, "VALIDATION_FAILED");
    await expectError(await set("http://localhost.example.com"), 400, "VALIDATION_FAILED");
    const stored = await env.DB.prepare("select config_version as v from applications where id = ?").bind(tenant.applicationId).first<{ v: number }>();
    expect(stored!.v).toBe(0);
    expect((await set("https://shop.example.com")).status).toBe(200);
    expect((await set("http://localhost:5173")).status).toBe(200);
    expect((await set("http://127.0.0.1:8787/store")).status).toBe(200);
  });
});
