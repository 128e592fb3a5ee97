import { describe, expect, it } from "vitest";
import { GOOD_PASSWORD, SESSION, SIGN_UP_LOGS_IN, get, login, register, registeredUser, sessionCookie, userRow } from "../support/accounts";
import { expectError } from "../support/http";
import { e164, lastCode, post, randomEmail, randomMobile } from "../support/otp";
import { contactRows, member } from "../support/profile";
import { eventTypes, expectLoggedIn, googleClaims, jwksHandlers, mockProviders, signToken, socialConfig, socialLogin } from "../support/social";
import { createTenant, type Tenant } from "../support/tenants";

/*
 * Pre-account takeover: an attacker registers (or adds) the victim's address without proving it,
 * sets a password and profile, keeps a session, and waits for the victim to prove the address.
 */

async function emailOtpLogin(tenant: Tenant, email: string) {
  expect((await post(tenant, "/authentication/v1.0/otp/email/send", { email })).status).toBe(200);
  return post(tenant, "/authentication/v1.0/otp/email/verify", { email, otp: await lastCode(email) });
}

/** The attacker's squat: a form registration (soft verification: it logs in at once) with a name of their choosing. */
async function squat(tenant: Tenant, email: string) {
  const res = await register(tenant, { email, password: GOOD_PASSWORD, first_name: "Mallory", last_name: "Squatter" });
  expect(res.status).toBe(200);
  const cookie = sessionCookie(res);
  const me = (await (await get(tenant, SESSION, cookie)).json()) as { user: { _id: string } };
  return { cookie, userId: me.user._id };
}

describe("proving an address does not join an account that never proved one", () => {
  it("OTP login by the address's owner resets the squatted account: password, profile and the squatter's session are gone", async () => {
    const tenant = await createTenant({ config: { ...SIGN_UP_LOGS_IN, login: { password: true, otp: true } } });
    const email = randomEmail();
    const attacker = await squat(tenant, email);

    const res = await emailOtpLogin(tenant, email);
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { _id: string; first_name: string; emails: { email: string; verified: boolean }[] } };
    expect(user._id).toBe(attacker.userId);
    expect(user.first_name).toBe("");
    expect(user.emails).toEqual([expect.objectContaining({ email, verified: true })]);

    await expectError(await get(tenant, SESSION, attacker.cookie), 401);
    await expectError(await login(tenant, email, GOOD_PASSWORD), 401);
    const row = (await userRow(attacker.userId))!;
    expect(row.password_hash).toBeNull();
    expect(row.last_name).toBe("");
    expect(await eventTypes(tenant, attacker.userId)).toContain("user.reclaimed");
  });

  it("an address added unverified to an account that proved another contact is released: its owner gets an account of its own", async () => {
    const tenant = await createTenant({ config: { login: { password: true, otp: true } } });
    const attacker = await member(tenant, { email: false });
    const email = randomEmail();
    expect((await attacker.call("PUT", "/profile/v1.0/email", { email })).status).toBe(200);
    expect((await contactRows(attacker.userId)).emails).toEqual([expect.objectContaining({ address: email, verified: 0, primary: 1 })]);

    const res = await emailOtpLogin(tenant, email);
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { _id: string } };
    expect(user._id).not.toBe(attacker.userId);
    expect((await contactRows(attacker.userId)).emails).toEqual([]);
    expect((await contactRows(user._id)).emails).toEqual([{ address: email, primary: 1, verified: 1, active: 1 }]);
    // The attacker's account still works for the attacker, without the address.
    expect((await get(tenant, SESSION, attacker.cookie)).status).toBe(200);
  });

  it("a contact given at registration is no exception: listed beside the squatter's proven email, it is released too", async () => {
    const tenant = await createTenant({ config: { login: { password: true, otp: true } } });
    const victimMobile = randomMobile();
    // The squatter registers with their own email (proven with the register_token) and the victim's mobile.
    const attacker = await registeredUser(tenant, { phone: { country_code: "91", mobile: victimMobile } });
    expect((await contactRows(attacker.userId)).phones).toEqual([expect.objectContaining({ verified: 0 })]);

    const sent = await post(tenant, "/authentication/v1.0/login/otp", { mobile: victimMobile, country_code: "91" });
    const { request_id } = (await sent.json()) as { request_id: string };
    const res = await post(tenant, "/authentication/v1.0/otp/mobile/verify", { request_id, otp: await lastCode(e164(victimMobile)) });
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { _id: string } };
    expect(user._id).not.toBe(attacker.userId);
    expect((await contactRows(attacker.userId)).phones).toEqual([]);
    expect((await contactRows(user._id)).phones).toEqual([expect.objectContaining({ verified: 1, primary: 1 })]);
  });

  it("the account's own session proving its listed contact by OTP keeps it there, verified (the owner's own proof)", async () => {
    const tenant = await createTenant({ config: { login: { password: true, otp: true } } });
    const owner = await member(tenant, { email: false });
    const email = randomEmail();
    expect((await owner.call("PUT", "/profile/v1.0/email", { email })).status).toBe(200);
    // Sent and verified from the owner's session: the code is bound to the owner.
    const sent = await owner.call("POST", "/authentication/v1.0/otp/email/send", { email });
    expect(sent.status).toBe(200);
    const verified = await owner.call("POST", "/authentication/v1.0/otp/email/verify", { email, otp: await lastCode(email) });
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as { user: { _id: string } }).user._id).toBe(owner.userId);
    expect((await contactRows(owner.userId)).emails).toEqual([expect.objectContaining({ address: email, verified: 1 })]);
    expect((await get(tenant, SESSION, owner.cookie)).status).toBe(200);
  });

  it("a code sent from one account's session does not count as that account's proof when entered anonymously", async () => {
    const tenant = await createTenant({ config: { login: { password: true, otp: true } } });
    const owner = await member(tenant, { email: false });
    const email = randomEmail();
    expect((await owner.call("PUT", "/profile/v1.0/email", { email })).status).toBe(200);
    expect((await owner.call("POST", "/authentication/v1.0/otp/email/send", { email })).status).toBe(200);
    // The bound code verifies only in the session that asked for it.
    await expectError(await post(tenant, "/authentication/v1.0/otp/email/verify", { email, otp: await lastCode(email) }), 400);
    expect((await contactRows(owner.userId)).emails).toEqual([expect.objectContaining({ address: email, verified: 0 })]);
  });

  it("a Google sign-in with the verified email resets a squatted account instead of joining it", async () => {
    mockProviders(jwksHandlers());
    const tenant = await createTenant({ config: { ...socialConfig(), ...SIGN_UP_LOGS_IN } });
    const email = String(googleClaims().email);
    const attacker = await squat(tenant, email);
    const body = await expectLoggedIn(await socialLogin(tenant, "google-token", { is_signed_in: true, oauth2: { access_token: await signToken(googleClaims()) }, profile: {} }), tenant);
    expect(body.user._id).toBe(attacker.userId);
    expect(body.user.emails).toEqual([expect.objectContaining({ email, verified: true })]);
    await expectError(await get(tenant, SESSION, attacker.cookie), 401);
    expect((await userRow(attacker.userId))!.password_hash).toBeNull();
  });

  it("an account whose address is verified is entered as it is (nothing reset)", async () => {
    const tenant = await createTenant({ config: { login: { password: true, otp: true } } });
    const owner = await member(tenant, { mobile: false });
    const res = await emailOtpLogin(tenant, owner.email!);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(owner.userId);
    expect((await get(tenant, SESSION, owner.cookie)).status).toBe(200);
  });
});
