import { describe, expect, it } from "vitest";
import { GOOD_PASSWORD, register, sessionCookie, userRow } from "./support/accounts";
import { adminFor } from "./support/customers";
import { expectError, json } from "./support/http";
import { e164, lastCode, lastMessage, outbox, post, randomEmail, randomMobile, wrongCode } from "./support/otp";
import { contactRows, member, storefrontCall, type Member } from "./support/profile";
import { createTenant, type Tenant } from "./support/tenants";

/*
 * The request bodies Fynd's storefront theme (gofynd/Turbo, theme/helper/hooks/useAccounts.jsx and the
 * pages that call it) sends through the official SDK's calls, empty strings included, and the answer
 * fields those pages branch on.
 */

const SEND_MOBILE = "/authentication/v1.0/otp/mobile/send";
const VERIFY_MOBILE = "/authentication/v1.0/otp/mobile/verify";
const SEND_EMAIL = "/authentication/v1.0/otp/email/send";
const VERIFY_EMAIL = "/authentication/v1.0/otp/email/verify";
const DELETE = "/authentication/v1.0/delete";

/** Resends without waiting; both contacts proven at registration (the theme's verify-both page). */
const THEME_CONFIG = {
  otp: { resend_timer: 0 },
  register_required_fields: { email: { is_required: false, level: "hard" }, mobile: { is_required: false, level: "hard" } },
};

const themeTenant = () => createTenant({ config: THEME_CONFIG });

/** A storefront call with an optional session cookie. */
const send = (tenant: Tenant, cookie: string | undefined, path: string, body: unknown) => storefrontCall(tenant, cookie, "POST", path, body);

/** SendOtpSuccess for a send to this (Indian) number, with `extra` fields. */
const mobileSent = (mobile: string, extra: Record<string, unknown> = {}) => ({
  success: true,
  request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
  message: "OTP sent",
  mobile,
  country_code: "91",
  resend_timer: 0,
  resend_token: expect.any(String),
  ...extra,
});

const deleteOn = async (userId: string) => (await userRow(userId))!.delete_on as string | null;

