import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GOOD_PASSWORD, login, register, registeredUser, type VerificationStart } from "./support/accounts";
import { adminFor, send } from "./support/customers";
import { expectError } from "./support/http";
import { logInAgain, sessionStatus, setActive, storeWithShopper } from "./support/integration";
import { lastCode, outbox, post } from "./support/otp";
import { expectLoggedIn, googleClaims, jwksHandlers, mockProviders, signToken, socialConfig, socialLogin } from "./support/social";
import { createTenant } from "./support/tenants";

afterEach(() => vi.restoreAllMocks());

describe("platform block, seen from the storefront", () => {
  it("ends the shopper's session at once and refuses password and OTP login with a clear message; unblock restores login", async () => {
    const store = await storeWithShopper();
    const { tenant } = store.admin;
    const { shopper } = store;
    expect(await sessionStatus(store, shopper.cookie)).toBe(200);

    await setActive(store, false, "chargebacks");
    expect(await sessionStatus(store, shopper.cookie)).toBe(401);

    const byPassword = await expectError(await login(tenant, shopper.email, shopper.password), 403, "ACCOUNT_BLOCKED");
    expect(byPassword.message).toBe("This account has been blocked; contact the store");
    // A wrong password learns nothing about the block.
    await expectError(await login(tenant, shopper.email, "Wrong-Password-123"), 401, "INVALID_CREDENTIALS");

    expect((await post(tenant, "/authentication/v1.0/otp/email/send", { email: shopper.email })).status).toBe(200);
    const byOtp = await post(tenant, "/authentication/v1.0/otp/email/verify", { email: shopper.email, otp: await lastCode(shopper.email) });
    expect(byOtp.headers.get("set-cookie")).toBeNull();
    expect((await expectError(byOtp, 403, "ACCOUNT_UNAVAILABLE")).message).toMatch(/blocked/);

    await setActive(store, true);
    const cookie = await logInAgain(store);
    expect(await sessionStatus(store, cookie)).toBe(200);
    // Unblocking brings back logins, not the sessions the block ended.
    expect(await sessionStatus(store, shopper.cookie)).toBe(401);
  });
});

describe("platform archive, seen from the storefront", () => {
  it("frees the email: a new account registers with it and the archived one is gone", async () => {
    // No resend timer: the new registration's code goes to the address right after the old one's.
    const store = await storeWithShopper({ otp: { resend_timer: 0 } });
    const { tenant } = store.admin;
    const { shopper } = store;
    expect((await store.admin.api("/customers/archive", send("PUT", { user_id: shopper.userId }))).status).toBe(200);
    expect(await sessionStatus(store, shopper.cookie)).toBe(401);
    await expectError(await login(tenant, shopper.email, shopper.password), 401, "INVALID_CREDENTIALS");

    const again = await registeredUser(tenant, { email: shopper.email, password: "Copper-Harbor-Lamp-17" });
    expect(again.userId).not.toBe(shopper.userId);
    const res = await login(tenant, shopper.email, "Copper-Harbor-Lamp-17");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(again.userId);
    await expectError(await login(tenant, shopper.email, shopper.password), 401, "INVALID_CREDENTIALS");
  });

  it("releases the archived user's social accounts: the same Google account signs up anew", async () => {
    mockProviders(jwksHandlers());
    const tenant = await createTenant({ config: socialConfig() });
    const admin = await adminFor(tenant);
    const token = await signToken(googleClaims({ sub: "google-sub-archived", email: "archived@example.com" }));
    const body = { is_signed_in: true, oauth2: { access_token: token }, profile: {} };
    const first = await expectLoggedIn(await socialLogin(tenant, "google-token", body), tenant);
    const identities = () =>
      env.DB.prepare("select user_id from user_identities where application_id = ?").bind(tenant.applicationId).all<{ user_id: string }>();
    expect((await identities()).results).toEqual([{ user_id: first.user._id }]);

    expect((await admin.api("/customers/archive", send("PUT", { user_id: first.user._id }))).status).toBe(200);
    expect((await identities()).results).toEqual([]);

    const second = await expectLoggedIn(await socialLogin(tenant, "google-token", body), tenant);
    expect(second.user_exists).toBe(false);
    expect(second.user._id).not.toBe(first.user._id);
    expect((await identities()).results).toEqual([{ user_id: second.user._id }]);
  });

  it("frees a registration that was never verified, so the address's owner can register", async () => {
    const tenant = await createTenant({ config: { otp: { resend_timer: 0 } } });
    const admin = await adminFor(tenant);
    const email = `squatted-${Date.now()}@example.com`;
    const res = await register(tenant, { email, password: GOOD_PASSWORD });
    expect(((await res.json()) as VerificationStart).verify_email_otp).toBe(true);
    // Issue 14: a taken address gets the answer a new one would (no second account; its owner is told instead).
    expect((await register(tenant, { email, password: GOOD_PASSWORD })).status).toBe(200);
    expect((await env.DB.prepare("select count(*) as n from user_emails where email = ?").bind(email).first<{ n: number }>())!.n).toBe(1);
    const squatter = (await env.DB.prepare("select user_id from user_emails where email = ?").bind(email).first<{ user_id: string }>())!;
    expect((await admin.api("/customers/archive", send("PUT", { user_id: squatter.user_id }))).status).toBe(200);
    const owner = await registeredUser(tenant, { email });
    expect(owner.userId).not.toBe(squatter.user_id);
    expect((await outbox(email)).filter((m) => m.purpose === "register")).toHaveLength(2);
  });
});
