import { afterEach, describe, expect, it, vi } from "vitest";
import { GOOD_PASSWORD, registeredUser, storefront, updatePassword } from "./support/accounts";
import { json } from "./support/http";
import { APP, callWithEnv, e164, lastCode, lastLinkCode, outbox, post, PROVIDER_ENV, randomEmail, randomMobile, type OutboxMessage } from "./support/otp";
import { contactRows, member, primaryProof, type Member } from "./support/profile";
import { createTenant } from "./support/tenants";
import { MESSAGE_PURPOSES } from "../src/notify/purposes";
import { RESEND_ENDPOINT } from "../src/notify/resend";

afterEach(() => vi.restoreAllMocks());

const isNotice = (m: OutboxMessage) => MESSAGE_PURPOSES[m.purpose] === "notice";

/** The security notices sent to an address, newest first. */
const notices = async (to: string) => (await outbox(to)).filter(isNotice);

const NEW_PASSWORD = "Quartz-Lantern-Meadow-47";
const maskedEmail = (email: string) => `${email[0]}•••${email.slice(email.indexOf("@"))}`;
const maskedMobile = (mobile: string) => `+91•••••${mobile.slice(-4)}`;

/** addEmail + the verification link: the new email is a verified, non-primary contact of the account. */
async function addVerifiedEmail(m: Member): Promise<string> {
  const added = randomEmail();
  expect((await m.call("PUT", "/profile/v1.0/email", { email: added })).status).toBe(200);
  expect((await post(m.tenant, "/authentication/v1.0/verify/email", { code: await lastLinkCode(added) })).status).toBe(200);
  return added;
}

async function addVerifiedMobile(m: Member): Promise<string> {
  const added = randomMobile();
  expect((await m.call("PUT", "/profile/v1.0/mobile", { phone: added, country_code: "91" })).status).toBe(200);
  expect((await post(m.tenant, "/authentication/v1.0/verify/mobile", { code: await lastLinkCode(e164(added)) })).status).toBe(200);
  return added;
}

/** The one notice of `purpose` at `to`: fails unless there is exactly one, and it never shows `hidden` in full. */
async function theNotice(to: string, purpose: OutboxMessage["purpose"], hidden?: string): Promise<OutboxMessage> {
  const sent = (await notices(to)).filter((m) => m.purpose === purpose);
  expect(sent).toHaveLength(1);
  const notice = sent[0]!;
  if (hidden) {
    expect(notice.text).not.toContain(hidden);
    expect(notice.subject ?? "").not.toContain(hidden);
  }
  return notice;
}

