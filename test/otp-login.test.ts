import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EventsRepo } from "../src/db/events-repo";
import { database } from "../src/db/client";
import { expectError } from "./support/http";
import { e164, lastCode, outbox, post, randomEmail, randomMobile, type MobileSent } from "./support/otp";
import { createTenant } from "./support/tenants";
import { createUser, otpKeys, usersRepo } from "./support/users";

interface VerifyBody {
  user: { _id: string; phone_numbers: { phone: string; country_code: number; verified: boolean; primary: boolean }[]; emails: { email: string; verified: boolean }[] };
  user_exists: boolean;
}

const sessionCookie = (res: Response) => /f\.session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];

describe("login by mobile OTP", () => {
  it("sends an OTP, then verifying it creates the user with the phone verified and logs in", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0 } } });
    const mobile = randomMobile();
    const sent = await post(tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91" });
    expect(sent.status).toBe(200);
    const body = (await sent.json()) as MobileSent & Record<string, unknown>;
    expect(body).toEqual({
      success: true,
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      message: "OTP sent",
      mobile,
      country_code: "91",
      resend_timer: 0,
      resend_token: expect.any(String),
      user_exists: false,
      verify_mobile_otp: true,
      verify_email_otp: false,
    });
    const [message] = await outbox(e164(mobile));
    expect(message).toMatchObject({ channel: "sms", to: e164(mobile), purpose: "login", application_id: tenant.applicationId });
    expect(message!.code).toMatch(/^\d{6}$/);
    expect(message!.text).toContain(message!.code);

    const res = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: body.request_id, otp: message!.code });
    expect(res.status).toBe(200);
    const verified = (await res.json()) as VerifyBody;
    expect(verified.user_exists).toBe(false);
    expect(verified.user.phone_numbers).toEqual([{ phone: mobile, country_code: 91, active: true, primary: true, verified: true }]);
    expect(sessionCookie(res)).toMatch(new RegExp(`^${verified.user._id}\\.`));
    const events = await new EventsRepo(database(env.DB)).forUser(tenant.applicationId, verified.user._id);
    expect(events.map((e) => e.type)).toEqual(["user.registered", "user.logged_in"]);

    // The next login finds the same account.
    const again = (await (await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile: `+91${mobile}` })).json()) as MobileSent;
    const second = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: again.request_id, otp: await lastCode(e164(mobile)) });
    const secondBody = (await second.json()) as VerifyBody;
    expect(secondBody.user_exists).toBe(true);
    expect(secondBody.user._id).toBe(verified.user._id);
  });

  it("logs into the existing account and marks its unverified phone verified", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const existing = await createUser(tenant, { mobile, verified: false });
    const sent = (await (await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "+91" })).json()) as MobileSent;
    const res = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: sent.request_id, otp: await lastCode(e164(mobile)) });
    const body = (await res.json()) as VerifyBody;
    expect(body.user._id).toBe(existing.user.id);
    expect(body.user.phone_numbers[0]!.verified).toBe(true);
    expect(sessionCookie(res)).toBeDefined();
  });

  it("refuses blocked accounts after the OTP, without a session", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    await createUser(tenant, { mobile, blocked: true });
    const sent = (await (await post(tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91" })).json()) as MobileSent;
    const res = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: sent.request_id, otp: await lastCode(e164(mobile)) });
    await expectError(res, 403, "ACCOUNT_UNAVAILABLE");
    expect(sessionCookie(res)).toBeUndefined();
  });

  it("is refused when the application turns OTP login off", async () => {
    const tenant = await createTenant({ config: { login: { password: true, otp: false } } });
    const mobile = randomMobile();
    const email = randomEmail();
    await expectError(await post(tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91" }), 403, "OTP_LOGIN_DISABLED");
    await expectError(await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" }), 403, "OTP_LOGIN_DISABLED");
    await expectError(await post(tenant, "/authentication/v1.0/otp/email/send", { email }), 403, "OTP_LOGIN_DISABLED");
    await expectError(
      await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: "0".repeat(32), otp: "123456" }),
      403,
      "OTP_LOGIN_DISABLED",
    );
    expect(await outbox(e164(mobile))).toEqual([]);
    expect(await outbox(email)).toEqual([]);
  });

  it("answers the same for unknown numbers when sign-up is closed, but sends nothing to them", async () => {
    const tenant = await createTenant({ config: { register: false } });
    const known = randomMobile();
    const unknown = randomMobile();
    await createUser(tenant, { mobile: known });
    const knownRes = await post(tenant, "/authentication/v1.0/login/otp", { mobile: known, country_code: "91" });
    const unknownRes = await post(tenant, "/authentication/v1.0/login/otp", { mobile: unknown, country_code: "91" });
    expect(unknownRes.status).toBe(knownRes.status);
    const knownBody = (await knownRes.json()) as Record<string, unknown>;
    const unknownBody = (await unknownRes.json()) as MobileSent;
    expect(Object.keys(unknownBody).sort()).toEqual(Object.keys(knownBody).sort());
    expect((await outbox(e164(known))).length).toBe(1);
    expect(await outbox(e164(unknown))).toEqual([]);
    // Nobody has the decoy's code: a guess fails exactly like a wrong code.
    const guess = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id: unknownBody.request_id, otp: "000000" });
    await expectError(guess, 400, "OTP_INVALID");
  });

  it("rejects bad input with the field named and stores nothing", async () => {
    const tenant = await createTenant();
    const cases: [string, unknown, string][] = [
      ["/authentication/v1.0/login/otp", { mobile: "12345", country_code: "91" }, "mobile"],
      ["/authentication/v1.0/login/otp", { mobile: "9876543210" }, "mobile"],
      ["/authentication/v1.0/login/otp", { mobile: "9876543210", country_code: "abc" }, "country_code"],
      ["/authentication/v1.0/otp/mobile/send", { mobile: "9876543210", country_code: "91", action: "resend" }, "token"],
      ["/authentication/v1.0/otp/mobile/send", { mobile: "9876543210", country_code: "91", action: "again" }, "action"],
      ["/authentication/v1.0/otp/email/send", { email: "not-an-email" }, "email"],
      ["/authentication/v1.0/otp/mobile/verify", { request_id: "abc", otp: "123456" }, "request_id"],
      ["/authentication/v1.0/otp/mobile/verify", { request_id: "0".repeat(32), otp: "12ab56" }, "otp"],
      ["/authentication/v1.0/otp/email/verify", { email: "a@example.com" }, "otp"],
    ];
    for (const [path, body, field] of cases) {
      const error = (await expectError(await post(tenant, path, body), 400, "VALIDATION_FAILED")) as { info: { fields: { field: string }[] } };
      expect(error.info.fields.map((f) => f.field), `${path} ${JSON.stringify(body)}`).toContain(field);
    }
    expect(await otpKeys(tenant)).toEqual([]);
  });
});

describe("login by email OTP", () => {
  it("sends to the lower-cased address and logs in with the code", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    const sent = await post(tenant, "/authentication/v1.0/otp/email/send", { email: email.toUpperCase() });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ success: true, resend_email_token: expect.any(String), resend_timer: 30, request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const code = await lastCode(email);
    const res = await post(tenant, "/authentication/v1.0/otp/email/verify", { email: ` ${email.toUpperCase()} `, otp: code });
    expect(res.status).toBe(200);
    const body = (await res.json()) as VerifyBody;
    expect(body.user.emails).toEqual([{ email, active: true, primary: true, verified: true }]);
    expect(sessionCookie(res)).toBeDefined();
    const stored = await usersRepo().findByEmail(tenant.applicationId, email);
    expect(stored?.user.id).toBe(body.user._id);
  });
});
