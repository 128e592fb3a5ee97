import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freshEmail, freshMobile, keepSession, outboxCode, platformSdk, storefrontSdk } from "./clients";

/*
 * The flows of Fynd's storefront theme (gofynd/Turbo: theme/helper/hooks/useAccounts.jsx, the register,
 * verify-both, edit-profile, forgot-password and login-otp pages) end to end over real sockets with the
 * unmodified SDK, sending the theme's bodies (empty strings included) and asserting each answer field
 * the pages branch on.
 */
const workerUrl = inject("workerUrl");
const PASSWORD = "Theme-Flows-2026!";

let restore: () => Promise<unknown> = async () => {};

beforeAll(async () => {
  // Resends without a 30 s wait, and both contacts proven at registration (the verify-both page).
  const { admin } = await platformSdk(workerUrl);
  // The SDK types only released PlatformSchema fields; `otp` is our extension.
  const config = (await admin.getPlatformConfig()) as any;
  await admin.updatePlatformConfig({
    body: { ...config, otp: { ...config.otp, resend_timer: 0 }, register_required_fields: { ...config.register_required_fields, mobile: { is_required: false, level: "hard" } } },
  });
  restore = () => admin.updatePlatformConfig({ body: config });
});
afterAll(async () => {
  await restore();
});