describe("registerWithForm as the theme sends it, then resend and verify on both contacts", () => {
  it("answers every field the verify-both page uses; resends go through without register_token on mobile; both verify", async () => {
    const tenant = await themeTenant();
    const email = randomEmail();
    const mobile = randomMobile();
    // useRegister: registerToken "", useAccounts.signUp adds email and phone when present.
    const res = await register(tenant, {
      gender: "male",
      first_name: "Asha",
      last_name: "Rao",
      password: GOOD_PASSWORD,
      consent: true,
      register_token: "",
      email,
      phone: { country_code: "91", mobile },
    });
    expect(res.status).toBe(200);
    const started = (await res.json()) as Record<string, unknown>;
    expect(started).toEqual({
      success: true,
      message: expect.any(String),
      email,
      mobile,
      country_code: "91",
      user_exists: false,
      verify_email_otp: true,
      verify_mobile_otp: true,
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      resend_timer: 0,
      resend_token: expect.any(String),
      resend_email_token: expect.any(String),
      register_token: expect.any(String),
    });
    expect(res.headers.get("set-cookie")).toBeNull();

    // useVerifyDetails.handleResendMobileOtp: no register_token.
    const resentMobile = await post(tenant, SEND_MOBILE, { mobile, country_code: "91", token: started.resend_token, action: "resend" });
    expect(resentMobile.status).toBe(200);
    const mobileAgain = (await resentMobile.json()) as { request_id: string; resend_token: string };
    expect(mobileAgain).toEqual(mobileSent(mobile));
    expect(mobileAgain.request_id).not.toBe(started.request_id);
    expect((await lastMessage(e164(mobile))).purpose).toBe("register");
    // handleResendEmailOtp: register_token and the email resend token.
    const resentEmail = await post(tenant, SEND_EMAIL, { email, register_token: started.register_token, token: started.resend_email_token, action: "resend" });
    expect(resentEmail.status).toBe(200);
    expect(await resentEmail.json()).toEqual({ success: true, resend_email_token: expect.any(String), resend_timer: 0, request_id: expect.any(String) });

    // handleVerifyMobile: otp, register_token, request_id (of the resend).
    const smsCode = await lastCode(e164(mobile));
    const verifiedMobile = await post(tenant, VERIFY_MOBILE, { otp: smsCode, register_token: started.register_token, request_id: mobileAgain.request_id });
    expect(verifiedMobile.status).toBe(200);
    expect(await verifiedMobile.json()).toMatchObject({ user_exists: false, user: { phone_numbers: [{ phone: mobile, verified: true, primary: true }] } });
    expect(sessionCookie(verifiedMobile)).toMatch(/^f\.session=/);
    // handleVerifyEmail: action "register".
    const verifiedEmail = await post(tenant, VERIFY_EMAIL, { register_token: started.register_token, otp: await lastCode(email), email, action: "register" });
    expect(verifiedEmail.status).toBe(200);
    expect(await verifiedEmail.json()).toMatchObject({ user_exists: true, user: { emails: [{ email, verified: true, primary: true }] } });
  });

  it("a resend token works only for its own destination's send: another registration's token, a login token or a made-up one are refused", async () => {
    const tenant = await themeTenant();
    const mine = randomMobile();
    const theirs = randomMobile();
    const a = (await (await register(tenant, { password: GOOD_PASSWORD, phone: { country_code: "91", mobile: mine } })).json()) as { resend_token: string };
    const b = (await (await register(tenant, { password: GOOD_PASSWORD, phone: { country_code: "91", mobile: theirs } })).json()) as { resend_token: string };
    const before = await outbox(e164(mine));
    await expectError(await post(tenant, SEND_MOBILE, { mobile: mine, country_code: "91", token: b.resend_token, action: "resend" }), 400, "INVALID_RESEND_TOKEN");
    await expectError(await post(tenant, SEND_MOBILE, { mobile: mine, country_code: "91", token: "not-a-token", action: "resend" }), 400, "INVALID_RESEND_TOKEN");
    await expectError(await post(tenant, SEND_MOBILE, { mobile: mine, country_code: "91", token: "", action: "resend" }), 400, "VALIDATION_FAILED");
    expect(await outbox(e164(mine))).toHaveLength(before.length);
    expect((await post(tenant, SEND_MOBILE, { mobile: mine, country_code: "91", token: a.resend_token, action: "resend" })).status).toBe(200);
  });

  it("empty strings count as absent: phone.mobile \"\", email \"\", register_token \"\", country_code \"\"", async () => {
    const tenant = await themeTenant();
    const email = randomEmail();
    const emailOnly = await register(tenant, { email, password: GOOD_PASSWORD, phone: { country_code: "91", mobile: "" }, register_token: "" });
    expect(emailOnly.status).toBe(200);
    expect(await emailOnly.json()).toMatchObject({ email, verify_email_otp: true, verify_mobile_otp: false });
    expect((await outbox(email))[0]?.purpose).toBe("register");

    const mobile = randomMobile();
    const mobileOnly = await register(tenant, { email: "", password: GOOD_PASSWORD, phone: { country_code: "91", mobile } });
    expect(mobileOnly.status).toBe(200);
    const started = (await mobileOnly.json()) as { mobile: string; verify_email_otp: boolean; register_token: string; request_id: string };
    expect(started).toMatchObject({ mobile, verify_email_otp: false, verify_mobile_otp: true });
    expect(started).not.toHaveProperty("email");

    // country_code "" with an international number; android_hash in no known format is ignored.
    const resent = await post(tenant, SEND_MOBILE, { mobile: `+91${mobile}`, country_code: "", action: "send", token: "", android_hash: "abc", register_token: started.register_token });
    expect(resent.status).toBe(200);
    await expectError(await register(tenant, { email: "", password: GOOD_PASSWORD, phone: { country_code: "91", mobile: "" } }), 400, "VALIDATION_FAILED");
  });
});

