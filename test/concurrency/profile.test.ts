import { describe, expect, it } from "vitest";
import { userRow } from "../support/accounts";
import { adminFor, send } from "../support/customers";
import { member } from "../support/profile";
import { createTenant } from "../support/tenants";

const DETAIL = "/profile/v1.0/detail";
const N = 8;

/** The fields both the customer (updateProfile) and the store (updateUser) can set. */
const profile = (i: number) => ({ first_name: `First-${i}`, last_name: `Last-${i}`, gender: i % 2 ? "female" : "male", dob: `19${50 + i}-01-0${1 + (i % 9)}` });
const storedProfile = async (userId: string) => {
  const row = (await userRow(userId)) as { first_name: string; last_name: string; gender: string | null; dob: string | null };
  return { first_name: row.first_name, last_name: row.last_name, gender: row.gender, dob: row.dob?.slice(0, 10) ?? null };
};

/**
 * The customer editing their profile while the store edits the same user: each write is whole, so the
 * stored profile is exactly one accepted request's, never a mix of two (no field lost to another write).
 */
describe("concurrent profile edits of one user, from the storefront and the platform", () => {
  it(`${N} edits at once from both sides end as one of them, whole`, async () => {
    const tenant = await createTenant();
    const m = await member(tenant);
    const admin = await adminFor(tenant);
    const bodies = Array.from({ length: N }, (_, i) => profile(i));
    const responses = await Promise.all(
      bodies.map((body, i) => (i % 2 ? m.call("POST", DETAIL, body) : admin.api(`/customers/${m.userId}`, send("PUT", body)))),
    );
    const accepted = bodies.filter((_, i) => responses[i]!.status === 200);
    for (const res of responses) expect([200, 409]).toContain(res.status);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted).toContainEqual(await storedProfile(m.userId));
  });
});
