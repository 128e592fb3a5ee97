import { beforeAll, describe, expect, inject, it } from "vitest";
import { type Account, DEMO, expectSdkUser, freshEmail, freshMobile, keepSession, outboxCode, outboxMessage, registerAccount, storefrontSdk } from "./clients";

/**
 * The unmodified official storefront SDK (@gofynd/fdk-client-javascript ApplicationClient) against the
 * real Worker: every call goes through its URL building, request signing and axios error handling.
 */
const workerUrl = inject("workerUrl");
const PASSWORD = "Sdk-Contract-2026!";
const NEW_PASSWORD = "Sdk-Contract-Changed-2026!";
const RESET_PASSWORD = "Sdk-Contract-Reset-2026!";

/**
 * What the SDK rejects with for a non-2xx answer: FDKServerResponseError, whose `code` is the HTTP status,
 * `details` our error body and `message` our message.
 */
async function sdkFailure(pending: Promise<unknown>) {
  const error = (await pending.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  )) as { name: string; code: number; message: string; details: { message: string; code: string; request_id: string; info?: Record<string, unknown> } };
  expect(error.name).toBe("FDKServerResponseError");
  expect(error.details).toMatchObject({ message: expect.any(String), code: expect.any(String), request_id: expect.any(String) });
  expect(error.message).toBe(error.details.message);
  return { status: error.code, code: error.details.code, info: error.details.info };
}