describe("edit profile with a new email or mobile, verified through verifyEmailOTP / verifyMobileOTP", () => {
  it("after signing up by OTP: loginWithOTP → verifyMobileOTP (user_exists false) → updateProfile with an email → resend → verifyEmailOTP", async () => {
    const tenant = await themeTenant();
    const mobile = randomMobile();
    // useAccounts.sendOtp: { mobile, country_code }.
    const sent = await post(tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91" });
    expect(sent.status).toBe(200);
    const otpSent = (await sent.json()) as { request_id: string };
    expect(otpSent).toEqual(mobileSent(mobile, { user_exists: false, verify_mobile_otp: true, verify_email_otp: false }));
    const signedUp = await post(tenant, VERIFY_MOBILE, { otp: await lastCode(e164(mobile)), request_id: otpSent.request_id });
    expect(signedUp.status).toBe(200);
    expect(await signedUp.json()).toMatchObject({ user_exists: false });
    const cookie = sessionCookie(signedUp);

    // useAccounts.updateProfile (Turbo): names and gender, the email when given, no empty fields.
    const email = randomEmail();
    const edited = await send(tenant, cookie, "/profile/v1.0/detail", { first_name: "Asha", last_name: "Rao", gender: "male", email });
    expect(edited.status).toBe(200);
    const pending = (await edited.json()) as { resend_email_token: string };
    expect(pending).toMatchObject({ verify_email_otp: true, verify_mobile_otp: false, verify_email_link: false, email, resend_email_token: expect.any(String) });

    // The verify-both page's email resend: no register_token (there is none), the resend token.
    const resent = await send(tenant, cookie, SEND_EMAIL, { email, token: pending.resend_email_token, action: "resend" });
    expect(resent.status).toBe(200);
    expect((await lastMessage(email)).purpose).toBe("verify_contact");
    const code = await lastCode(email);

    // Anyone else with the code gets nothing: no session, or another user's session.
    const other = await member(tenant);
    await expectError(await post(tenant, VERIFY_EMAIL, { otp: code, email, action: "register" }), 400, "OTP_EXPIRED");
    await expectError(await send(tenant, other.cookie, VERIFY_EMAIL, { otp: code, email, action: "register" }), 400, "OTP_EXPIRED");
    expect((await contactRows(other.userId)).emails.map((e) => e.address)).toEqual([other.email]);
    // Nor can another session resend it.
    await expectError(await send(tenant, other.cookie, SEND_EMAIL, { email, token: pending.resend_email_token, action: "resend" }), 400, "INVALID_RESEND_TOKEN");

    const verified = await send(tenant, cookie, VERIFY_EMAIL, { otp: code, email, action: "register" });
    expect(verified.status).toBe(200);
    const body = (await verified.json()) as { user: { _id: string; emails: unknown[] }; user_exists: boolean };
    expect(body.user_exists).toBe(true);
    expect(body.user.emails).toEqual([{ email, primary: true, verified: true, active: true }]);
    expect(verified.headers.get("set-cookie")).toBeNull();
    expect((await contactRows(body.user._id)).emails).toEqual([{ address: email, primary: 1, verified: 1, active: 1 }]);
  });

  it("a new mobile from updateProfile verifies with verifyMobileOTP and its request_id, only on the session that asked", async () => {
    const tenant = await themeTenant();
    const m = await member(tenant, { mobile: false });
    const mobile = randomMobile();
    const edited = await m.call("POST", "/profile/v1.0/detail", { first_name: "Asha", last_name: "Rao", gender: "male", country_code: "91", mobile: { country_code: "91", phone: mobile } });
    expect(edited.status).toBe(200);
    const pending = (await edited.json()) as { request_id: string; resend_token: string };
    expect(pending).toMatchObject({ verify_mobile_otp: true, mobile, country_code: "91", request_id: expect.any(String), resend_token: expect.any(String) });
    // handleResendMobileOtp
    const resent = await m.call("POST", SEND_MOBILE, { mobile, country_code: "91", token: pending.resend_token, action: "resend" });
    expect(resent.status).toBe(200);
    const { request_id } = (await resent.json()) as { request_id: string };
    const code = await lastCode(e164(mobile));

    const other = await member(tenant);
    await expectError(await send(tenant, other.cookie, VERIFY_MOBILE, { otp: code, register_token: "", request_id }), 400, "OTP_EXPIRED");
    await expectError(await post(tenant, VERIFY_MOBILE, { otp: code, request_id }), 400, "OTP_EXPIRED");

    const verified = await m.call("POST", VERIFY_MOBILE, { otp: code, register_token: "", request_id });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ user_exists: true, user: { phone_numbers: [{ phone: mobile, primary: true, verified: true }] } });
  });
});

