import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/env";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { call, expectError, json } from "./support/http";
import { APP, callWithEnv, e164, lastMessage, post, PROVIDER_ENV, randomEmail, randomMobile, type MobileSent } from "./support/otp";
import { createUser, otpKeys } from "./support/users";

const PROVIDERS = PROVIDER_ENV;

function postWith(overrides: Partial<Cloudflare.Env>, tenant: Tenant, path: string, body: unknown) {
  return callWithEnv(overrides, `${APP}${path}`, json(body, { method: "POST", headers: { authorization: tenant.appAuth } }));
}

/** Answers every outbound fetch with `response` and records the requests. */
function mockProviders(response: () => Response | Promise<Response>) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => response());
}

const requestOf = (spy: ReturnType<typeof mockProviders>, index = 0) => {
  const [url, init] = spy.mock.calls[index]!;
  return { url: String(url), init: init!, headers: new Headers(init!.headers) };
};

afterEach(() => vi.restoreAllMocks());

describe("dev outbox route", () => {
  it("does not exist unless DEV_OUTBOX is true", async () => {
    for (const path of ["/_dev/outbox?to=a%40example.com", "/_dev/outbox"]) {
      const res = await callWithEnv({ DEV_OUTBOX: "false", NOTIFY_TRANSPORT: "providers" }, path);
      const body = await expectError(res, 404, "ROUTE_NOT_FOUND");
      expect(body.message).toBe("No route for GET /_dev/outbox");
    }
  });

  it("lists messages newest first and rejects an address that is neither email nor phone", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0 } } });
    const email = randomEmail();
    await post(tenant, "/authentication/v1.0/otp/email/send", { email });
    await post(tenant, "/authentication/v1.0/otp/email/send", { email });
    const res = await call(`/_dev/outbox?to=${encodeURIComponent(email)}`);
    const { messages } = (await res.json()) as { messages: { created_at: string; code: string }[] };
    expect(messages.length).toBe(2);
    expect(messages[0]!.created_at >= messages[1]!.created_at).toBe(true);
    await expectError(await call("/_dev/outbox?to=nobody"), 400, "BAD_REQUEST");
  });

  it("refuses an outbox transport without the outbox route (nothing would ever be delivered)", () => {
    expect(() => loadConfig({ ...env, DEV_OUTBOX: "false", NOTIFY_TRANSPORT: "outbox" })).toThrow(/DEV_OUTBOX/);
  });
});

describe("message templates", () => {
  it("uses the application's template and appends the Android app hash to SMS", async () => {
    const tenant = await createTenant({
      config: { display: "Acme", otp: { templates: { login: { sms: "Acme code {{code}} ({{minutes}} min) for {{app_name}}" } } } },
    });
    const mobile = randomMobile();
    await post(tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91", android_hash: "FA+9qCX9VSu" });
    const message = await lastMessage(e164(mobile));
    expect(message.text).toBe(`Acme code ${message.code} (10 min) for Acme\nFA+9qCX9VSu`);
  });

  it("rejects templates that drop the code, OTP lifetimes over 10 minutes, and keeps OTP settings off the storefront", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const update = (body: unknown) => call(`${tenant.plat}/platform/config`, json(body, { method: "POST", headers }));
    const noCode = await expectError(await update({ otp: { templates: { login: { sms: "hello" } } } }), 400, "VALIDATION_FAILED");
    expect(JSON.stringify(noCode.info)).toContain("otp.templates.login.sms");
    await expectError(await update({ otp: { ttl_seconds: 601 } }), 400, "VALIDATION_FAILED");
    const saved = await update({ otp: { length: 4, templates: { forgot: { email_subject: "Reset" } } } });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { otp: unknown }).otp).toMatchObject({ length: 4, ttl_seconds: 600, templates: { forgot: { email_subject: "Reset" } } });
    const storefront = await call(`${APP}/platform/v1.0/config`, { headers: { authorization: tenant.appAuth } });
    expect(await storefront.json()).not.toHaveProperty("otp");
  });
});