describe("storefront SDK: ApplicationClient", () => {
  it("getPlatformConfig: the public auth settings, no secrets", async () => {
    const { client } = storefrontSdk(workerUrl);
    const config = await client.user.getPlatformConfig({ name: "Demo Store" });
    expect(config).toMatchObject({
      name: "Demo Store",
      active: true,
      login: { password: expect.any(Boolean), otp: expect.any(Boolean) },
      register_required_fields: { email: { is_required: expect.any(Boolean), level: expect.any(String) } },
    });
    expect(JSON.stringify(config)).not.toContain("app_secret");
  });

  it("a wrong application token is refused with the SDK's error carrying our message", async () => {
    const { client, config } = storefrontSdk(workerUrl);
    config.applicationToken = "not-the-token";
    const error = await sdkFailure(client.user.getPlatformConfig({}));
    expect(error.status).toBe(401);
  });

  describe("a registered account", () => {
    let account: Account & { mobile: string };
    beforeAll(async () => {
      const mobile = freshMobile();
      account = { ...(await registerAccount(workerUrl, { password: PASSWORD, mobile })), mobile };
    });

    it("getLoggedInUser: the session cookie from the registration's verification identifies the user", async () => {
      const { user } = await account.client.user.getLoggedInUser();
      expectSdkUser(user);
      expect(user._id).toBe(account.userId);
      expect(user.emails).toEqual([expect.objectContaining({ email: account.email, primary: true, verified: true })]);
      expect(user.phone_numbers).toEqual([expect.objectContaining({ phone: account.mobile, country_code: 91 })]);
    });

    it("userExists: true for the registered email and phone, false for a fresh one", async () => {
      const { client } = storefrontSdk(workerUrl);
      expect(await client.user.userExists({ q: account.email })).toEqual({ user_exists: true });
      expect(await client.user.userExists({ q: `+91${account.mobile}` })).toEqual({ user_exists: true });
      expect(await client.user.userExists({ q: freshEmail("nobody") })).toEqual({ user_exists: false });
    });

    it("hasPassword, updatePassword, then loginWithEmailAndPassword with the new password only", async () => {
      expect(await account.client.user.hasPassword()).toEqual({ result: 1 });
      const updated = await account.client.user.updatePassword({ body: { old_password: PASSWORD, new_password: NEW_PASSWORD } });
      expect(updated).toEqual({ message: expect.any(String) });

      const { client, config } = storefrontSdk(workerUrl);
      const refused = await sdkFailure(client.user.loginWithEmailAndPassword({ body: { username: account.email, password: PASSWORD } }));
      expect(refused.status).toBe(401);
      expect(config.cookie).toBeUndefined();

      const login = await keepSession(
        config,
        client.user.loginWithEmailAndPassword({ body: { username: account.email, password: NEW_PASSWORD } }, { responseHeaders: true }),
      );
      expectSdkUser(login.user);
      expect(login.user._id).toBe(account.userId);
      expect((await client.user.getLoggedInUser()).user._id).toBe(account.userId);
    });

    it("getListOfActiveSessions lists every login; logout ends only this one", async () => {
      const second = storefrontSdk(workerUrl);
      await keepSession(
        second.config,
        second.client.user.loginWithEmailAndPassword({ body: { username: `+91${account.mobile}`, password: NEW_PASSWORD } }, { responseHeaders: true }),
      );
      const { sessions } = await second.client.user.getListOfActiveSessions();
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      expect(sessions.every((s: unknown) => typeof s === "string")).toBe(true);

      expect(await keepSession(second.config, second.client.user.logout({}, { responseHeaders: true }))).toEqual({ logout: true });
      expect(second.config.cookie).toBe("");
      expect((await sdkFailure(second.client.user.getLoggedInUser())).status).toBe(401);

      const after = await account.client.user.getListOfActiveSessions();
      expect(after.sessions).toHaveLength(sessions.length - 1);
    });

    it("loginWithOTP + verifyMobileOTP: once the account proved its mobile, the code from the outbox logs into the same account", async () => {
      // The mobile given at registration is only listed (the demo application does not ask to prove it);
      // addMobileNumber for the listed number sends it a link, and verifyMobile with its code proves it.
      await account.client.user.addMobileNumber({ body: { active: true, primary: true, verified: false, country_code: "91", phone: account.mobile } });
      const { link = "" } = await outboxMessage(workerUrl, `+91${account.mobile}`, "verify_link");
      await account.client.user.verifyMobile({ body: { code: new URL(link).searchParams.get("code") ?? "" } });
      expect((await account.client.user.getLoggedInUser()).user.phone_numbers).toEqual([expect.objectContaining({ phone: account.mobile, verified: true })]);

      const { client, config } = storefrontSdk(workerUrl);
      const sent = await client.user.loginWithOTP({ body: { mobile: account.mobile, country_code: "91" } });
      expect(sent).toMatchObject({ success: true, request_id: expect.any(String), mobile: account.mobile, country_code: "91" });
      expect(Number.isInteger(sent.resend_timer)).toBe(true);

      const wrong = await sdkFailure(client.user.verifyMobileOTP({ body: { request_id: sent.request_id, otp: "000000" } }));
      expect(wrong.status).toBe(400);

      const otp = await outboxCode(workerUrl, `+91${account.mobile}`, "login");
      const verified = await keepSession(config, client.user.verifyMobileOTP({ body: { request_id: sent.request_id, otp } }, { responseHeaders: true }));
      expect(verified).toMatchObject({ user_exists: true });
      expectSdkUser(verified.user);
      expect(verified.user._id).toBe(account.userId);
      expect((await client.user.getLoggedInUser()).user._id).toBe(account.userId);
    });

    it("sendForgotOTPOnEmail → verifyEmailForgotOTP → resetForgotPassword: the new password logs in, every session ended", async () => {
      const { client } = storefrontSdk(workerUrl);
      const sent = await client.user.sendForgotOTPOnEmail({ body: { email: account.email } });
      expect(sent).toMatchObject({ success: true });
      const otp = await outboxCode(workerUrl, account.email, "forgot");
      const verified = await client.user.verifyEmailForgotOTP({ body: { email: account.email, otp } });
      expect(verified).toEqual({ success: true, forgot_token: expect.any(String) });
      // The same code cannot be spent twice.
      expect((await sdkFailure(client.user.verifyEmailForgotOTP({ body: { email: account.email, otp } }))).status).toBe(400);

      const reset = await client.user.resetForgotPassword({ body: { code: verified.forgot_token, password: RESET_PASSWORD } });
      expect(reset).toEqual({ success: true });
      expect((await sdkFailure(client.user.resetForgotPassword({ body: { code: verified.forgot_token, password: "Another-One-2026!" } }))).status).toBe(400);
      expect((await sdkFailure(account.client.user.getLoggedInUser())).status).toBe(401);

      const fresh = storefrontSdk(workerUrl);
      const login = await keepSession(
        fresh.config,
        fresh.client.user.loginWithEmailAndPassword({ body: { username: account.email, password: RESET_PASSWORD } }, { responseHeaders: true }),
      );
      expect(login.user._id).toBe(account.userId);
    });
  });

  it("an unverified registration: password login answers VERIFICATION_REQUIRED with a register_token that verifyEmailOTP accepts", async () => {
    const { client, config } = storefrontSdk(workerUrl);
    const email = freshEmail("unverified");
    await client.user.registerWithForm({ body: { first_name: "Later", email, password: PASSWORD, consent: true } });
    const refused = await sdkFailure(client.user.loginWithEmailAndPassword({ body: { username: email, password: PASSWORD } }));
    expect(refused).toMatchObject({ status: 403, code: "VERIFICATION_REQUIRED", info: { verify_email_otp: true, register_token: expect.any(String) } });
    const registerToken = refused.info?.register_token as string;

    // Within the resend cooldown the registration's code is still the one to enter (a later visit would
    // first ask for a new one: sendOTPOnEmail with the register_token).
    const resend = await sdkFailure(client.user.sendOTPOnEmail({ body: { email, register_token: registerToken } }));
    expect(resend.status).toBe(429);
    const otp = await outboxCode(workerUrl, email, "register");
    const verified = await keepSession(config, client.user.verifyEmailOTP({ body: { email, otp, register_token: registerToken } }, { responseHeaders: true }));
    expectSdkUser(verified.user);
    expect((await client.user.getLoggedInUser()).user.emails[0]).toMatchObject({ email, verified: true });
  });

  it("the SDK's platform query param and signing headers are accepted on every call", async () => {
    const { client } = storefrontSdk(workerUrl);
    const sent = await client.user.loginWithOTP({ body: { mobile: freshMobile(), country_code: "91" }, platform: DEMO.applicationId });
    expect(sent.success).toBe(true);
  });
});
