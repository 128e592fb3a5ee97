import { afterEach, describe, expect, it, vi } from "vitest";
import { storefront } from "../support/accounts";
import { expectError, json } from "../support/http";
import { APP, callWithEnv, PROVIDER_ENV, randomEmail, randomMobile, type MobileSent } from "../support/otp";
import { member } from "../support/profile";
import { createTenant, type Tenant } from "../support/tenants";
import { createUser } from "../support/users";

afterEach(() => vi.restoreAllMocks());

const accepted = () => Response.json({ id: "msg_1", sid: "SM1" });
const refused = () => new Response("internal error", { status: 500 });

/** Every outbound provider call is answered by `answer` and recorded. */
const provider = (answer: () => Response) => vi.spyOn(globalThis, "fetch").mockImplementation(async () => answer());

/** The OTP or link code of the message a provider was asked to deliver (Resend JSON or Twilio form). */
function secretIn(init: RequestInit | undefined): string {
  const body = String(init?.body ?? "");
  const text = body.startsWith("{") ? (JSON.parse(body) as { text: string }).text : (new URLSearchParams(body).get("Body") ?? "");
  const secret = /code=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? /\b(\d{6})\b/.exec(text)?.[1];
  if (!secret) throw new Error(`no code in the message: ${text}`);
  return secret;
}

const IP = "203.0.113.7";

function postAs(tenant: Tenant, path: string, body: unknown, headers: Record<string, string> = {}) {
  return callWithEnv(PROVIDER_ENV, `${APP}${path}`, json(body, { method: "POST", headers: { ...storefront(tenant), "cf-connecting-ip": IP, ...headers } }));
}

interface Target {
  tenant: Tenant;
  /** The email or the national mobile number. */
  address: string;
  /** A session of the account, for the profile routes. */
  cookie?: string;
}

interface SendRoute {
  name: string;
  channel: "email" | "sms";
  /** An account holding the address: "user" (forgot/reset flows send nothing otherwise), "member" (logged in, address unverified). */
  account?: "user" | "member";
  send(target: Target): Promise<Response>;
  /** Uses the secret of a delivered send (`sent` is its answer); 200 when it works. Absent where using it would stop further sends. */
  use?(target: Target, sent: unknown, secret: string): Promise<Response>;
}

const mobileOf = (address: string) => ({ mobile: address, country_code: "91" });
const contactOf = (channel: SendRoute["channel"], address: string) => (channel === "email" ? { email: address } : mobileOf(address));

/**
 * An OTP route and its verify route. Email OTPs verify by address, which finds the OTP through the
 * latest pointer (a failed send must not move it); mobile ones by the send's request_id.
 */
function otpRoute(name: string, channel: SendRoute["channel"], sendPath: string, verifyPath: string, account?: "user"): SendRoute {
  return {
    name,
    channel,
    ...(account ? { account } : {}),
    send: (t) => postAs(t.tenant, sendPath, contactOf(channel, t.address)),
    use: (t, sent, otp) =>
      postAs(t.tenant, verifyPath, channel === "email" ? { email: t.address, otp } : { request_id: (sent as MobileSent).request_id, otp }),
  };
}

/** A reset-link route; the link's code is checked (sendResetToken), not used up. */
function resetLinkRoute(name: string, channel: SendRoute["channel"], sendPath: string): SendRoute {
  return {
    name,
    channel,
    account: "user",
    send: (t) => postAs(t.tenant, sendPath, contactOf(channel, t.address)),
    use: (t, _sent, code) => postAs(t.tenant, "/authentication/v1.0/login/password/reset/token", { code }),
  };
}

