import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { issuedToken } from "../support/sessions";
import { e164, lastCode, post, randomEmail, randomMobile, wrongCode, type MobileSent } from "../support/otp";
import { createTenant, type Tenant } from "../support/tenants";
import { createUser } from "../support/users";

const GUESSES = 100;
const MAX_ATTEMPTS = 5;

interface Target {
  name: string;
  /** Login OTPs start a session on success; forgot OTPs answer a forgot_token instead. */
  logsIn: boolean;
  /** Sends an OTP; returns the code that was sent and how to submit a guess. */
  start(tenant: Tenant): Promise<{ code: string; guess: (otp: string) => Promise<Response> }>;
}

async function mobileSend(tenant: Tenant, path: string, mobile: string) {
  const res = await post(tenant, path, { mobile, country_code: "91" });
  expect(res.status).toBe(200);
  return { requestId: ((await res.json()) as MobileSent).request_id, code: await lastCode(e164(mobile)) };
}

async function emailSend(tenant: Tenant, path: string, email: string) {
  expect((await post(tenant, path, { email })).status).toBe(200);
  return await lastCode(email);
}

const targets: Target[] = [
  {
    name: "mobile login OTP",
    logsIn: true,
    async start(tenant) {
      const { requestId, code } = await mobileSend(tenant, "/authentication/v1.0/otp/mobile/send", randomMobile());
      return { code, guess: (otp) => post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: requestId, otp }) };
    },
  },
  {
    name: "email login OTP",
    logsIn: true,
    async start(tenant) {
      const email = randomEmail();
      const code = await emailSend(tenant, "/authentication/v1.0/otp/email/send", email);
      return { code, guess: (otp) => post(tenant, "/authentication/v1.0/otp/email/verify", { email, otp }) };
    },
  },
  {
    name: "forgot-password mobile OTP",
    logsIn: false,
    async start(tenant) {
      const mobile = randomMobile();
      await createUser(tenant, { mobile });
      const { requestId, code } = await mobileSend(tenant, "/authentication/v1.0/otp/forgot/mobile/send", mobile);
      return { code, guess: (otp) => post(tenant, "/authentication/v1.0/otp/forgot/mobile/verify", { request_id: requestId, otp }) };
    },
  },
  {
    name: "forgot-password email OTP",
    logsIn: false,
    async start(tenant) {
      const email = randomEmail();
      await createUser(tenant, { email });
      const code = await emailSend(tenant, "/authentication/v1.0/otp/forgot/email/send", email);
      return { code, guess: (otp) => post(tenant, "/authentication/v1.0/otp/forgot/email/verify", { email, otp }) };
    },
  },
];

/**
 * 100 concurrent guesses, the right code hidden among them at a random place: the OTP evaluates at most
 * `max_attempts` of them, so the right one only wins when it is among those; at most one guess ever
 * succeeds (one session, one forgot_token), and once the attempts are spent even the right code fails.
 */
describe("OTP brute force under 100 concurrent guesses", () => {
  for (const target of targets) {
    it(`${target.name}: at most ${MAX_ATTEMPTS} guesses are evaluated and at most one succeeds`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: GUESSES - 1 }), async (rightAt) => {
          const tenant = await createTenant();
          const { code, guess } = await target.start(tenant);
          const responses = await Promise.all(Array.from({ length: GUESSES }, (_, i) => guess(i === rightAt ? code : wrongCode(code))));
          const bodies = await Promise.all(
            responses.map(async (r) => {
              const body = (await r.json()) as { code?: string; forgot_token?: string };
              return { status: r.status, code: body.code, granted: target.logsIn ? issuedToken(r) : body.forgot_token };
            }),
          );

          const successes = bodies.filter((b) => b.status === 200);
          const evaluated = bodies.filter((b) => b.status === 200 || b.code === "OTP_INVALID");
          expect(successes.length).toBeLessThanOrEqual(1);
          expect(evaluated.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
          // Exactly one session or forgot_token per success, none for the rest.
          expect(bodies.filter((b) => b.granted).length).toBe(successes.length);
          for (const b of bodies) expect([200, 400, 429]).toContain(b.status);
          if (!successes.length) {
            expect(bodies.filter((b) => b.code === "OTP_ATTEMPTS_EXCEEDED").length).toBe(GUESSES - MAX_ATTEMPTS);
            expect((await guess(code)).status).not.toBe(200);
          }
        }),
        { numRuns: 2 },
      );
    });
  }
});
