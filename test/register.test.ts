import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  countUsers,
  get,
  GOOD_PASSWORD,
  HAS_PASSWORD,
  login,
  register,
  REGISTER,
  SESSION,
  sessionCookie,
  storefront,
  uniqueEmail,
  userRow,
  USER_EXISTS,
  verifyRegistrationEmail,
  type VerificationStart,
} from "./support/accounts";
import { lastCode, post } from "./support/otp";
import { call, expectError } from "./support/http";
import { createTenant } from "./support/tenants";

/** Neither contact has to be verified before the first login. */
const SOFT = { register_required_fields: { email: { is_required: true, level: "soft" }, mobile: { is_required: false, level: "soft" } } };

type Me = { user: Record<string, unknown> & { _id: string; emails: unknown[]; phone_numbers: unknown[] } };

describe("registerWithForm", () => {
  it("creates a user with unverified contacts, answers RegisterFormSuccess and, when no contact must be proven first, logs in", async () => {
    const tenant = await createTenant({ config: SOFT });
    const email = uniqueEmail();
    const res = await register(tenant, {
      first_name: "Asha",
      last_name: "Rao",
      gender: "female",
      email: `  ${email.toUpperCase()} `,
      phone: { country_code: "+91", mobile: "98765 43210" },
      password: GOOD_PASSWORD,
      consent: true,
      register_token: "ignored",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      message: "Registered",
      email,
      mobile: "9876543210",
      country_code: "91",
      user_exists: false,
      verify_email_otp: false,
      verify_mobile_otp: false,
    });
    const cookie = sessionCookie(res);
    const me = (await (await get(tenant, SESSION, cookie)).json()) as Me;
    expect(me.user).toMatchObject({
      first_name: "Asha",
      last_name: "Rao",
      gender: "female",
      application_id: tenant.applicationId,
      emails: [{ email, active: true, primary: true, verified: false }],
      phone_numbers: [{ phone: "9876543210", country_code: 91, active: true, primary: true, verified: false }],
      consent: { privacy_policy: { value: true, updated_at: expect.any(String) } },
      has_password: true,
      active: true,
    });
    const row = await userRow(me.user._id);
    expect(String(row?.password_hash)).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(String(row?.password_hash)).not.toContain(GOOD_PASSWORD);
    const history = await env.DB.prepare("select hash from password_history where user_id = ?").bind(me.user._id).all();
    expect(history.results).toEqual([{ hash: row?.password_hash }]);
    const events = await env.DB.prepare("select type from events where user_id = ? order by created_at").bind(me.user._id).all();
    expect(events.results.map((e) => e.type)).toEqual(["user.registered", "user.logged_in"]);
    expect((await login(tenant, email, GOOD_PASSWORD)).status).toBe(200);
  });

  it("follows register_required_fields: mobile required, email optional", async () => {
    const tenant = await createTenant({
      config: { register_required_fields: { email: { is_required: false, level: "hard" }, mobile: { is_required: true, level: "hard" } } },
    });
    const body = await expectError(await register(tenant, { email: uniqueEmail(), password: GOOD_PASSWORD }), 400, "VALIDATION_FAILED");
    expect(body.message).toContain("phone");
    const res = await register(tenant, { phone: { country_code: "91", mobile: "9876543211" }, password: GOOD_PASSWORD });
    expect(res.status).toBe(200);
    const started = (await res.json()) as VerificationStart;
    expect(started).toMatchObject({ verify_mobile_otp: true, verify_email_otp: false, request_id: expect.any(String) });
    const verified = await post(tenant, "/authentication/v1.0/otp/mobile/verify", {
      request_id: started.request_id,
      otp: await lastCode("+919876543211"),
      register_token: started.register_token,
    });
    expect(verified.status).toBe(200);
    expect((await login(tenant, "+919876543211", GOOD_PASSWORD)).status).toBe(200);
    expect((await login(tenant, "9876543211", GOOD_PASSWORD)).status).toBe(200);
  });

  it("requires the email by default, and some contact always", async () => {
    const byDefault = await createTenant();
    const body = await expectError(await register(byDefault, { phone: { country_code: "91", mobile: "9876543212" }, password: GOOD_PASSWORD }), 400);
    expect(body.message).toContain("email");
    const neither = await createTenant({
      config: { register_required_fields: { email: { is_required: false, level: "hard" }, mobile: { is_required: false, level: "hard" } } },
    });
    await expectError(await register(neither, { first_name: "No", password: GOOD_PASSWORD }), 400, "VALIDATION_FAILED");
    expect(await countUsers(byDefault)).toBe(0);
    expect(await countUsers(neither)).toBe(0);
  });

  it("makes the password optional only when the application says so", async () => {
    const strict = await createTenant();
    const body = await expectError(await register(strict, { email: uniqueEmail() }), 400, "VALIDATION_FAILED");
    expect(body.message).toContain("password");
    const optional = await createTenant({ config: { register_required_fields: { password: { is_required: false } } } });
    const email = uniqueEmail();
    const res = await register(optional, { email });
    expect(res.status).toBe(200);
    const { register_token } = (await res.json()) as VerificationStart;
    const verified = await verifyRegistrationEmail(optional, email, register_token!);
    expect(await (await get(optional, HAS_PASSWORD, sessionCookie(verified))).json()).toEqual({ result: 0 });
  });

  it("is refused when the application turned registration off", async () => {
    const tenant = await createTenant({ config: { register: false } });
    await expectError(await register(tenant, { email: uniqueEmail(), password: GOOD_PASSWORD }), 403, "REGISTRATION_DISABLED");
    expect(await countUsers(tenant)).toBe(0);
  });

  it("refuses bad input with a 400 naming the field, writing nothing", async () => {
    const tenant = await createTenant();
    const cases: [unknown, string][] = [
      [{ email: "not-an-email", password: GOOD_PASSWORD }, "email"],
      [{ email: uniqueEmail(), phone: { country_code: "91", mobile: "12" }, password: GOOD_PASSWORD }, "phone.mobile"],
      [{ email: uniqueEmail(), phone: { country_code: "abc", mobile: "9876543210" }, password: GOOD_PASSWORD }, "phone"],
      [{ email: uniqueEmail(), password: 12345678 }, "password"],
      [{ email: uniqueEmail(), password: GOOD_PASSWORD, first_name: "x".repeat(101) }, "first_name"],
      [{ email: uniqueEmail(), password: GOOD_PASSWORD, consent: "yes" }, "consent"],
      [["not", "an", "object"], "(body)"],
    ];
    for (const [body, field] of cases) {
      const error = await expectError(await register(tenant, body as Record<string, unknown>), 400, "VALIDATION_FAILED");
      expect(error.message).toContain(field);
    }
    const malformed = await call(REGISTER, { method: "POST", headers: { ...storefront(tenant), "content-type": "application/json" }, body: "{" });
    await expectError(malformed, 400, "MALFORMED_JSON");
    expect(await countUsers(tenant)).toBe(0);
  });

  it("an email another account holds (any case) makes no account and answers like a new one; the owner is told", async () => {
    const tenant = await createTenant();
    const email = uniqueEmail();
    const first = await register(tenant, { email, password: GOOD_PASSWORD });
    expect(first.status).toBe(200);
    const again = await register(tenant, { email: email.toUpperCase(), password: GOOD_PASSWORD });
    expect(again.status).toBe(200);
    const [a, b] = [(await first.json()) as Record<string, unknown>, (await again.json()) as Record<string, unknown>];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(b).toMatchObject({ success: true, email, user_exists: false, verify_email_otp: true });
    expect(await countUsers(tenant)).toBe(1);
    // Another application is another world.
    expect((await register(await createTenant(), { email, password: GOOD_PASSWORD })).status).toBe(200);
  });

  it("creates exactly one user from 8 concurrent registrations with one email (the rest: the same answer)", async () => {
    // 8: attempts and the OTP sent share the contact's hourly budget (10), see test/abuse/registration-enumeration.test.ts.
    const tenant = await createTenant();
    const email = uniqueEmail();
    const responses = await Promise.all(Array.from({ length: 8 }, () => register(tenant, { email, password: GOOD_PASSWORD })));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await countUsers(tenant)).toBe(1);
    const emails = await env.DB.prepare("select count(*) as n from user_emails where application_id = ?").bind(tenant.applicationId).first<{ n: number }>();
    expect(emails?.n).toBe(1);
  });
});