/** Every kind of send: OTPs (login, verification, forgot password) and links (reset, contact verification). */
const ROUTES: SendRoute[] = [
  otpRoute("sendOTPOnEmail", "email", "/authentication/v1.0/otp/email/send", "/authentication/v1.0/otp/email/verify"),
  otpRoute("sendOTPOnMobile", "sms", "/authentication/v1.0/otp/mobile/send", "/authentication/v1.0/otp/mobile/verify"),
  otpRoute("loginWithOTP", "sms", "/authentication/v1.0/login/otp", "/authentication/v1.0/otp/mobile/verify"),
  otpRoute("sendForgotOTPOnEmail", "email", "/authentication/v1.0/otp/forgot/email/send", "/authentication/v1.0/otp/forgot/email/verify", "user"),
  otpRoute("sendForgotOTPOnMobile", "sms", "/authentication/v1.0/otp/forgot/mobile/send", "/authentication/v1.0/otp/forgot/mobile/verify", "user"),
  resetLinkRoute("sendResetPasswordEmail", "email", "/authentication/v1.0/login/password/reset"),
  resetLinkRoute("sendResetPasswordMobile", "sms", "/authentication/v1.0/login/password/mobile/reset"),
  {
    name: "sendVerificationLinkToEmail",
    channel: "email",
    account: "member",
    send: (t) => postAs(t.tenant, "/profile/v1.0/email/link/send", { email: t.address }, { cookie: t.cookie! }),
  },
  {
    name: "sendVerificationLinkToMobile",
    channel: "sms",
    account: "member",
    send: (t) => postAs(t.tenant, "/profile/v1.0/mobile/link/send", { phone: t.address, country_code: "91" }, { cookie: t.cookie! }),
  },
];

async function target(route: SendRoute, otp: Record<string, number>): Promise<Target> {
  const tenant = await createTenant({ config: { otp } });
  const address = route.channel === "email" ? randomEmail() : randomMobile();
  if (route.account === "user") await createUser(tenant, route.channel === "email" ? { email: address } : { mobile: address });
  if (route.account === "member") {
    const m = await member(tenant, { ...(route.channel === "email" ? { email: address, mobile: false } : { mobile: address, email: false }), verified: false });
    return { tenant, address, cookie: m.cookie };
  }
  return { tenant, address };
}

/** Sends once with the provider up; returns the answer and the secret delivered. */
async function deliver(route: SendRoute, t: Target): Promise<{ sent: unknown; secret: string }> {
  const up = provider(accepted);
  const res = await route.send(t);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(up).toHaveBeenCalledTimes(1);
  const secret = secretIn(up.mock.calls[0]?.[1]);
  up.mockRestore();
  return { sent: await res.json(), secret };
}

/** Sends `times` times with the provider failing: each one reaches it and answers 502. */
async function failTimes(route: SendRoute, t: Target, times: number) {
  const down = provider(refused);
  for (let i = 0; i < times; i++) await expectError(await route.send(t), 502, "UPSTREAM_FAILED");
  expect(down).toHaveBeenCalledTimes(times);
  down.mockRestore();
}

/**
 * A message the provider did not take is a send that did not happen, for the destination: it starts
 * no resend cooldown, counts against no hourly cap of the address, and the code delivered before it
 * keeps working (the failed one never does).
 */
describe("a failed delivery leaves the destination as it was", () => {
  for (const route of ROUTES) {
    it(`${route.name}: no cooldown after a failure, so the immediate retry is delivered; the delivery then starts it`, async () => {
      const t = await target(route, { resend_timer: 30 });
      await failTimes(route, t, 3);
      const { sent, secret } = await deliver(route, t);
      const quiet = provider(accepted);
      await expectError(await route.send(t), 429, "TOO_MANY_REQUESTS");
      expect(quiet).not.toHaveBeenCalled();
      quiet.mockRestore();
      if (route.use) expect((await route.use(t, sent, secret)).status).toBe(200);
    });

    it(`${route.name}: failures count against no cap of the address, and the code delivered before them still works`, async () => {
      const t = await target(route, { resend_timer: 0, per_destination_per_hour: 2 });
      const first = await deliver(route, t);
      // Counted, the second failure would already be over the cap of 2.
      await failTimes(route, t, 2);
      if (route.use) expect((await route.use(t, first.sent, first.secret)).status).toBe(200);
      await deliver(route, t);
      const quiet = provider(accepted);
      await expectError(await route.send(t), 429, "TOO_MANY_REQUESTS");
      expect(quiet).not.toHaveBeenCalled();
    });
  }

  const mobileOtp = ROUTES.find((r) => r.name === "sendOTPOnMobile")!;

  it("the code that failed to go out never works, while the one delivered before it does", async () => {
    const t = await target(mobileOtp, { resend_timer: 0 });
    const first = await deliver(mobileOtp, t);
    const down = provider(refused);
    await expectError(await mobileOtp.send(t), 502, "UPSTREAM_FAILED");
    const failedCode = secretIn(down.mock.calls[0]?.[1]);
    down.mockRestore();
    if (failedCode !== first.secret) {
      // The failed send's request_id is not returned; its code does not verify the delivered request either.
      await expectError(await mobileOtp.use!(t, first.sent, failedCode), 400, "OTP_INVALID");
    }
    expect((await mobileOtp.use!(t, first.sent, first.secret)).status).toBe(200);
  });

  it("the resend token of the delivered OTP still resends after a failed resend", async () => {
    const t = await target(mobileOtp, { resend_timer: 0 });
    const first = await deliver(mobileOtp, t);
    const resend = () => postAs(t.tenant, "/authentication/v1.0/otp/mobile/send", { ...mobileOf(t.address), action: "resend", token: (first.sent as MobileSent).resend_token });
    const down = provider(refused);
    await expectError(await resend(), 502, "UPSTREAM_FAILED");
    down.mockRestore();
    const up = provider(accepted);
    const again = await resend();
    expect(again.status, await again.clone().text()).toBe(200);
    expect((await mobileOtp.use!(t, await again.json(), secretIn(up.mock.calls[0]?.[1]))).status).toBe(200);
  });
});