describe("real providers", () => {
  it("sends email through Resend with the exact request, and the emailed code logs in", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    const spy = mockProviders(() => Response.json({ id: "email-id" }));
    const res = await postWith(PROVIDERS, tenant, "/authentication/v1.0/otp/email/send", { email });
    expect(res.status).toBe(200);
    expect(spy).toHaveBeenCalledTimes(1);
    const { url, init, headers } = requestOf(spy);
    expect(url).toBe("https://api.resend.com/emails");
    expect(init.method).toBe("POST");
    expect(headers.get("authorization")).toBe("Bearer re_test_key");
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("idempotency-key")).toMatch(/^[0-9a-f]{24}$/);
    const sent = JSON.parse(String(init.body)) as { from: string; to: string[]; subject: string; text: string };
    expect(sent.from).toBe(PROVIDERS.EMAIL_FROM);
    expect(sent.to).toEqual([email]);
    expect(sent.subject).toBe("Your Fynd login code");
    const code = /\b(\d{6})\b/.exec(sent.text)![1]!;
    const login = await postWith(PROVIDERS, tenant, "/authentication/v1.0/otp/email/verify", { email, otp: code });
    expect(login.status).toBe(200);
  });

  it("sends SMS through Twilio with the exact request", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const spy = mockProviders(() => Response.json({ sid: "SM1" }, { status: 201 }));
    const res = await postWith(PROVIDERS, tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91" });
    expect(res.status).toBe(200);
    const { url, init, headers } = requestOf(spy);
    expect(url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${PROVIDERS.TWILIO_ACCOUNT_SID}/Messages.json`);
    expect(init.method).toBe("POST");
    expect(headers.get("authorization")).toBe(`Basic ${btoa(`${PROVIDERS.TWILIO_ACCOUNT_SID}:${PROVIDERS.TWILIO_AUTH_TOKEN}`)}`);
    expect(headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(String(init.body));
    expect(form.get("To")).toBe(e164(mobile));
    expect(form.get("From")).toBe(PROVIDERS.TWILIO_FROM);
    expect(form.get("Body")).toMatch(/^\d{6} is your Fynd login code\./);
    const code = form.get("Body")!.slice(0, 6);
    const sent = (await res.json()) as MobileSent;
    const login = await postWith(PROVIDERS, tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: sent.request_id, otp: code });
    expect(login.status).toBe(200);
  });

  it("uses a Twilio Messaging Service when TWILIO_FROM is one", async () => {
    const tenant = await createTenant();
    const spy = mockProviders(() => Response.json({ sid: "SM1" }, { status: 201 }));
    await postWith({ ...PROVIDERS, TWILIO_FROM: "MG0123" }, tenant, "/authentication/v1.0/login/otp", { mobile: randomMobile(), country_code: "91" });
    const form = new URLSearchParams(String(requestOf(spy).init.body));
    expect(form.get("MessagingServiceSid")).toBe("MG0123");
    expect(form.has("From")).toBe(false);
  });

  it("answers 502 when the provider fails and leaves no usable OTP", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0 } } });
    const email = randomEmail();
    const spy = mockProviders(() => new Response("upstream down", { status: 500 }));
    await expectError(await postWith(PROVIDERS, tenant, "/authentication/v1.0/otp/email/send", { email }), 502, "UPSTREAM_FAILED");
    const code = /\b(\d{6})\b/.exec((JSON.parse(String(requestOf(spy).init.body)) as { text: string }).text)![1]!;
    expect(await otpKeys(tenant)).toEqual([]);
    spy.mockImplementation(async () => Response.json({ id: "ok" }));
    await expectError(await postWith(PROVIDERS, tenant, "/authentication/v1.0/otp/email/verify", { email, otp: code }), 400, "OTP_EXPIRED");

    spy.mockImplementation(async () => {
      throw new TypeError("network down");
    });
    await expectError(await postWith(PROVIDERS, tenant, "/authentication/v1.0/login/otp", { mobile: randomMobile(), country_code: "91" }), 502, "UPSTREAM_FAILED");
    expect(await otpKeys(tenant)).toEqual([]);
  });

  it("drops a reset link whose delivery failed", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    await createUser(tenant, { mobile });
    mockProviders(() => new Response("nope", { status: 400 }));
    await expectError(
      await postWith(PROVIDERS, tenant, "/authentication/v1.0/login/password/mobile/reset", { mobile, country_code: "91" }),
      502,
      "UPSTREAM_FAILED",
    );
    const keys = await env.OTP_KV.list({ prefix: `code:${tenant.applicationId}:` });
    expect(keys.keys).toEqual([]);
  });

  it("answers 502 when no provider is configured for the channel", async () => {
    const tenant = await createTenant();
    const spy = mockProviders(() => Response.json({}));
    const { TWILIO_ACCOUNT_SID: _sid, ...emailOnly } = PROVIDERS;
    await expectError(await postWith(emailOnly, tenant, "/authentication/v1.0/login/otp", { mobile: randomMobile(), country_code: "91" }), 502, "UPSTREAM_FAILED");
    expect(spy).not.toHaveBeenCalled();
    expect(await otpKeys(tenant)).toEqual([]);
  });
});
