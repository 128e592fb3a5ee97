import { describe, expect, it } from "vitest";
import { expectError } from "./support/http";
import { e164, lastCode, lastMessage, outbox, randomEmail, randomMobile, wrongCode } from "./support/otp";
import { contactRows, eventTypes, member, primaryProof, type Member } from "./support/profile";
import { createTenant } from "./support/tenants";
import { createUser } from "./support/users";

const v2 = (entity: "email" | "mobile", step: string) => `/profile/v2.0/${entity}/${step}`;

async function sendForUpdate(m: Member, entity: "email" | "mobile", proof: string, contact: Record<string, unknown>) {
  return m.call("POST", v2(entity, "otp/send"), { request_id: proof, ...contact });
}

describe("profile v2: change the primary contact after proving the current one", () => {
  it("email: primary OTP → proof → OTP to the new email → it becomes the verified primary", async () => {
    const m = await member(await createTenant());
    const sent = await m.call("POST", v2("email", "primary/otp/send"), { encrypt_otp: true });
    expect(sent.status).toBe(200);
    const sentBody = (await sent.json()) as { request_id: string; email: string; resend_timer: number };
    expect(sentBody).toMatchObject({ email: m.email, resend_timer: 30 });
    expect((await lastMessage(m.email!)).purpose).toBe("reauth");

    const code = await lastCode(m.email!);
    await expectError(await m.call("POST", v2("email", "primary/otp/verify"), { request_id: sentBody.request_id, otp: wrongCode(code) }), 400, "OTP_INVALID");
    const verified = await m.call("POST", v2("email", "primary/otp/verify"), { request_id: sentBody.request_id, otp: code });
    expect(verified.status).toBe(200);
    const proof = (await verified.json()) as { success: boolean; request_id: string; entity: string };
    expect(proof).toMatchObject({ success: true, entity: "email" });

    const next = randomEmail();
    const update = await sendForUpdate(m, "email", proof.request_id, { email: next });
    expect(update.status).toBe(200);
    const { request_id } = (await update.json()) as { request_id: string };
    expect((await lastMessage(next)).purpose).toBe("verify_contact");
    const done = await m.call("POST", v2("email", "otp/verify"), { request_id, email: next, otp: await lastCode(next) });
    expect(done.status).toBe(200);
    const { user } = (await done.json()) as { user: { emails: { email: string; primary: boolean; verified: boolean }[] } };
    expect(user.emails[0]).toEqual({ email: next, primary: true, verified: true, active: true });
    expect(user.emails[1]).toMatchObject({ email: m.email, primary: false, verified: true });
    expect(await eventTypes(m.userId)).toEqual(["user.contact_changed"]);
  });

  it("mobile: a user without a phone proves its email, then adds a first phone as primary", async () => {
    const m = await member(await createTenant(), { mobile: false });
    const proof = await primaryProof(m, "mobile");
    const next = randomMobile();
    const update = await sendForUpdate(m, "mobile", proof, { mobile: next, country_code: "91" });
    expect(update.status).toBe(200);
    const body = (await update.json()) as { request_id: string; mobile: string; country_code: string };
    expect(body).toMatchObject({ mobile: next, country_code: "91" });
    const done = await m.call("POST", v2("mobile", "otp/verify"), { request_id: body.request_id, otp: await lastCode(e164(next)) });
    expect(done.status).toBe(200);
    expect((await contactRows(m.userId)).phones).toEqual([{ address: e164(next), primary: 1, verified: 1, active: 1 }]);
  });

  it("the proof is single use, bound to the user and to the kind of contact", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const stranger = await member(tenant);
    const proof = await primaryProof(m, "email");

    await expectError(await sendForUpdate(stranger, "email", proof, { email: randomEmail() }), 400, "LINK_INVALID");
    await expectError(await sendForUpdate(m, "mobile", proof, { mobile: randomMobile(), country_code: "91" }), 400, "LINK_INVALID");
    const first = await sendForUpdate(m, "email", proof, { email: randomEmail() });
    expect(first.status).toBe(200);
    const again = randomEmail();
    await expectError(await sendForUpdate(m, "email", proof, { email: again }), 400, "LINK_INVALID");
    expect(await outbox(again)).toEqual([]);
  });

  it("without a proof, or with a made-up one, nothing is sent", async () => {
    const m = await member(await createTenant());
    const next = randomEmail();
    await expectError(await m.call("POST", v2("email", "otp/send"), { email: next }), 400, "VALIDATION_FAILED");
    await expectError(await sendForUpdate(m, "email", "x".repeat(43), { email: next }), 400, "LINK_INVALID");
    await expectError(await sendForUpdate(m, "email", "short", { email: next }), 400, "VALIDATION_FAILED");
    expect(await outbox(next)).toEqual([]);
  });

  it("checks the new contact before using up the proof: missing, invalid, current or taken ones keep it", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const other = await member(tenant);
    const proof = await primaryProof(m, "email");
    await expectError(await sendForUpdate(m, "email", proof, {}), 400, "VALIDATION_FAILED");
    await expectError(await sendForUpdate(m, "email", proof, { email: "nope" }), 400, "VALIDATION_FAILED");
    await expectError(await sendForUpdate(m, "email", proof, { email: m.email }), 400, "ALREADY_PRIMARY");
    await expectError(await sendForUpdate(m, "email", proof, { email: other.email }), 409, "CONTACT_TAKEN");
    expect(await outbox(other.email!)).toEqual([]);
    expect((await sendForUpdate(m, "email", proof, { email: randomEmail() })).status).toBe(200);
  });

  it("a contact verified by one account cannot be claimed by another, even when both were sent a code", async () => {
    // No resend cooldown: the second account's code to the same address goes out at once.
    const tenant = await createTenant({ config: { otp: { resend_timer: 0 } } });
    const [a, b] = [await member(tenant), await member(tenant)];
    const wanted = randomEmail();
    const codeFor = async (m: Member) => {
      const res = await sendForUpdate(m, "email", await primaryProof(m, "email"), { email: wanted });
      expect(res.status).toBe(200);
      return { request_id: ((await res.json()) as { request_id: string }).request_id, otp: await lastCode(wanted) };
    };
    const forA = await codeFor(a);
    const forB = await codeFor(b);
    // B's send superseded A's code (one live code per address and purpose); B completes first.
    await expectError(await a.call("POST", v2("email", "otp/verify"), forA), 400, "OTP_EXPIRED");
    expect((await b.call("POST", v2("email", "otp/verify"), forB)).status).toBe(200);
    // A tries again: refused before anything is sent, and the database would refuse it anyway.
    await expectError(await sendForUpdate(a, "email", await primaryProof(a, "email"), { email: wanted }), 409, "CONTACT_TAKEN");
    expect((await contactRows(a.userId)).emails.map((e) => e.address)).toEqual([a.email]);
  });

  it("answers 409 at verification when another account claimed the address after the code was sent", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const wanted = randomEmail();
    const sent = await sendForUpdate(m, "email", await primaryProof(m, "email"), { email: wanted });
    const { request_id } = (await sent.json()) as { request_id: string };
    await createUser(tenant, { email: wanted });
    await expectError(await m.call("POST", v2("email", "otp/verify"), { request_id, otp: await lastCode(wanted) }), 409, "CONFLICT");
    expect((await contactRows(m.userId)).emails).toEqual([{ address: m.email, primary: 1, verified: 1, active: 1 }]);
  });

  it("the primary OTP only proves control for a contact change, and only for that user", async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const other = await member(tenant);
    // A deletion code is not a contact-change code.
    const sent = (await (await m.call("POST", v2("email", "primary/otp/send"), { action: "delete_account" })).json()) as { request_id: string };
    expect((await lastMessage(m.email!)).purpose).toBe("delete_account");
    await expectError(await m.call("POST", v2("email", "primary/otp/verify"), { request_id: sent.request_id, otp: await lastCode(m.email!) }), 400, "OTP_EXPIRED");
    // Another user's code for its own primary proves nothing about this account.
    const theirs = (await (await other.call("POST", v2("email", "primary/otp/send"), {})).json()) as { request_id: string };
    await expectError(await m.call("POST", v2("email", "primary/otp/verify"), { request_id: theirs.request_id, otp: await lastCode(other.email!) }), 400, "OTP_EXPIRED");
  });

  it("refuses bad input and unknown entities", async () => {
    const m = await member(await createTenant());
    expect((await m.call("POST", "/profile/v2.0/phone/primary/otp/send", {})).status).toBe(400);
    await expectError(await m.call("POST", v2("email", "primary/otp/send"), { action: "explode" }), 400, "VALIDATION_FAILED");
    await expectError(await m.call("POST", v2("email", "primary/otp/verify"), { request_id: "x", otp: "12" }), 400, "VALIDATION_FAILED");
    await expectError(await m.call("POST", v2("mobile", "otp/verify"), { otp: "123456" }), 400, "VALIDATION_FAILED");
  });
});