/**
 * Failed deliveries stay throttled: each one counts against the client IP's hourly cap, so a client
 * cannot hammer the provider (or a number it refuses) any faster than it could send real messages.
 */
describe("a stream of failing sends is bounded", () => {
  it("failures count against the per-IP cap: past it no request reaches the provider, for any address", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0, per_ip_per_hour: 3, per_destination_per_hour: 1 } } });
    const email = randomEmail();
    const send = (address: string, ip = IP) => postAs(tenant, "/authentication/v1.0/otp/email/send", { email: address }, { "cf-connecting-ip": ip });
    const down = provider(refused);
    for (let i = 0; i < 3; i++) await expectError(await send(email), 502, "UPSTREAM_FAILED");
    await expectError(await send(email), 429, "TOO_MANY_REQUESTS");
    await expectError(await send(randomEmail()), 429, "TOO_MANY_REQUESTS");
    expect(down).toHaveBeenCalledTimes(3);
    down.mockRestore();
    // The address itself was not charged (its cap is 1): another network still gets a code to it.
    const up = provider(accepted);
    expect((await send(email, "198.51.100.9")).status).toBe(200);
    expect(up).toHaveBeenCalledTimes(1);
  });
});

/**
 * Deliveries in flight hold their place: concurrent sends are decided exactly against the cap and the
 * cooldown while the provider has not answered, and the places of those that fail are given back.
 */
describe("concurrent sends while deliveries are in flight", () => {
  const N = 20;

  /** N concurrent email sends; the provider holds every call until all N requests are answered or waiting on it, then refuses them. */
  async function concurrentFailingSends(tenant: Tenant, email: string) {
    let waiting = 0;
    let answered = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const settle = () => {
      if (answered + waiting === N) open();
    };
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      waiting++;
      settle();
      await gate;
      return refused();
    });
    const statuses = await Promise.all(
      Array.from({ length: N }, async () => {
        const res = await postAs(tenant, "/authentication/v1.0/otp/email/send", { email });
        if (res.status !== 502) {
          answered++;
          settle();
        }
        return res.status;
      }),
    );
    vi.restoreAllMocks();
    return { statuses: statuses.sort((a, b) => a - b), atProvider: waiting };
  }

  it("the hourly cap: exactly `per_destination_per_hour` reach the provider; after they fail the whole budget is there", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0, per_destination_per_hour: 3 } } });
    const email = randomEmail();
    const { statuses, atProvider } = await concurrentFailingSends(tenant, email);
    expect(atProvider).toBe(3);
    expect(statuses).toEqual([...Array<number>(N - 3).fill(429), 502, 502, 502]);
    const up = provider(accepted);
    for (let i = 0; i < 3; i++) expect((await postAs(tenant, "/authentication/v1.0/otp/email/send", { email })).status).toBe(200);
    await expectError(await postAs(tenant, "/authentication/v1.0/otp/email/send", { email }), 429, "TOO_MANY_REQUESTS");
    expect(up).toHaveBeenCalledTimes(3);
  });

  it("the cooldown: exactly one reaches the provider; after it fails a retry goes out at once", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 30 } } });
    const email = randomEmail();
    const { statuses, atProvider } = await concurrentFailingSends(tenant, email);
    expect(atProvider).toBe(1);
    expect(statuses).toEqual([...Array<number>(N - 1).fill(429), 502]);
    const up = provider(accepted);
    expect((await postAs(tenant, "/authentication/v1.0/otp/email/send", { email })).status).toBe(200);
    expect(up).toHaveBeenCalledTimes(1);
  });
});
