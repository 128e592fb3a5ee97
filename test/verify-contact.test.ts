import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { EventsRepo } from "../src/db/events-repo";
import { expectError } from "./support/http";
import { e164, lastLinkCode, lastMessage, outbox, post, randomEmail, randomMobile } from "./support/otp";
import { sendLinkFor } from "./support/links";
import { createTenant, type Tenant } from "./support/tenants";
import { createUser, usersRepo } from "./support/users";

const verifyEmail = (tenant: Tenant, code: string) => post(tenant, "/authentication/v1.0/verify/email", { code });
const verifyMobile = (tenant: Tenant, code: string) => post(tenant, "/authentication/v1.0/verify/mobile", { code });

describe("verification links", () => {
  it("verifyEmail marks the email verified once; the code then stops working", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    const user = await createUser(tenant, { email, verified: false });
    expect(await sendLinkFor(tenant, user, { channel: "email", address: email })).toBe(true);
    const message = await lastMessage(email);
    expect(message).toMatchObject({ channel: "email", purpose: "verify_link" });
    expect(message.link).toMatch(/^https:\/\/shop\.test\/auth\/verify-email\?code=/);
    const code = await lastLinkCode(email);

    await expectError(await verifyMobile(tenant, code), 400, "LINK_INVALID");
    await expectError(await verifyEmail(await createTenant(), code), 400, "LINK_INVALID");
    const res = await verifyEmail(tenant, code);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "verified" });
    const stored = await usersRepo().findById(tenant.applicationId, user.user.id);
    expect(stored!.emails[0]!.verified).toBe(true);
    const events = await new EventsRepo(database(env.DB)).forUser(tenant.applicationId, user.user.id);
    expect(events.map((e) => e.type)).toEqual(["user.contact_verified"]);
    await expectError(await verifyEmail(tenant, code), 400, "LINK_INVALID");
    // Already verified: nothing more is sent.
    expect(await sendLinkFor(tenant, stored!, { channel: "email", address: email })).toBe(false);
    expect((await outbox(email)).length).toBe(1);
  });

  it("verifyMobile marks the phone verified", async () => {
    const tenant = await createTenant();
    const mobile = randomMobile();
    const user = await createUser(tenant, { mobile, verified: false });
    await sendLinkFor(tenant, user, { channel: "sms", address: e164(mobile) });
    const code = await lastLinkCode(e164(mobile));
    expect((await verifyMobile(tenant, code)).status).toBe(200);
    const stored = await usersRepo().findById(tenant.applicationId, user.user.id);
    expect(stored!.phones[0]!.verified).toBe(true);
  });

  it("refuses contacts that are not on the account", async () => {
    const tenant = await createTenant();
    const user = await createUser(tenant, { email: randomEmail(), verified: false });
    await expect(sendLinkFor(tenant, user, { channel: "email", address: randomEmail() })).rejects.toMatchObject({ code: "CONTACT_NOT_FOUND" });
  });

  it("answers 409 when another account verified the address first", async () => {
    const tenant = await createTenant();
    const email = randomEmail();
    // An unclaimed (unverified, not primary) entry can sit on one account while another claims the address.
    const first = await createUser(tenant, { email, verified: false, primary: false });
    await sendLinkFor(tenant, first, { channel: "email", address: email });
    const code = await lastLinkCode(email);
    await createUser(tenant, { email });
    await expectError(await verifyEmail(tenant, code), 409, "CONFLICT");
  });
});
