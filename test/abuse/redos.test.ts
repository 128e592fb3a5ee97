import { describe, expect, it } from "vitest";
import { defineAttribute } from "../support/attributes";
import { call } from "../support/http";
import { adminHeaders, createTenant, type Tenant } from "../support/tenants";

/*
 * getAttributesDefinition `name=` is caller text on a public (application-credential) route: it is
 * matched as a case-insensitive substring, never compiled as a regular expression, so a
 * backtracking pattern is just characters. (How fast it answers is measured in bench/, not here.)
 */

const PATHOLOGICAL = ".*.*.*.*.*.*.*.*.*!";

async function names(tenant: Tenant, name: string): Promise<string[]> {
  const res = await call(`/service/application/user/profile/v1.0/attributes/definition?name=${encodeURIComponent(name)}`, {
    headers: { authorization: tenant.appAuth },
  });
  expect(res.status, name).toBe(200);
  return ((await res.json()) as { items: { name: string }[] }).items.map((i) => i.name).sort();
}

describe("no caller-supplied regular expression on the storefront", () => {
  it("a pathological pattern is taken literally: it matches only a name containing those very characters", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const long = "a".repeat(60);
    await defineAttribute(tenant, headers, { name: `Nickname ${long}`, slug: "nick", type: "string", customer_editable: true });
    await defineAttribute(tenant, headers, { name: `Motto ${PATHOLOGICAL}`, slug: "motto", type: "string", customer_editable: true });
    await defineAttribute(tenant, headers, { name: "Favourite colour", slug: "colour", type: "string", customer_editable: true });

    expect(await names(tenant, `${PATHOLOGICAL}${long}`)).toEqual([]);
    expect(await names(tenant, PATHOLOGICAL)).toEqual([`Motto ${PATHOLOGICAL}`]);
    expect(await names(tenant, ".*")).toEqual([`Motto ${PATHOLOGICAL}`]);
    // What used to be regex syntax is plain text now: no 400 for an "invalid" or "unsafe" pattern.
    expect(await names(tenant, "(a+)+$")).toEqual([]);
    expect(await names(tenant, "[")).toEqual([]);
    expect(await names(tenant, "COLOUR")).toEqual(["Favourite colour"]);
    expect(await names(tenant, "^fav")).toEqual([]);
  });
});
