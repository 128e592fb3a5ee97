import { describe, expect, it } from "vitest";
import { login, registeredUser, uniqueEmail } from "../support/accounts";
import { expectError } from "../support/http";
import { createTenant } from "../support/tenants";

/** Failed password checks one client IP may make per hour, across all accounts (src/services/login-throttle.ts). */
const IP_LIMIT = 100;
const SPRAYED = ["Password123!", "Welcome2024!", "Summer2024!!"];
const fromIp = (ip: string) => ({ "cf-connecting-ip": ip });

/**
 * Spraying: a few common passwords against many accounts from one address, so no single account sees
 * enough failures to lock. The address itself is what runs out: across all accounts (real and unknown,
 * concurrently) at most IP_LIMIT checks are made, the rest are 429 with Retry-After, none succeeds, the
 * sprayer is then refused even a right password, and every owner still logs in from elsewhere.
 */
describe("password spraying across accounts from one IP", () => {
  it(`checks at most ${IP_LIMIT} passwords for one address, whatever the accounts, and locks out no owner`, async () => {
    const tenant = await createTenant({ config: { account_lockout: { enable: true, attempts: 5, duration: 600 } } });
    const owners = await Promise.all(Array.from({ length: 8 }, () => registeredUser(tenant)));
    const usernames = [...owners.map((o) => o.email), ...Array.from({ length: 112 }, () => uniqueEmail())];
    const sprayer = fromIp("203.0.113.66");

    const attempts = usernames.flatMap((username, i) => (i < owners.length ? SPRAYED : [SPRAYED[i % SPRAYED.length]!]).map((password) => ({ username, password })));
    expect(attempts.length).toBeGreaterThan(IP_LIMIT);
    const responses = await Promise.all(attempts.map(({ username, password }) => login(tenant, username, password, sprayer)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(0);
    expect(statuses.filter((s) => s === 401)).toHaveLength(IP_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(attempts.length - IP_LIMIT);
    const refused = responses.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    // The address is locked for every account, even with the right password...
    await expectError(await login(tenant, owners[0]!.email, owners[0]!.password, sprayer), 429, "TOO_MANY_REQUESTS");
    // ...and no owner is: three failures each stayed under every per-account limit.
    for (const owner of owners) expect((await login(tenant, owner.email, owner.password, fromIp("198.51.100.30"))).status).toBe(200);
  });
});