describe("security notices to the account owner", () => {
  it("a new email verified on the account: one notice to the primary email, the new one masked and told nothing", async () => {
    const m = await member(await createTenant());
    const added = await addVerifiedEmail(m);
    const notice = await theNotice(m.email!, "contact_added", added);
    expect(notice).toMatchObject({ channel: "email", to: m.email });
    expect(notice.text).toContain(maskedEmail(added));
    expect(await notices(m.email!)).toHaveLength(1);
    expect(await notices(added)).toEqual([]);
    expect(await notices(e164(m.mobile!))).toEqual([]);
  });

  it("setEmailAsPrimary: the old primary email is told, with the new one masked", async () => {
    const m = await member(await createTenant());
    const added = await addVerifiedEmail(m);
    expect((await m.call("POST", "/profile/v1.0/email/primary", { email: added })).status).toBe(200);
    const notice = await theNotice(m.email!, "primary_changed", added);
    expect(notice.text).toContain(maskedEmail(added));
    expect(await notices(m.email!)).toHaveLength(2);
    expect(await notices(added)).toEqual([]);
  });

  it("setMobileNumberAsPrimary: the old primary number gets the SMS, with the new number masked", async () => {
    const m = await member(await createTenant());
    const added = await addVerifiedMobile(m);
    expect(await notices(e164(m.mobile!))).toEqual([]);
    expect((await m.call("POST", "/profile/v1.0/mobile/primary", { phone: added, country_code: "91" })).status).toBe(200);
    const notice = await theNotice(e164(m.mobile!), "primary_changed", added);
    expect(notice.channel).toBe("sms");
    expect(notice.text).toContain(maskedMobile(added));
    expect(await notices(e164(added))).toEqual([]);
  });

  it("an account with only a verified phone is told by SMS when an email is added", async () => {
    const m = await member(await createTenant(), { email: false });
    expect((await m.call("PUT", "/profile/v1.0/email", { email: randomEmail() })).status).toBe(200);
    expect(await notices(e164(m.mobile!))).toEqual([]);
    const added = ((await contactRows(m.userId)).emails[0]!).address;
    expect((await post(m.tenant, "/authentication/v1.0/verify/email", { code: await lastLinkCode(added) })).status).toBe(200);
    const notice = await theNotice(e164(m.mobile!), "contact_added", added);
    expect(notice.text).toContain(maskedEmail(added));
  });

  // Issue 14 (pre-account takeover): a phone the account only lists, proven by someone signing in with it, is
  // released to the prover's own account rather than opening this one (SECURITY.md).
  it("a listed phone first proven by an anonymous OTP login is released, not a way into the account", async () => {
    const m = await member(await createTenant(), { mobile: false });
    const mobile = randomMobile();
    expect((await m.call("PUT", "/profile/v1.0/mobile", { phone: mobile, country_code: "91" })).status).toBe(200);
    const sent = await post(m.tenant, "/authentication/v1.0/login/otp", { mobile, country_code: "91" });
    const { request_id } = (await sent.json()) as { request_id: string };
    const login = await post(m.tenant, "/authentication/v1.0/otp/mobile/verify", { request_id, otp: await lastCode(e164(mobile)) });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { _id: string } }).user._id).not.toBe(m.userId);
    const own = (await (await m.call("GET", "/authentication/v1.0/session")).json()) as { user: { phone_numbers?: { phone: string }[] } };
    expect((own.user.phone_numbers ?? []).map((p) => p.phone)).not.toContain(mobile);
    // The account's owner learns the number left, masked; the prover is told nothing about the account.
    const notice = await theNotice(m.email!, "contact_removed", mobile);
    expect(notice.text).toContain(maskedMobile(mobile));
    expect((await notices(e164(mobile))).filter((n) => n.purpose === "contact_removed")).toEqual([]);
  });

  it("deleteEmail: the primary is told which contact left, masked", async () => {
    const m = await member(await createTenant());
    const added = await addVerifiedEmail(m);
    const query = new URLSearchParams({ email: added, active: "true", primary: "false", verified: "true" });
    expect((await m.call("DELETE", `/profile/v1.0/email?${query}`)).status).toBe(200);
    const notice = await theNotice(m.email!, "contact_removed", added);
    expect(notice.text).toContain(maskedEmail(added));
  });

  it("the v2 change of the primary email tells the old primary once, never the new one", async () => {
    const m = await member(await createTenant());
    const proof = await primaryProof(m, "email");
    const next = randomEmail();
    const sent = await m.call("POST", "/profile/v2.0/email/otp/send", { request_id: proof, email: next });
    const { request_id } = (await sent.json()) as { request_id: string };
    expect((await m.call("POST", "/profile/v2.0/email/otp/verify", { request_id, email: next, otp: await lastCode(next) })).status).toBe(200);
    const notice = await theNotice(m.email!, "primary_changed", next);
    expect(notice.text).toContain(maskedEmail(next));
    expect(await notices(m.email!)).toHaveLength(1);
    expect(await notices(next)).toEqual([]);
  });

  it("a first phone added through v2 is a new contact: the email is told", async () => {
    const m = await member(await createTenant(), { mobile: false });
    const proof = await primaryProof(m, "mobile");
    const next = randomMobile();
    const sent = await m.call("POST", "/profile/v2.0/mobile/otp/send", { request_id: proof, mobile: next, country_code: "91" });
    const { request_id } = (await sent.json()) as { request_id: string };
    expect((await m.call("POST", "/profile/v2.0/mobile/otp/verify", { request_id, otp: await lastCode(e164(next)) })).status).toBe(200);
    expect((await theNotice(m.email!, "contact_added", next)).text).toContain(maskedMobile(next));
    expect(await notices(e164(next))).toEqual([]);
  });

  it("updatePassword and both reset paths tell the owner; registration itself sends no notice", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    expect(await notices(account.email)).toEqual([]);
    expect((await updatePassword(tenant, account.cookie, GOOD_PASSWORD, NEW_PASSWORD)).status).toBe(200);
    await theNotice(account.email, "password_changed");

    expect((await post(tenant, "/authentication/v1.0/otp/forgot/email/send", { email: account.email })).status).toBe(200);
    const verified = await post(tenant, "/authentication/v1.0/otp/forgot/email/verify", { email: account.email, otp: await lastCode(account.email) });
    const { forgot_token } = (await verified.json()) as { forgot_token: string };
    expect((await post(tenant, "/authentication/v1.0/login/password/forgot", { code: forgot_token, password: GOOD_PASSWORD })).status).toBe(200);
    await theNotice(account.email, "password_reset");
    expect((await notices(account.email)).map((n) => n.purpose)).toEqual(["password_reset", "password_changed"]);
  });

  it("an unverified primary is never told (it may not be the owner's)", async () => {
    const m = await member(await createTenant(), { mobile: false, verified: false });
    expect((await m.call("PUT", "/profile/v1.0/mobile", { phone: randomMobile(), country_code: "91" })).status).toBe(200);
    const added = (await contactRows(m.userId)).phones[0]!.address;
    expect((await post(m.tenant, "/authentication/v1.0/verify/mobile", { code: await lastLinkCode(added) })).status).toBe(200);
    expect(await notices(m.email!)).toEqual([]);
    expect(await notices(added)).toEqual([]);
  });

  it("sends nothing when the application turned them off; the change itself is the same", async () => {
    const m = await member(await createTenant({ config: { security_notifications: { enable: false } } }));
    const added = await addVerifiedEmail(m);
    expect((await m.call("POST", "/profile/v1.0/email/primary", { email: added })).status).toBe(200);
    expect((await m.call("POST", "/profile/v1.0/email/primary", { email: m.email })).status).toBe(200);
    const query = new URLSearchParams({ email: added, active: "true", primary: "false", verified: "true" });
    expect((await m.call("DELETE", `/profile/v1.0/email?${query}`)).status).toBe(200);
    expect((await contactRows(m.userId)).emails.map((e) => e.address)).toEqual([m.email]);
    expect(await notices(m.email!)).toEqual([]);
    expect(await notices(added)).toEqual([]);
  });

  it("uses the application's own template for a notice (no code or link placeholder needed)", async () => {
    const templates = { contact_removed: { email_subject: "Contact removed", email_text: "Gone from {{app_name}}: {{contact_type}} {{contact}}" } };
    const m = await member(await createTenant({ config: { display: "Shop", otp: { templates } } }));
    const added = await addVerifiedEmail(m);
    const query = new URLSearchParams({ email: added, active: "true", primary: "false", verified: "true" });
    expect((await m.call("DELETE", `/profile/v1.0/email?${query}`)).status).toBe(200);
    const notice = await theNotice(m.email!, "contact_removed");
    expect(notice).toMatchObject({ subject: "Contact removed", text: `Gone from Shop: email address ${maskedEmail(added)}` });
  });
});

