import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GOOD_PASSWORD, SIGN_UP_LOGS_IN, countUsers, register } from "../support/accounts";
import { expectError } from "../support/http";
import { outbox, randomEmail } from "../support/otp";
import { createTenant } from "../support/tenants";
import { createUser } from "../support/users";

/*
 * registerWithForm must not tell who has an account: a taken email gets the answer a new one gets
 * (same fields, same status, no session either way under "hard" verification), its owner is told by a
 * notice, and attempts are counted per client IP and per contact before any password is hashed.
 */

const shape = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k === "email" ? "<email>" : typeof v === "string" && v.length > 20 ? "<token>" : v]));

describe("registration does not enumerate accounts", () => {
  it("a taken email and a new one get the same answer; the owner gets a register_attempt notice, no account is made", async () => {
    const tenant = await createTenant({ config: { user_exists_lookup: false } });
    const taken = randomEmail();
    await createUser(tenant, { email: taken });
    const fresh = randomEmail();
    const forTaken = await register(tenant, { email: taken, password: GOOD_PASSWORD, first_name: "Eve" });
    const forFresh = await register(tenant, { email: fresh, password: GOOD_PASSWORD, first_name: "Eve" });
    expect(forTaken.status).toBe(200);
    expect(forFresh.status).toBe(200);
    expect(forTaken.headers.get("set-cookie")).toBeNull();
    expect(forFresh.headers.get("set-cookie")).toBeNull();
    const [a, b] = [(await forTaken.json()) as Record<string, unknown>, (await forFresh.json()) as Record<string, unknown>];
    expect(shape(a)).toEqual(shape(b));
    expect(a.email).toBe(taken);
    expect(await countUsers(tenant)).toBe(2);
    const [notice] = await outbox(taken);
    expect(notice?.purpose).toBe("register_attempt");
    expect(notice?.code).toBeUndefined();
    expect((await outbox(fresh))[0]?.purpose).toBe("register");
  });

  it("the decoy register_token opens nothing", async () => {
    const tenant = await createTenant();
    const taken = randomEmail();
    await createUser(tenant, { email: taken });
    const { register_token } = (await (await register(tenant, { email: taken, password: GOOD_PASSWORD })).json()) as { register_token: string };
    expect(register_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keys = await env.OTP_KV.list({ prefix: `code:${tenant.applicationId}:register_token:` });
    expect(keys.keys).toEqual([]);
  });

  it("attempts per contact are limited exactly, before hashing: the 11th registration for one address in the hour is 429", async () => {
    const tenant = await createTenant({ config: { ...SIGN_UP_LOGS_IN, otp: { per_destination_per_hour: 3 } } });
    const taken = randomEmail();
    await createUser(tenant, { email: taken });
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => register(tenant, { email: taken, password: GOOD_PASSWORD, first_name: `n${i}` }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(await countUsers(tenant)).toBe(1);
  });

  it("attempts per client IP are limited across addresses", async () => {
    const tenant = await createTenant({ config: { ...SIGN_UP_LOGS_IN, otp: { per_ip_per_hour: 2 } } });
    const ip = { "cf-connecting-ip": "203.0.113.9" };
    expect((await register(tenant, { email: randomEmail(), password: GOOD_PASSWORD }, ip)).status).toBe(200);
    expect((await register(tenant, { email: randomEmail(), password: GOOD_PASSWORD }, ip)).status).toBe(200);
    await expectError(await register(tenant, { email: randomEmail(), password: GOOD_PASSWORD }, ip), 429);
    expect(await countUsers(tenant)).toBe(2);
    expect((await register(tenant, { email: randomEmail(), password: GOOD_PASSWORD }, { "cf-connecting-ip": "203.0.113.10" })).status).toBe(200);
  });
});