describe("loginWithOTP", () => {
  it("answers SendOtp's user_exists only where the store answers userExists; otherwise the same false for known and unknown numbers", async () => {
    for (const lookup of [true, false]) {
      const tenant = await createTenant({ config: { ...THEME_CONFIG, user_exists_lookup: lookup } });
      const known = await member(tenant);
      const answers = [];
      for (const mobile of [known.mobile, randomMobile()]) {
        const res = await post(tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91", android_hash: "" });
        expect(res.status).toBe(200);
        answers.push((await res.json()) as Record<string, unknown>);
      }
      expect(Object.keys(answers[0]!).sort()).toEqual(Object.keys(answers[1]!).sort());
      expect(answers.map((a) => a.user_exists)).toEqual(lookup ? [true, false] : [false, false]);
    }
  });
});

describe("forgot password as the theme asks for it", () => {
  it("sendForgotOTPOnMobile with the theme's body: token \"\", a random base-36 android_hash (ignored) or an SMS Retriever hash (appended)", async () => {
    const tenant = await themeTenant();
    const m = await member(tenant);
    const first = await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { android_hash: "k3j9x0a1b2c4z", country_code: "91", mobile: m.mobile, action: "send", token: "" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ success: true, mobile: m.mobile, country_code: "91", request_id: expect.any(String), resend_timer: 0, resend_token: expect.any(String) });
    expect((await lastMessage(e164(m.mobile!))).text).not.toContain("k3j9x0a1b2c4z");

    const hashed = await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { android_hash: "FA+9qCX9VSu", country_code: "91", mobile: m.mobile, action: "send", token: "" });
    expect(hashed.status).toBe(200);
    expect((await lastMessage(e164(m.mobile!))).text).toContain("FA+9qCX9VSu");
    await expectError(await post(tenant, "/authentication/v1.0/otp/forgot/mobile/send", { android_hash: "x".repeat(65), country_code: "91", mobile: m.mobile }), 400, "VALIDATION_FAILED");
  });

  it("sendResetPasswordEmail / sendResetPasswordMobile answer status success, for known and unknown contacts alike", async () => {
    const tenant = await themeTenant();
    const m = await member(tenant);
    for (const body of [{ email: m.email }, { email: randomEmail() }]) {
      const res = await post(tenant, "/authentication/v1.0/login/password/reset", body);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "success" });
    }
    for (const mobile of [m.mobile, randomMobile()]) {
      const res = await post(tenant, "/authentication/v1.0/login/password/mobile/reset", { mobile, country_code: "91" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "success" });
    }
    expect((await lastMessage(m.email!)).purpose).toBe("reset_link");
  });
});

