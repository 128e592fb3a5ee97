import { afterEach, describe, expect, it, vi } from "vitest";
import { json } from "../support/http";
import { APP, callWithEnv, PROVIDER_ENV, randomEmail } from "../support/otp";
import { createTenant, type Tenant } from "../support/tenants";
import { createUser } from "../support/users";

/*
 * Issue 14: the decoys for addresses with no account (forgot-password OTP, reset link, OTP login with
 * sign-up closed, a registration with a taken contact) answer like a real send, and must not answer sooner either: a real send waits for the
 * provider, so a decoy waits about as long as this isolate's recent real deliveries took. The provider
 * here takes PROVIDER_MS to accept a message; a decoy answering in less than most of that would tell
 * an unknown address from a known one. (A lower bound only: a loaded machine can only make it longer.)
 */

const PROVIDER_MS = 700;

afterEach(() => vi.restoreAllMocks());

/** A slow email provider that accepts every message; returns the spy to count what was really sent. */
function slowProvider() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
    await new Promise((resolve) => setTimeout(resolve, PROVIDER_MS));
    return Response.json({ id: "email-id" }, { status: 200 });
  });
}

async function timedPost(tenant: Tenant, path: string, body: unknown): Promise<{ status: number; ms: number; body: unknown }> {
  const started = Date.now();
  const res = await callWithEnv(PROVIDER_ENV, `${APP}${path}`, json(body, { method: "POST", headers: { authorization: tenant.appAuth } }));
  const answered = await res.json();
  return { status: res.status, ms: Date.now() - started, body: answered };
}

const DECOYS = [
  { name: "forgot-password OTP", path: "/authentication/v1.0/otp/forgot/email/send" },
  { name: "reset-password link", path: "/authentication/v1.0/login/password/reset" },
  { name: "OTP login with sign-up closed", path: "/authentication/v1.0/otp/email/send" },
] as const;

describe("a decoy send takes as long as a real one, provider call included", () => {
  for (const decoy of DECOYS) {
    it(`${decoy.name}: the unknown address waits like the known one, and nothing is sent to it`, async () => {
      const tenant = await createTenant({ config: { register: false, login: { password: true, otp: true }, forgot_password: true } });
      const known = randomEmail();
      await createUser(tenant, { email: known });
      const provider = slowProvider();

      const real = await timedPost(tenant, decoy.path, { email: known });
      expect(real.status).toBe(200);
      expect(provider).toHaveBeenCalledTimes(1);
      expect(real.ms).toBeGreaterThanOrEqual(PROVIDER_MS);

      const unknown = await timedPost(tenant, decoy.path, { email: randomEmail() });
      expect(unknown.status).toBe(200);
      expect(Object.keys(unknown.body as object).sort()).toEqual(Object.keys(real.body as object).sort());
      expect(provider).toHaveBeenCalledTimes(1);
      expect(unknown.ms).toBeGreaterThanOrEqual(PROVIDER_MS * 0.8);
    });
  }

  it("registerWithForm with a taken email (security notices off): answers after as long as a new account's code takes", async () => {
    const tenant = await createTenant({ config: { security_notifications: { enable: false } } });
    const taken = randomEmail();
    await createUser(tenant, { email: taken });
    const provider = slowProvider();
    const form = (email: string) => ({ first_name: "Timing", email, password: "Violet-Anchor-Teacup-93", consent: true });

    const real = await timedPost(tenant, "/authentication/v1.0/register/form", form(randomEmail()));
    expect(real.status).toBe(200);
    expect(provider).toHaveBeenCalledTimes(1);

    const squatted = await timedPost(tenant, "/authentication/v1.0/register/form", form(taken));
    expect(squatted.status).toBe(200);
    expect(Object.keys(squatted.body as object).sort()).toEqual(Object.keys(real.body as object).sort());
    expect(provider).toHaveBeenCalledTimes(1);
    expect(squatted.ms).toBeGreaterThanOrEqual(PROVIDER_MS * 0.8);
  });
});
