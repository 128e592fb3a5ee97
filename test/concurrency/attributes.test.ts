import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defineAttribute, definitionKey, indexRows, loggedInCustomer, setAttribute } from "../support/attributes";
import { call, json } from "../support/http";
import { adminHeaders, createTenant } from "../support/tenants";

const STOREFRONT_ATTRIBUTES = "/service/application/user/profile/v1.0/user-attributes";
const N = 8;

/** Value rows per (user, definition): a single-valued attribute has at most one, whatever raced. */
async function duplicateValueRows(userId: string) {
  const { results } = await env.DB.prepare(
    "select definition_id, count(*) as n from user_attributes where user_id = ? group by definition_id having n > 1",
  )
    .bind(userId)
    .all();
  return results;
}

describe("concurrent attribute writes on one user", () => {
  it(`${N} platform writes of one value at once: it ends as one of them, stored and indexed once`, async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const nick = await defineAttribute(tenant, headers, { name: "Nickname", slug: "nick", type: "string" });
    const { userId, cookie } = await loggedInCustomer(tenant);
    const values = Array.from({ length: N }, (_, i) => `nick-${i}`);
    const responses = await Promise.all(values.map((v) => setAttribute(tenant, headers, nick._id, userId, v)));
    const accepted = values.filter((_, i) => responses[i]!.status === 200);
    expect(accepted.length).toBeGreaterThan(0);
    const read = (await (await call(STOREFRONT_ATTRIBUTES, { headers: { authorization: tenant.appAuth, cookie } })).json()) as { attributes: Record<string, unknown> };
    expect(accepted).toContain(read.attributes.nick);
    expect(await duplicateValueRows(userId)).toEqual([]);
    // The filter index holds exactly the stored value, not a loser's.
    const indexed = await indexRows(await definitionKey(nick._id), userId);
    expect(indexed.map((r) => r.value_text)).toEqual([read.attributes.nick]);
  });

  it("storefront updates of different attributes at once all stay (no lost writes)", async () => {
    const tenant = await createTenant();
    const headers = await adminHeaders(tenant);
    const slugs = Array.from({ length: N }, (_, i) => `field${i}`);
    for (const slug of slugs) await defineAttribute(tenant, headers, { name: slug, slug, type: "string", customer_editable: true });
    const { userId, cookie } = await loggedInCustomer(tenant);
    const sf = { authorization: tenant.appAuth, cookie };
    const responses = await Promise.all(slugs.map((slug) => call(STOREFRONT_ATTRIBUTES, json({ attributes: { [slug]: `${slug}-value` } }, { method: "PATCH", headers: sf }))));
    for (const res of responses) expect(res.status).toBe(200);
    const read = (await (await call(STOREFRONT_ATTRIBUTES, { headers: sf })).json()) as { attributes: Record<string, unknown> };
    expect(read.attributes).toEqual(Object.fromEntries(slugs.map((slug) => [slug, `${slug}-value`])));
    expect(await duplicateValueRows(userId)).toEqual([]);
  });
});
