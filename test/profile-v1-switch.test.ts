import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./support/http";
import { e164, lastCode, outbox, randomEmail, randomMobile } from "./support/otp";
import { contactRows, eventTypes, member, primaryProof, type Member } from "./support/profile";
import { adminHeaders, createTenant } from "./support/tenants";
import { usersRepo } from "./support/users";

const V1_OFF = { profile: { v1_contact_changes: false } };

const query = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

/** Everything a refused call could have touched: the contact rows, the timeline, the user row and messages out. */
async function snapshot(m: Member, addresses: string[]) {
  const user = await usersRepo().findById(m.tenant.applicationId, m.userId);
  return {
    contacts: await contactRows(m.userId),
    events: await eventTypes(m.userId),
    names: [user?.user.firstName, user?.user.lastName],
    messages: await Promise.all(addresses.map(outbox)),
  };
}

describe("profile.v1_contact_changes off: the v1 contact calls are refused", () => {
  it("add, delete and set-as-primary of emails and mobiles answer 403 and write nothing", async () => {
    const m = await member(await createTenant({ config: V1_OFF }));
    const email = randomEmail();
    const mobile = randomMobile();
    const before = await snapshot(m, [email, e164(mobile), m.email!, e164(m.mobile!)]);
    const refused = [
      m.call("PUT", "/profile/v1.0/email", { email }),
      m.call("PUT", "/profile/v1.0/mobile", { phone: mobile, country_code: "91" }),
      m.call("DELETE", `/profile/v1.0/email${query({ email: m.email!, active: "true", primary: "true", verified: "true" })}`),
      m.call("DELETE", `/profile/v1.0/mobile${query({ phone: m.mobile!, country_code: "91", active: "true", primary: "true", verified: "true" })}`),
      m.call("POST", "/profile/v1.0/email/primary", { email: m.email }),
      m.call("POST", "/profile/v1.0/mobile/primary", { phone: m.mobile, country_code: "91" }),
    ];
    for (const res of await Promise.all(refused)) {
      const body = await expectError(res, 403, "V1_CONTACT_CHANGES_DISABLED");
      expect(body.message).toContain("v2.0");
    }
    expect(await snapshot(m, [email, e164(mobile), m.email!, e164(m.mobile!)])).toEqual(before);
  });

  it("updateProfile with a new email or mobile is refused whole (names not written either); without one it still works", async () => {
    const m = await member(await createTenant({ config: V1_OFF }));
    const email = randomEmail();
    const mobile = randomMobile();
    const before = await snapshot(m, [email, e164(mobile)]);
    await expectError(await m.call("POST", "/profile/v1.0/detail", { first_name: "Mallory", email }), 403, "V1_CONTACT_CHANGES_DISABLED");
    await expectError(
      await m.call("POST", "/profile/v1.0/detail", { first_name: "Mallory", mobile: { phone: mobile, country_code: "91" } }),
      403,
      "V1_CONTACT_CHANGES_DISABLED",
    );
    expect(await snapshot(m, [email, e164(mobile)])).toEqual(before);

    // The current contacts repeated, and plain profile fields, are not contact changes.
    const same = await m.call("POST", "/profile/v1.0/detail", { first_name: "Asha", email: m.email, mobile: { phone: m.mobile, country_code: "91" } });
    expect(same.status).toBe(200);
    expect(((await same.json()) as { user: { first_name: string } }).user.first_name).toBe("Asha");
  });

  it("the v2 flow (proof on the current primary) still changes the primary email", async () => {
    const m = await member(await createTenant({ config: V1_OFF }));
    const proof = await primaryProof(m, "email");
    const next = randomEmail();
    const sent = await m.call("POST", "/profile/v2.0/email/otp/send", { request_id: proof, email: next });
    expect(sent.status).toBe(200);
    const { request_id } = (await sent.json()) as { request_id: string };
    expect((await m.call("POST", "/profile/v2.0/email/otp/verify", { request_id, email: next, otp: await lastCode(next) })).status).toBe(200);
    expect((await contactRows(m.userId)).emails).toContainEqual({ address: next, primary: 1, verified: 1, active: 1 });
  });

  it("is on by default (Fynd wire compatibility) and the platform config turns it off", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const url = `${tenant.plat}/platform/config`;
    const config = (await (await call(url, { headers: await adminHeaders(tenant) })).json()) as { profile: unknown; security_notifications: unknown };
    expect(config).toMatchObject({ profile: { v1_contact_changes: true }, security_notifications: { enable: true } });
    expect((await m.call("PUT", "/profile/v1.0/email", { email: randomEmail() })).status).toBe(200);

    const update = await call(url, json({ profile: { v1_contact_changes: false } }, { method: "POST", headers: await adminHeaders(tenant) }));
    expect(update.status).toBe(200);
    await expectError(await m.call("PUT", "/profile/v1.0/email", { email: randomEmail() }), 403, "V1_CONTACT_CHANGES_DISABLED");
    await expectError(
      await call(url, json({ profile: { v1_contact_changes: "no" } }, { method: "POST", headers: await adminHeaders(tenant) })),
      400,
      "VALIDATION_FAILED",
    );
  });
});
