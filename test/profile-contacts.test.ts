import { describe, expect, it } from "vitest";
import { expectError, call, json } from "./support/http";
import { adminFor } from "./support/customers";
import { e164, lastLinkCode, lastMessage, outbox, post, randomEmail, randomMobile } from "./support/otp";
import { contactRows, eventTypes, member, type Member } from "./support/profile";
import { queryPlans, recordingD1 } from "./support/query-plans";
import { createTenant, type Tenant } from "./support/tenants";
import { ContactsRepo } from "../src/db/contacts-repo";
import { database } from "../src/db/client";

type Contacts = { emails: { email: string; primary: boolean; verified: boolean; active: boolean }[] };

const query = (params: Record<string, string | boolean>) => `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;

/** A member whose contact lists the platform set directly: `emails` as [address, primary, verified]. */
async function withEmails(tenant: Tenant, emails: [string, boolean, boolean][]): Promise<Member> {
  const m = await member(tenant, { mobile: false });
  const admin = await adminFor(tenant);
  const res = await admin.api(
    `/customers/${m.userId}`,
    json({ emails: emails.map(([email, primary, verified]) => ({ email, primary, verified, active: true })) }, { method: "PUT" }),
  );
  if (res.status !== 200) throw new Error(`updateUser: ${res.status} ${await res.text()}`);
  return m;
}

describe("addEmail / addMobileNumber", () => {
  it("adds an unverified email and sends it a link; verifying it and making it primary swaps the primaries", async () => {
    const m = await member(await createTenant());
    const added = randomEmail();
    const res = await m.call("PUT", "/profile/v1.0/email", { email: ` ${added.toUpperCase()} ` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: Contacts; verify_email_link: boolean };
    expect(body.verify_email_link).toBe(true);
    expect(body.user.emails).toContainEqual({ email: added, primary: false, verified: false, active: true });
    expect((await lastMessage(added)).purpose).toBe("verify_link");

    await expectError(await m.call("POST", "/profile/v1.0/email/primary", { email: added }), 400, "CONTACT_NOT_VERIFIED");
    expect((await post(m.tenant, "/authentication/v1.0/verify/email", { code: await lastLinkCode(added) })).status).toBe(200);
    const primary = await m.call("POST", "/profile/v1.0/email/primary", { email: added });
    expect(primary.status).toBe(200);
    const { user } = (await primary.json()) as { user: Contacts };
    expect(user.emails.map((e) => [e.email, e.primary])).toEqual([
      [added, true],
      [m.email, false],
    ]);
    expect(await eventTypes(m.userId)).toEqual(["user.contact_added", "user.contact_verified", "user.primary_changed"]);
  });

  it("the first email of an account becomes its primary; adding one already listed adds nothing", async () => {
    const m = await member(await createTenant(), { email: false });
    const added = randomEmail();
    const body = (await (await m.call("PUT", "/profile/v1.0/email", { email: added })).json()) as { user: Contacts };
    expect(body.user.emails).toEqual([{ email: added, primary: true, verified: false, active: true }]);
    const again = await m.call("PUT", "/profile/v1.0/email", { email: added });
    expect(again.status).toBe(200);
    // The link went out a moment ago: none now (cooldown), and the answer says so.
    expect(((await again.json()) as { verify_email_link: boolean }).verify_email_link).toBe(false);
    expect((await contactRows(m.userId)).emails).toHaveLength(1);
    expect(await eventTypes(m.userId)).toEqual(["user.contact_added"]);
  });

  it("adds a mobile number", async () => {
    const m = await member(await createTenant());
    const added = randomMobile();
    const res = await m.call("PUT", "/profile/v1.0/mobile", { phone: added, country_code: "91" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { verify_mobile_link: boolean }).verify_mobile_link).toBe(true);
    expect((await contactRows(m.userId)).phones).toContainEqual({ address: e164(added), primary: 0, verified: 0, active: 1 });
    expect((await lastMessage(e164(added))).link).toContain("/auth/verify-mobile?code=");
  });

  it("refuses a contact another account holds (409) and bad input (400), writing nothing", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const other = await member(tenant);
    await expectError(await m.call("PUT", "/profile/v1.0/email", { email: other.email }), 409, "CONTACT_TAKEN");
    await expectError(await m.call("PUT", "/profile/v1.0/mobile", { phone: other.mobile, country_code: "91" }), 409, "CONTACT_TAKEN");
    await expectError(await m.call("PUT", "/profile/v1.0/email", { email: "nope" }), 400, "VALIDATION_FAILED");
    await expectError(await m.call("PUT", "/profile/v1.0/email", {}), 400, "VALIDATION_FAILED");
    await expectError(await m.call("PUT", "/profile/v1.0/mobile", { phone: "123", country_code: "91" }), 400, "VALIDATION_FAILED");
    await expectError(await m.call("PUT", "/profile/v1.0/mobile", { phone: randomMobile(), country_code: "x1" }), 400, "VALIDATION_FAILED");
    expect(await contactRows(m.userId)).toEqual({
      emails: [{ address: m.email, primary: 1, verified: 1, active: 1 }],
      phones: [{ address: e164(m.mobile!), primary: 1, verified: 1, active: 1 }],
    });
    expect(await outbox(other.email!)).toEqual([]);
    expect(await eventTypes(m.userId)).toEqual([]);
  });

  it("caps the contacts of one kind", async () => {
    const tenant = await createTenant();
    const m = await withEmails(tenant, Array.from({ length: 10 }, (_, i) => [randomEmail(), i === 0, true] as [string, boolean, boolean]));
    await expectError(await m.call("PUT", "/profile/v1.0/email", { email: randomEmail() }), 400, "TOO_MANY_CONTACTS");
  });
});

describe("deleteEmail / deleteMobileNumber", () => {
  it("removes the entry named exactly; wrong flags, the primary and the last verified contact are refused", async () => {
    const tenant = await createTenant();
    const [primary, spare, pending] = [randomEmail(), randomEmail(), randomEmail()];
    const m = await withEmails(tenant, [
      [primary, true, false],
      [spare, false, true],
      [pending, false, false],
    ]);
    const del = (email: string, flags: { primary: boolean; verified: boolean; active?: boolean }) =>
      m.call("DELETE", `/profile/v1.0/email${query({ email, active: flags.active ?? true, primary: flags.primary, verified: flags.verified })}`);

    await expectError(await del(spare, { primary: false, verified: false }), 404, "NOT_FOUND");
    await expectError(await del(spare, { primary: false, verified: true, active: false }), 404, "NOT_FOUND");
    await expectError(await del(randomEmail(), { primary: false, verified: false }), 404, "NOT_FOUND");
    await expectError(await del(primary, { primary: true, verified: false }), 400, "PRIMARY_CONTACT");
    // The only verified contact (the primary is unverified).
    await expectError(await del(spare, { primary: false, verified: true }), 400, "LAST_VERIFIED_CONTACT");
    expect((await contactRows(m.userId)).emails).toHaveLength(3);

    const res = await del(pending, { primary: false, verified: false });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: Contacts }).user.emails.map((e) => e.email)).toEqual([primary, spare]);
    expect(await eventTypes(m.userId)).toContain("user.contact_removed");
  });

  it("refuses missing or malformed query flags", async () => {
    const m = await member(await createTenant());
    await expectError(await m.call("DELETE", `/profile/v1.0/email${query({ email: m.email!, primary: false, verified: true })}`), 400, "VALIDATION_FAILED");
    await expectError(await m.call("DELETE", `/profile/v1.0/email${query({ email: m.email!, active: "yes", primary: false, verified: true })}`), 400, "VALIDATION_FAILED");
    await expectError(await m.call("DELETE", `/profile/v1.0/mobile${query({ phone: m.mobile!, active: true, primary: false, verified: true })}`), 400, "VALIDATION_FAILED");
  });

  it("removes a verified mobile number while a verified email remains", async () => {
    const m = await member(await createTenant());
    const second = randomMobile();
    await m.call("PUT", "/profile/v1.0/mobile", { phone: second, country_code: "91" });
    const res = await m.call("DELETE", `/profile/v1.0/mobile${query({ phone: second, country_code: "91", active: true, primary: false, verified: false })}`);
    expect(res.status).toBe(200);
    expect((await contactRows(m.userId)).phones.map((p) => p.address)).toEqual([e164(m.mobile!)]);
  });

  it("two concurrent removals of the last two verified spares: one verified contact always stays", async () => {
    const tenant = await createTenant();
    const [a, b] = [randomEmail(), randomEmail()];
    const m = await withEmails(tenant, [
      [randomEmail(), true, false],
      [a, false, true],
      [b, false, true],
    ]);
    const results = await Promise.all(
      [a, b].map((email) => m.call("DELETE", `/profile/v1.0/email${query({ email, active: true, primary: false, verified: true })}`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await contactRows(m.userId)).emails.filter((e) => e.verified === 1)).toHaveLength(1);
  });
});

describe("setEmailAsPrimary / setMobileNumberAsPrimary", () => {
  it("10 concurrent calls with 10 different verified emails leave exactly one primary", async () => {
    const tenant = await createTenant();
    const emails = Array.from({ length: 10 }, () => randomEmail());
    const m = await withEmails(tenant, emails.map((email, i) => [email, i === 0, true] as [string, boolean, boolean]));
    const results = await Promise.all(emails.map((email) => m.call("POST", "/profile/v1.0/email/primary", { email })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const stored = await contactRows(m.userId);
    expect(stored.emails.filter((e) => e.primary === 1)).toHaveLength(1);
    expect(stored.emails).toHaveLength(10);
  });

  it("a concurrent removal and promotion of the same email never leave the account without a primary", async () => {
    const tenant = await createTenant();
    const [first, second] = [randomEmail(), randomEmail()];
    const m = await withEmails(tenant, [
      [first, true, true],
      [second, false, true],
    ]);
    await Promise.all([
      m.call("DELETE", `/profile/v1.0/email${query({ email: second, active: true, primary: false, verified: true })}`),
      m.call("POST", "/profile/v1.0/email/primary", { email: second }),
    ]);
    const { emails } = await contactRows(m.userId);
    expect(emails.filter((e) => e.primary === 1)).toHaveLength(1);
  });

  it("promotes a verified mobile number; refuses unknown ones and bad input", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const second = randomMobile();
    const admin = await adminFor(tenant);
    await admin.api(
      `/customers/${m.userId}`,
      json(
        {
          phone_numbers: [
            { phone: m.mobile, country_code: "91", primary: true, verified: true, active: true },
            { phone: second, country_code: "91", primary: false, verified: true, active: true },
          ],
        },
        { method: "PUT" },
      ),
    );
    const res = await m.call("POST", "/profile/v1.0/mobile/primary", { phone: second, country_code: "91", active: true, primary: false, verified: true });
    expect(res.status).toBe(200);
    expect((await contactRows(m.userId)).phones.find((p) => p.primary === 1)!.address).toBe(e164(second));
    await expectError(await m.call("POST", "/profile/v1.0/mobile/primary", { phone: randomMobile(), country_code: "91" }), 404);
    await expectError(await m.call("POST", "/profile/v1.0/email/primary", { email: 5 }), 400, "VALIDATION_FAILED");
  });
});

describe("sendVerificationLinkToEmail / Mobile", () => {
  it("sends a link to an unverified contact of the account, nothing for a verified one, refuses others", async () => {
    const m = await member(await createTenant(), { verified: false });
    const res = await m.call("POST", "/profile/v1.0/email/link/send", { email: m.email });
    expect(await res.json()).toEqual({ verify_email_link: true });
    expect((await lastMessage(m.email!)).purpose).toBe("verify_link");
    const mobile = await m.call("POST", "/profile/v1.0/mobile/link/send", { phone: m.mobile, country_code: "91" });
    expect(await mobile.json()).toEqual({ verify_mobile_link: true });

    await post(m.tenant, "/authentication/v1.0/verify/email", { code: await lastLinkCode(m.email!) });
    expect(await (await m.call("POST", "/profile/v1.0/email/link/send", { email: m.email })).json()).toEqual({ verify_email_link: false });
    await expectError(await m.call("POST", "/profile/v1.0/email/link/send", { email: randomEmail() }), 400, "CONTACT_NOT_FOUND");
  });

  it("needs a session", async () => {
    const tenant = await createTenant();
    const res = await call("/service/application/user/profile/v1.0/email/link/send", json({ email: randomEmail() }, { method: "POST", headers: { authorization: tenant.appAuth } }));
    await expectError(res, 401);
  });
});

describe("contact statements at scale", () => {
  it("every guarded contact write walks the user's own index entries, never a table", async () => {
    const m = await member(await createTenant(), { email: false, mobile: false });
    const { d1, statements } = recordingD1();
    const repo = new ContactsRepo(database(d1));
    const [app, user] = [m.tenant.applicationId, m.userId];
    const phone = { countryCode: 91, phone: "9876543210", e164: "+919876543210" };
    await repo.add(app, user, { channel: "email", email: "a@example.com" });
    await repo.add(app, user, { channel: "sms", phone });
    await repo.remove(app, user, "email", "a@example.com", { active: true, primary: false, verified: true });
    await repo.setPrimary(app, user, "sms", phone.e164);
    await database(d1).batch(repo.verifiedPrimaryStatements(app, user, { channel: "email", email: "b@example.com" }, new Date().toISOString()) as [never]);
    const plans = await queryPlans(statements);
    expect(plans.length).toBeGreaterThanOrEqual(10);
    for (const plan of plans) expect(plan).not.toMatch(/SCAN (users|user_emails|user_phones)\b/);
  });
});