describe("a notice that cannot be delivered", () => {
  /** The member's call, through the real providers (Resend, Twilio), whose fetches the test answers. */
  const viaProviders = (m: Member, method: string, path: string, body?: unknown) => {
    const headers = storefront(m.tenant, m.cookie);
    return callWithEnv(PROVIDER_ENV, `${APP}${path}`, body === undefined ? { method, headers } : json(body, { method, headers }));
  };

  it("does not fail or undo the change: removal, primary change and password update all stand", async () => {
    const m = await member(await createTenant());
    const added = await addVerifiedEmail(m);
    const fetch = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("provider down", { status: 500 }));
    const errors = vi.spyOn(console, "error");

    const primary = await viaProviders(m, "POST", "/profile/v1.0/email/primary", { email: added });
    expect(primary.status).toBe(200);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]!;
    expect(String(url)).toBe(RESEND_ENDPOINT);
    const sent = JSON.parse(String(init?.body)) as { to: string[]; text: string };
    expect(sent.to).toEqual([m.email]);
    expect(sent.text).toContain(maskedEmail(added));
    expect(sent.text).not.toContain(added);
    expect(errors.mock.calls.some(([line]) => String(line).includes("security_notice_failed"))).toBe(true);

    const query = new URLSearchParams({ email: m.email!, active: "true", primary: "false", verified: "true" });
    expect((await viaProviders(m, "DELETE", `/profile/v1.0/email?${query}`)).status).toBe(200);
    expect(await contactRows(m.userId)).toMatchObject({ emails: [{ address: added, primary: 1, verified: 1 }] });
    // The new primary (now the verified primary email) was the one told of the removal.
    expect(JSON.parse(String(fetch.mock.calls[1]![1]?.body))).toMatchObject({ to: [added] });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("a password update still succeeds when the provider cannot be reached", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    const fetch = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("network down"));
    const res = await callWithEnv(
      PROVIDER_ENV,
      `${APP}/authentication/v1.0/password`,
      json({ old_password: GOOD_PASSWORD, new_password: NEW_PASSWORD }, { method: "POST", headers: storefront(tenant, account.cookie) }),
    );
    expect(res.status).toBe(200);
    expect(fetch).toHaveBeenCalledTimes(1);
    const login = await post(tenant, "/authentication/v1.0/login/password", { username: account.email, password: NEW_PASSWORD });
    expect(login.status).toBe(200);
  });
});