describe("the theme's account flows with the SDK", () => {
  it("register by form with a mobile and an email, resend on both, verify both, edit profile with a new email and verify it, then delete via sendOTPOnMobile", async () => {
    const { client, config } = storefrontSdk(workerUrl);
    const email = freshEmail("theme");
    const mobile = freshMobile();

    // useRegister → useAccounts.signUp
    const registered = await client.user.registerWithForm({
      body: { gender: "male", first_name: "Theme", last_name: "Flow", password: PASSWORD, consent: true, register_token: "", email, phone: { country_code: "91", mobile } },
    });
    expect(registered).toMatchObject({ success: true, user_exists: false, verify_mobile_otp: true, verify_email_otp: true, email, mobile, country_code: "91" });
    for (const field of ["request_id", "resend_token", "resend_email_token", "register_token"]) expect(typeof registered[field]).toBe("string");

    // useVerifyDetails: resends (no register_token on mobile)
    const mobileResent = await client.user.sendOTPOnMobile({ body: { mobile: registered.mobile, country_code: registered.country_code, token: registered.resend_token, action: "resend" } });
    expect(mobileResent).toMatchObject({ success: true, request_id: expect.any(String), resend_timer: 0 });
    const emailResent = await client.user.sendOTPOnEmail({ body: { email, register_token: registered.register_token, token: registered.resend_email_token, action: "resend" } });
    expect(emailResent).toMatchObject({ success: true, resend_email_token: expect.any(String) });

    const smsCode = await outboxCode(workerUrl, `+91${mobile}`, "register");
    const verifiedMobile = await keepSession(
      config,
      client.user.verifyMobileOTP({ body: { otp: smsCode, register_token: registered.register_token, request_id: mobileResent.request_id } }, { responseHeaders: true }),
    );
    expect(verifiedMobile).toMatchObject({ user_exists: false });
    expect(config.cookie).toMatch(/^f\.session=./);
    const verifiedEmail = await client.user.verifyEmailOTP({
      body: { register_token: registered.register_token, otp: await outboxCode(workerUrl, email, "register"), email, action: "register" },
    });
    expect(verifiedEmail.user.emails).toEqual([expect.objectContaining({ email, verified: true, primary: true })]);

    // profile-details page → useAccounts.updateProfile with a new email, then the verify-both page
    const newEmail = freshEmail("theme-new");
    const edited = await client.user.updateProfile({ body: { first_name: "Theme", last_name: "Flow", gender: "male", country_code: "91", email: newEmail, mobile: { country_code: "91", phone: mobile } } });
    expect(edited).toMatchObject({ verify_email_otp: true, verify_mobile_otp: false, verify_email_link: false, email: newEmail, resend_email_token: expect.any(String) });
    await client.user.sendOTPOnEmail({ body: { email: newEmail, token: edited.resend_email_token, action: "resend" } });
    const changed = await client.user.verifyEmailOTP({ body: { otp: await outboxCode(workerUrl, newEmail, "verify_contact"), email: newEmail, action: "register" } });
    expect(changed).toMatchObject({ user_exists: true });
    expect(changed.user.emails).toContainEqual(expect.objectContaining({ email: newEmail, primary: true, verified: true }));

    // delete account: sendOTPOnMobile while logged in, then deleteUser with its request_id
    const sent = await client.user.sendOTPOnMobile({ body: { mobile, country_code: "91", action: "send", android_hash: Math.random().toString(36).substring(2, 15) } });
    expect(sent).toMatchObject({ success: true, request_id: expect.any(String) });
    const deleted = await keepSession(
      config,
      client.user.deleteUser({ body: { request_id: sent.request_id, otp: await outboxCode(workerUrl, `+91${mobile}`, "login"), reason_id: "1", reason: "" } }, { responseHeaders: true }),
    );
    expect(deleted).toEqual({ success: true });
    expect(config.cookie).toBe("");
  });

  it("forgot password by mobile (OTP → forgot_token → resetForgotPassword) and by email (reset link: status success)", async () => {
    const { client, config } = storefrontSdk(workerUrl);
    const email = freshEmail("theme-forgot");
    const mobile = freshMobile();
    const registered = await client.user.registerWithForm({ body: { first_name: "Forgot", last_name: "Flow", password: PASSWORD, register_token: "", email, phone: { country_code: "91", mobile } } });
    await keepSession(
      config,
      client.user.verifyMobileOTP(
        { body: { otp: await outboxCode(workerUrl, `+91${mobile}`, "register"), register_token: registered.register_token, request_id: registered.request_id } },
        { responseHeaders: true },
      ),
    );

    // useForgetPassword → sendResetPasswordMobile (sendForgotOTPOnMobile with the theme's body)
    const forgot = await client.user.sendForgotOTPOnMobile({
      body: { android_hash: Math.random().toString(36).substring(2, 15), country_code: "91", mobile, action: "send", token: "" },
    });
    expect(forgot).toMatchObject({ success: true, request_id: expect.any(String), resend_timer: 0, resend_token: expect.any(String) });
    const verified = await client.user.verifyMobileForgotOTP({ body: { otp: await outboxCode(workerUrl, `+91${mobile}`, "forgot"), request_id: forgot.request_id } });
    expect(verified).toMatchObject({ success: true, forgot_token: expect.any(String) });
    expect(await client.user.resetForgotPassword({ body: { code: verified.forgot_token, password: "Theme-Flows-Reset-2026!" } })).toEqual({ success: true });
    const fresh = storefrontSdk(workerUrl);
    const login = await fresh.client.user.loginWithEmailAndPassword({ body: { username: email, password: "Theme-Flows-Reset-2026!" } });
    expect(login.user.emails).toEqual([expect.objectContaining({ email })]);

    // useAccounts.sendResetPasswordEmail: the page shows "reset link sent" on status "success"
    expect(await fresh.client.user.sendResetPasswordEmail({ body: { email } })).toEqual({ status: "success" });
    expect(await fresh.client.user.sendResetPasswordEmail({ body: { email: freshEmail("nobody") } })).toEqual({ status: "success" });
  });

  it("loginWithOTP answers SendOtp's fields, user_exists included (known vs unknown: test/storefront-dropin.test.ts)", async () => {
    const { client } = storefrontSdk(workerUrl);
    const keys = async (mobile: string) => Object.keys(await client.user.loginWithOTP({ body: { mobile, country_code: "91" } })).sort();
    expect(await keys(freshMobile())).toEqual([
      "country_code",
      "message",
      "mobile",
      "request_id",
      "resend_timer",
      "resend_token",
      "success",
      "user_exists",
      "verify_email_otp",
      "verify_mobile_otp",
    ]);
  });
});
