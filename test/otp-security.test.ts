import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateOtp } from "../src/services/codes/otp";
import { expectError } from "./support/http";
import { e164, lastCode, outbox, post, randomEmail, randomMobile, wrongCode, type MobileSent } from "./support/otp";
import { createTenant, type Tenant } from "./support/tenants";
import { otpKeys } from "./support/users";

const MINUTE = 60_000;

async function sendLogin(tenant: Tenant, mobile: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91", ...extra }, headers);
}

async function sentLogin(tenant: Tenant, mobile: string): Promise<MobileSent & { code: string }> {
  const res = await sendLogin(tenant, mobile);
  expect(res.status).toBe(200);
  return { ...((await res.json()) as MobileSent), code: await lastCode(e164(mobile)) };
}

const verify = (tenant: Tenant, requestId: string, otp: string) =>
  post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: requestId, otp });

/** Moves the clock the Worker reads (tests and Worker share one isolate). */
function advanceClock(ms: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("OTP generation", () => {
  it("draws every digit from crypto.getRandomValues, redrawing values that would bias the result", () => {
    for (const length of [4, 6, 8]) expect(generateOtp(length)).toMatch(new RegExp(`^\\d{${length}}$`));
    const draws = [0xffff_ffff, 42];
    const spy = vi.spyOn(crypto, "getRandomValues").mockImplementation(((array: Uint32Array) => {
      array[0] = draws.shift()!;
      return array;
    }) as typeof crypto.getRandomValues);
    // 2^32 - 1 lies above the largest multiple of 10^6 below 2^32, so it must be thrown away.
    expect(generateOtp(6)).toBe("000042");
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe("OTP verification rules", () => {
  it("stores only a keyed hash of the code", async () => {
    const tenant = await createTenant();
    const sent = await sentLogin(tenant, randomMobile());
    const [key] = await otpKeys(tenant);
    const stored = await env.OTP_KV.get(key!);
    expect(stored).not.toContain(sent.code);
    expect(JSON.parse(stored!)).toMatchObject({ requestId: sent.request_id, codeHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("counts a wrong code, accepts the right one once, and never again", async () => {
    const tenant = await createTenant();
    const sent = await sentLogin(tenant, randomMobile());
    const wrong = await expectError(await verify(tenant, sent.request_id, wrongCode(sent.code)), 400, "OTP_INVALID");
    expect(wrong.info).toEqual({ attempts_left: 4 });
    expect((await verify(tenant, sent.request_id, sent.code)).status).toBe(200);
    await expectError(await verify(tenant, sent.request_id, sent.code), 400, "OTP_EXPIRED");
    expect(await otpKeys(tenant)).toEqual([]);
  });

  it("refuses an expired OTP", async () => {
    const tenant = await createTenant({ config: { otp: { ttl_seconds: 120 } } });
    const sent = await sentLogin(tenant, randomMobile());
    advanceClock(2 * MINUTE + 1000);
    await expectError(await verify(tenant, sent.request_id, sent.code), 400, "OTP_EXPIRED");
  });

  it("evaluates exactly 5 of 100 concurrent wrong guesses; then even the right code fails", async () => {
    const tenant = await createTenant();
    const sent = await sentLogin(tenant, randomMobile());
    const guesses = await Promise.all(
      Array.from({ length: 100 }, () => verify(tenant, sent.request_id, wrongCode(sent.code)).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string } }))),
    );
    const codes = guesses.map((g) => g.body.code);
    expect(codes.filter((c) => c === "OTP_INVALID").length).toBe(5);
    expect(codes.filter((c) => c === "OTP_ATTEMPTS_EXCEEDED").length).toBe(95);
    await expectError(await verify(tenant, sent.request_id, sent.code), 429, "OTP_ATTEMPTS_EXCEEDED");
  });

  it("honours the application's attempt limit", async () => {
    const tenant = await createTenant({ config: { otp: { max_attempts: 2 } } });
    const sent = await sentLogin(tenant, randomMobile());
    await expectError(await verify(tenant, sent.request_id, wrongCode(sent.code)), 400, "OTP_INVALID");
    await expectError(await verify(tenant, sent.request_id, wrongCode(sent.code)), 400, "OTP_INVALID");
    await expectError(await verify(tenant, sent.request_id, sent.code), 429, "OTP_ATTEMPTS_EXCEEDED");
  });

  it("does not let an OTP of application A log in on application B", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const sent = await sentLogin(a, randomMobile());
    await expectError(await verify(b, sent.request_id, sent.code), 400, "OTP_EXPIRED");
    expect((await verify(a, sent.request_id, sent.code)).status).toBe(200);
  });

  it("binds the request_id to its destination and purpose", async () => {
    const tenant = await createTenant();
    const first = randomMobile();
    const second = randomMobile();
    const a = await sentLogin(tenant, first);
    const b = await sentLogin(tenant, second);
    await expectError(await verify(tenant, a.request_id, b.code), 400, "OTP_INVALID");
    const res = await verify(tenant, b.request_id, b.code);
    const body = (await res.json()) as { user: { phone_numbers: { phone: string }[] } };
    expect(body.user.phone_numbers[0]!.phone).toBe(second);

    // A forgot-password OTP is not a login OTP.
    const forgot = (await (await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { mobile: second, country_code: "91" })).json()) as MobileSent;
    await expectError(await verify(tenant, forgot.request_id, await lastCode(e164(second))), 400, "OTP_EXPIRED");

    // Email OTPs are looked up by address: another address's code does not work.
    const emailA = randomEmail();
    const emailB = randomEmail();
    await post(tenant, "/authentication/v1.0/otp/email/send", { email: emailA });
    await post(tenant, "/authentication/v1.0/otp/email/send", { email: emailB });
    const verifyEmail = (email: string, otp: string) => post(tenant, "/authentication/v1.0/otp/email/verify", { email, otp });
    await expectError(await verifyEmail(emailB, await lastCode(emailA)), 400, "OTP_INVALID");
    expect((await verifyEmail(emailA, await lastCode(emailA))).status).toBe(200);
  });
});

describe("resend and send limits", () => {
  it("refuses a resend before resend_timer with 429 and Retry-After, then resends with the token", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const first = await sentLogin(tenant, mobile);
    expect(first.resend_timer).toBe(30);

    const early = await sendLogin(tenant, mobile, { action: "resend", token: first.resend_token });
    await expectError(early, 429, "TOO_MANY_REQUESTS");
    const retryAfter = Number(early.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);

    advanceClock(31_000);
    await expectError(await sendLogin(tenant, mobile, { action: "resend", token: "not-the-token" }), 400, "INVALID_RESEND_TOKEN");
    const resent = await sendLogin(tenant, mobile, { action: "resend", token: first.resend_token });
    expect(resent.status).toBe(200);
    const second = (await resent.json()) as MobileSent;
    expect(second.request_id).not.toBe(first.request_id);
    expect(second.resend_token).not.toBe(first.resend_token);
    const messages = await outbox(e164(mobile));
    expect(messages.length).toBe(2);
    // The new send supersedes the old OTP; the old resend token is spent.
    await expectError(await verify(tenant, first.request_id, first.code), 400, "OTP_EXPIRED");
    advanceClock(31_000);
    await expectError(await sendLogin(tenant, mobile, { action: "resend", token: first.resend_token }), 400, "INVALID_RESEND_TOKEN");
    expect((await verify(tenant, second.request_id, messages[0]!.code!)).status).toBe(200);
  });

  it("caps messages per destination per hour", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0, per_destination_per_hour: 2 } } });
    const mobile = randomMobile();
    expect((await sendLogin(tenant, mobile)).status).toBe(200);
    expect((await sendLogin(tenant, mobile)).status).toBe(200);
    const capped = await sendLogin(tenant, mobile);
    await expectError(capped, 429, "TOO_MANY_REQUESTS");
    expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(3500);
    // Email login counts separately: another destination.
    expect((await post(tenant, "/authentication/v1.0/otp/email/send", { email: randomEmail() })).status).toBe(200);
    advanceClock(61 * MINUTE);
    expect((await sendLogin(tenant, mobile)).status).toBe(200);
  });

  it("caps messages per client IP per hour", async () => {
    const tenant = await createTenant({ config: { otp: { per_ip_per_hour: 2 } } });
    const ip = { "cf-connecting-ip": "203.0.113.7" };
    expect((await sendLogin(tenant, randomMobile(), {}, ip)).status).toBe(200);
    expect((await sendLogin(tenant, randomMobile(), {}, ip)).status).toBe(200);
    const blockedMobile = randomMobile();
    await expectError(await sendLogin(tenant, blockedMobile, {}, ip), 429, "TOO_MANY_REQUESTS");
    expect(await outbox(e164(blockedMobile))).toEqual([]);
    expect((await sendLogin(tenant, randomMobile(), {}, { "cf-connecting-ip": "203.0.113.8" })).status).toBe(200);
  });
});
