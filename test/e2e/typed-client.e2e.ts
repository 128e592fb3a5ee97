import { hc } from "hono/client";
import { describe, expect, expectTypeOf, inject, it } from "vitest";
import type { App } from "../../src/app";
import type {} from "./provided-context";

// Checked by the Worker's tsconfig (it imports src/ for the App type), so it leaves out the Node-only helpers.
const workerUrl = inject("workerUrl");
const appAuth = `Bearer ${btoa("000000000000000000000001:demo-application-token")}`;

describe("typed client (hono/client over the exported App type)", () => {
  it("storefront: the config route with typed input and output", async () => {
    const api = hc<App>(workerUrl, { headers: { authorization: appAuth } });
    const res = await api.service.application.user.platform["v1.0"].config.$get({ query: { name: "Demo Store" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const config = await res.json();
    expectTypeOf(config.login.otp).toEqualTypeOf<boolean>();
    expectTypeOf(config.register_required_fields.email.is_required).toEqualTypeOf<boolean>();
    expect(config).toMatchObject({ name: "Demo Store", login: { password: true, otp: true } });
  });

  it("platform: a token from the OAuth route, then the customers list", async () => {
    const api = hc<App>(workerUrl);
    const tokenRes = await api.service.panel.authentication["v1.0"].company[":company_id"].oauth.token.$post(
      { param: { company_id: "1" }, form: { grant_type: "client_credentials" } },
      { headers: { authorization: `Basic ${btoa("demo-client:demo-secret")}` } },
    );
    if (!tokenRes.ok) throw new Error(`HTTP ${tokenRes.status}`);
    const { access_token } = await tokenRes.json();
    expectTypeOf(access_token).toEqualTypeOf<string>();

    const customers = api.service.platform.user["v1.0"].company[":company_id"].application[":application_id"].customers.list;
    const res = await customers.$get(
      { param: { company_id: "1", application_id: "000000000000000000000001" }, query: { page_size: "1" } },
      { headers: { authorization: `Bearer ${access_token}` } },
    );
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const list = await res.json();
    expectTypeOf(list.page.has_next).toEqualTypeOf<boolean>();
    expect(list.page).toMatchObject({ current: 1, size: 1 });
  });
});