describe("userExists", () => {
  const exists = (tenant: Awaited<ReturnType<typeof createTenant>>, q: string) =>
    call(`${USER_EXISTS}?q=${encodeURIComponent(q)}`, { headers: storefront(tenant) });

  it("answers for an email or phone of this application only", async () => {
    const tenant = await createTenant();
    const email = uniqueEmail();
    await register(tenant, { email, phone: { country_code: "91", mobile: "9876543213" }, password: GOOD_PASSWORD });
    expect(await (await exists(tenant, email.toUpperCase())).json()).toEqual({ user_exists: true });
    expect(await (await exists(tenant, "+919876543213")).json()).toEqual({ user_exists: true });
    expect(await (await exists(tenant, uniqueEmail())).json()).toEqual({ user_exists: false });
    expect(await (await exists(await createTenant(), email)).json()).toEqual({ user_exists: false });
  });

  it("refuses a missing or meaningless q", async () => {
    const tenant = await createTenant();
    await expectError(await call(USER_EXISTS, { headers: storefront(tenant) }), 400, "VALIDATION_FAILED");
    const body = await expectError(await exists(tenant, "neither"), 400, "VALIDATION_FAILED");
    expect(body.message).toContain("q");
  });

  it("can be switched off by the application", async () => {
    const tenant = await createTenant({ config: { user_exists_lookup: false } });
    await expectError(await exists(tenant, uniqueEmail()), 403, "USER_EXISTS_DISABLED");
  });
});