describe("deleteUser confirmed by sendOTPOnMobile / sendOTPOnEmail", () => {
  async function mobileCode(m: Member, mobile = m.mobile!) {
    const res = await m.call("POST", SEND_MOBILE, { mobile, country_code: "91", action: "send" });
    expect(res.status).toBe(200);
    const { request_id } = (await res.json()) as { request_id: string };
    return { request_id, otp: await lastCode(e164(mobile)) };
  }

  it("a code sent while logged in to the user's verified mobile deletes the account; every field is optional and a missing one is a clear 400", async () => {
    const tenant = await themeTenant();
    const m = await member(tenant);
    const code = await mobileCode(m);

    for (const [body, field] of [
      [{}, "reason_id"],
      [{ reason_id: "" }, "reason_id"],
      [{ reason_id: "1" }, "request_id"],
      [{ reason_id: "1", request_id: code.request_id, otp: "" }, "otp"],
    ] as const) {
      const refused = await expectError(await m.call("POST", DELETE, body), 400, "VALIDATION_FAILED");
      expect(refused.info).toEqual({ fields: [{ field, message: expect.any(String) }] });
    }
    const wrong = await expectError(await m.call("POST", DELETE, { ...code, otp: wrongCode(code.otp), reason_id: "1" }), 400, "OTP_INVALID");
    expect(wrong.info).toMatchObject({ attempts_left: expect.any(Number) });
    expect(await deleteOn(m.userId)).toBeNull();

    const res = await m.call("POST", DELETE, { ...code, user_id: "", reason_id: "1", reason: "" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    expect(await deleteOn(m.userId)).not.toBeNull();
  });

  it("sendOTPOnEmail gives the request_id deleteUser needs", async () => {
    const tenant = await themeTenant();
    const m = await member(tenant, { mobile: false });
    const sent = await m.call("POST", SEND_EMAIL, { email: m.email, action: "send" });
    expect(sent.status).toBe(200);
    const { request_id } = (await sent.json()) as { request_id: string };
    const res = await m.call("POST", DELETE, { request_id, otp: await lastCode(m.email!), reason_id: "2", reason: "Moving away" });
    expect(res.status).toBe(200);
    expect(await deleteOn(m.userId)).not.toBeNull();
  });

  it("a code sent without a session, by another account, to an unverified contact, or replayed on another session confirms nothing", async () => {
    const tenant = await themeTenant();
    const victim = await member(tenant);
    const attacker = await member(tenant);

    // No session: a plain login code to the victim's number.
    const anonymous = (await (await post(tenant, SEND_MOBILE, { mobile: victim.mobile, country_code: "91", action: "send" })).json()) as { request_id: string };
    const anonymousCode = { request_id: anonymous.request_id, otp: await lastCode(e164(victim.mobile!)) };
    await expectError(await victim.call("POST", DELETE, { ...anonymousCode, reason_id: "1" }), 400, "OTP_EXPIRED");

    // Another logged-in account asking for a code to the victim's number.
    const asked = await attacker.call("POST", SEND_MOBILE, { mobile: victim.mobile, country_code: "91", action: "send" });
    const byOther = { request_id: ((await asked.json()) as { request_id: string }).request_id, otp: await lastCode(e164(victim.mobile!)) };
    await expectError(await victim.call("POST", DELETE, { ...byOther, reason_id: "1" }), 400, "OTP_EXPIRED");
    await expectError(await attacker.call("POST", DELETE, { ...byOther, reason_id: "1" }), 400, "OTP_EXPIRED");

    // The victim's own code, replayed on the attacker's session.
    const own = await mobileCode(victim);
    await expectError(await attacker.call("POST", DELETE, { ...own, reason_id: "1" }), 400, "OTP_EXPIRED");

    // An unverified contact of the session user.
    const unverified = await member(tenant, { verified: false });
    const toUnverified = await mobileCode(unverified);
    await expectError(await unverified.call("POST", DELETE, { ...toUnverified, reason_id: "1" }), 400, "OTP_EXPIRED");

    for (const userId of [victim.userId, attacker.userId, unverified.userId]) expect(await deleteOn(userId)).toBeNull();
    // The victim's own code still works for the victim.
    expect((await victim.call("POST", DELETE, { ...own, reason_id: "1" })).status).toBe(200);
  });
});

describe("platform: empty strings as the SDK allows them", () => {
  it("createUser with phone_number \"\" makes an email-only customer; deleteSession / deleteActiveSessions take reason \"\"; searchUsers without q", async () => {
    const tenant = await createTenant();
    const admin = await adminFor(tenant);
    const email = randomEmail();
    const user = await admin.createUser({ email, phone_number: "", first_name: "Asha" });
    expect(user).toMatchObject({ emails: [{ email }], phone_numbers: [] });
    await expectError(await admin.api("/customers", json({ email: "", phone_number: "" }, { method: "POST" })), 400, "VALIDATION_FAILED");

    const session = await admin.api("/customers/session", json({ user_id: user._id, domain: "shop.test" }, { method: "POST" }));
    expect(session.status).toBe(200);
    const { items } = (await (await admin.api(`/customers/sessions?id=${user._id}`)).json()) as { items: { session_id: string }[] };
    const one = await admin.api(`/customers/session?id=${user._id}&session_id=${items[0]!.session_id}&reason=`, { method: "DELETE" });
    expect(one.status).toBe(200);
    const all = await admin.api(`/customers/sessions?id=${user._id}&reason=`, { method: "DELETE" });
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ user_id: user._id, session_ids: [] });

    for (const query of ["", "?q="]) {
      const res = await admin.api(`/customers/search${query}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ users: [] });
    }
  });
});
