import { describe, expect, it } from "vitest";
import type { Destination } from "../../src/services/codes/destinations";
import { e164, lastCode, lastLinkCode, post, randomEmail, randomMobile, type MobileSent } from "../support/otp";
import { GOOD_PASSWORD } from "../support/accounts";
import { sendLinkFor } from "../support/links";
import { createTenant, requestToken } from "../support/tenants";
import { createUser } from "../support/users";

const REPLAYS = 20;

/** Sends the same request `REPLAYS` times at once, then once more; answers the statuses of all of them. */
async function replay(send: () => Promise<Response>): Promise<{ concurrent: number[]; later: number }> {
  const concurrent = await Promise.all(Array.from({ length: REPLAYS }, () => send().then((r) => r.status)));
  return { concurrent, later: (await send()).status };
}

/** A single-use value: exactly one of many simultaneous uses works, and no use after it. */
function expectUsedOnce({ concurrent, later }: { concurrent: number[]; later: number }) {
  expect(concurrent.filter((s) => s === 200)).toHaveLength(1);
  for (const status of concurrent.filter((s) => s !== 200)) expect(status).toBeGreaterThanOrEqual(400);
  expect(later).toBeGreaterThanOrEqual(400);
  expect(later).toBeLessThan(500);
}

describe("replay of single-use codes", () => {
  it("a mobile login OTP logs in once, however often it is replayed", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const sent = (await (await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" })).json()) as MobileSent;
    const otp = await lastCode(e164(mobile));
    expectUsedOnce(await replay(() => post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: sent.request_id, otp })));
  });

  it("an email login OTP logs in once", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    await post(tenant, "/authentication/v1.0/otp/email/send", { email });
    const otp = await lastCode(email);
    expectUsedOnce(await replay(() => post(tenant, "/authentication/v1.0/otp/email/verify", { email, otp })));
  });

  it("a forgot-password OTP yields one forgot_token", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    await createUser(tenant, { mobile });
    const sent = (await (await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { mobile, country_code: "91" })).json()) as MobileSent;
    const otp = await lastCode(e164(mobile));
    expectUsedOnce(await replay(() => post(tenant, "/authentication/v1.0/otp/forgot/mobile/verify", { request_id: sent.request_id, otp })));
  });

  it("a forgot_token sets a password once (resetForgotPassword)", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    await createUser(tenant, { mobile });
    const sent = (await (await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { mobile, country_code: "91" })).json()) as MobileSent;
    const verified = await post(tenant, "/authentication/v1.0/otp/forgot/mobile/verify", { request_id: sent.request_id, otp: await lastCode(e164(mobile)) });
    const { forgot_token } = (await verified.json()) as { forgot_token: string };
    let n = 0;
    expectUsedOnce(await replay(() => post(tenant, "/authentication/v1.0/login/password/forgot", { code: forgot_token, password: `${GOOD_PASSWORD}-${n++}` })));
  });

  it("a reset link's code sets a password and logs in once (forgotPassword)", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    await createUser(tenant, { email });
    expect((await post(tenant, "/authentication/v1.0/login/password/reset", { email })).status).toBe(200);
    const code = await lastLinkCode(email);
    let n = 0;
    expectUsedOnce(await replay(() => post(tenant, "/authentication/v1.0/login/password/reset/forgot", { code, password: `${GOOD_PASSWORD}-${n++}` })));
  });

  for (const kind of ["email", "mobile"] as const) {
    it(`a ${kind} verification link code verifies once`, async () => {
      const tenant = await createTenant();
      const address = kind === "email" ? randomEmail() : randomMobile();
      const user = await createUser(tenant, kind === "email" ? { email: address, verified: false } : { mobile: address, verified: false });
      const destination: Destination = kind === "email" ? { channel: "email", address } : { channel: "sms", address: e164(address) };
      await sendLinkFor(tenant, user, destination);
      const code = await lastLinkCode(destination.address);
      expectUsedOnce(await replay(() => post(tenant, `/authentication/v1.0/verify/${kind}`, { code })));
    });
  }

  it("a platform refresh token is exchanged once", async () => {
    const tenant = await createTenant();
    const first = (await (await requestToken(tenant)).json()) as { refresh_token: string };
    expectUsedOnce(await replay(() => requestToken(tenant, { grant_type: "refresh_token", refresh_token: first.refresh_token })));
  });
});
