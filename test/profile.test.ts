import { describe, expect, it } from "vitest";
import { expectError } from "./support/http";
import { e164, lastCode, lastMessage, outbox, randomEmail, randomMobile, wrongCode } from "./support/otp";
import { contactRows, eventTypes, member, storefrontCall } from "./support/profile";
import { createTenant } from "./support/tenants";
import { userRow } from "./support/accounts";

const DETAIL = "/profile/v1.0/detail";

type Edited = {
  user: { first_name: string; last_name: string; gender: string | null; dob: string | null; profile_pic_url: string; consent: unknown; emails: unknown[] };
  verify_email_otp: boolean;
  verify_mobile_otp: boolean;
  request_id?: string;
  resend_email_token?: string;
  resend_token?: string;
  mobile?: string;
  country_code?: string;
  email?: string;
};

describe("updateProfile", () => {
  it("changes names, gender, dob, picture and consent, and records the change", async () => {
    const m = await member(await createTenant());
    const res = await m.call("POST", DETAIL, {
      first_name: "  Asha ",
      last_name: "Rao",
      gender: "Female",
      dob: "1990-04-01T00:00:00.000+05:30",
      profile_pic_url: "https://cdn.example.com/a.png",
      consent: true,
      encrypt_otp: false,
      sender: "ignored",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Edited;
    expect(body).toMatchObject({ success: true, verify_email_otp: false, verify_mobile_otp: false });
    expect(body.user).toMatchObject({
      first_name: "Asha",
      last_name: "Rao",
      gender: "female",
      dob: "1990-03-31T18:30:00.000Z",
      profile_pic_url: "https://cdn.example.com/a.png",
      consent: { privacy_policy: { value: true } },
    });
    const row = await userRow(m.userId);
    expect(row).toMatchObject({ first_name: "Asha", gender: "female", dob: "1990-03-31T18:30:00.000Z" });
    expect(await eventTypes(m.userId)).toEqual(["user.profile_updated"]);

    // null clears gender and dob; an empty picture URL removes it.
    const cleared = (await (await m.call("POST", DETAIL, { gender: null, dob: null, profile_pic_url: "" })).json()) as Edited;
    // Unset fields are left out of UserSchema (the SDK's models refuse null), not sent as null.
    expect(cleared.user).toMatchObject({ profile_pic_url: "", first_name: "Asha" });
    expect(cleared.user).not.toHaveProperty("gender");
    expect(cleared.user).not.toHaveProperty("dob");
    expect(await userRow(m.userId)).toMatchObject({ gender: null, dob: null });
  });

  it("refuses bad input with 400 naming the field, and writes nothing", async () => {
    const m = await member(await createTenant());
    const before = await userRow(m.userId);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const bad: [Record<string, unknown>, string][] = [
      [{ gender: "robot" }, "gender"],
      [{ gender: 1 }, "gender"],
      [{ dob: tomorrow }, "dob"],
      [{ dob: "1899-12-31T00:00:00.000Z" }, "dob"],
      [{ dob: "yesterday" }, "dob"],
      [{ dob: "1990-02-30" }, "dob"],
      [{ profile_pic_url: "http://cdn.example.com/a.png" }, "profile_pic_url"],
      [{ profile_pic_url: "javascript:alert(1)" }, "profile_pic_url"],
      [{ first_name: "x".repeat(101) }, "first_name"],
      [{ consent: "yes" }, "consent"],
      [{ first_name: "Ok", email: "not-an-email" }, "email"],
      [{ first_name: "Ok", mobile: { phone: "12", country_code: "91" } }, "mobile"],
      [{ mobile: { phone: "9876543210", country_code: "abc" } }, "mobile.country_code"],
    ];
    for (const [body, field] of bad) {
      const error = await expectError(await m.call("POST", DETAIL, body), 400, "VALIDATION_FAILED");
      expect((error.info as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
    }
    expect(await userRow(m.userId)).toEqual(before);
    expect(await eventTypes(m.userId)).toEqual([]);
  });

  it("needs a session", async () => {
    const tenant = await createTenant();
    await expectError(await storefrontCall(tenant, undefined, "POST", DETAIL, { first_name: "X" }), 401);
    await expectError(await storefrontCall(tenant, "f.session=forged", "POST", DETAIL, { first_name: "X" }), 401);
  });

  it("a new email is only sent an OTP; it replaces the primary once verifyOTPForUpdate gets the OTP back", async () => {
    const m = await member(await createTenant(), { mobile: false });
    const next = randomEmail();
    const res = await m.call("POST", DETAIL, { first_name: "Mira", email: next.toUpperCase() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Edited;
    expect(body).toMatchObject({ verify_email_otp: true, verify_mobile_otp: false, email: next });
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.resend_email_token).toBeTruthy();
    expect(body.user.first_name).toBe("Mira");
    expect((await lastMessage(next)).purpose).toBe("verify_contact");
    // Not changed yet.
    expect((await contactRows(m.userId)).emails).toEqual([{ address: m.email, primary: 1, verified: 1, active: 1 }]);

    const code = await lastCode(next);
    await expectError(await m.call("POST", "/profile/v2.0/email/otp/verify", { email: next, otp: wrongCode(code) }), 400, "OTP_INVALID");
    expect((await contactRows(m.userId)).emails).toHaveLength(1);

    const done = await m.call("POST", "/profile/v2.0/email/otp/verify", { email: next, otp: code });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { user_exists: boolean }).user_exists).toBe(true);
    // The new one is the verified primary; the old one stays, no longer primary.
    expect((await contactRows(m.userId)).emails).toEqual(
      [
        { address: m.email, primary: 0, verified: 1, active: 1 },
        { address: next, primary: 1, verified: 1, active: 1 },
      ].sort((a, b) => a.address!.localeCompare(b.address!)),
    );
    expect(await eventTypes(m.userId)).toEqual(["user.profile_updated", "user.contact_changed"]);
    // The OTP works once.
    await expectError(await m.call("POST", "/profile/v2.0/email/otp/verify", { email: next, otp: code }), 400, "OTP_EXPIRED");
  });

  it("a new mobile is sent an OTP and answers its request_id; verifying with it makes it the primary", async () => {
    const m = await member(await createTenant());
    const next = randomMobile();
    const body = (await (await m.call("POST", DETAIL, { mobile: { phone: next, country_code: "+91" } })).json()) as Edited;
    expect(body).toMatchObject({ verify_mobile_otp: true, verify_email_otp: false, mobile: next, country_code: "91" });
    expect(body.resend_token).toBeTruthy();
    const code = await lastCode(e164(next));
    const done = await m.call("POST", "/profile/v2.0/mobile/otp/verify", { request_id: body.request_id, otp: code });
    expect(done.status).toBe(200);
    const { phones } = await contactRows(m.userId);
    expect(phones.find((p) => p.primary === 1)!.address).toBe(e164(next));
    expect(phones).toHaveLength(2);
  });

  it("sends nothing when the email is already the primary, and answers 409 (nothing written) when another account holds it", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const other = await member(tenant);
    const same = (await (await m.call("POST", DETAIL, { email: m.email })).json()) as Edited;
    expect(same.verify_email_otp).toBe(false);
    expect(await outbox(m.email!)).toEqual([]);

    await expectError(await m.call("POST", DETAIL, { first_name: "Taken", email: other.email }), 409, "CONTACT_TAKEN");
    expect(await outbox(other.email!)).toEqual([]);
    expect((await userRow(m.userId))!.first_name).toBe("");
    expect(await eventTypes(m.userId)).toEqual([]);
  });

  it("a code for an email does not complete a mobile change", async () => {
    const m = await member(await createTenant());
    const next = randomEmail();
    const { request_id } = (await (await m.call("POST", DETAIL, { email: next })).json()) as Edited;
    const res = await m.call("POST", "/profile/v2.0/mobile/otp/verify", { request_id, otp: await lastCode(next) });
    await expectError(res, 400, "OTP_EXPIRED");
    expect((await contactRows(m.userId)).emails).toHaveLength(1);
  });
});
