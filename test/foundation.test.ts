import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/http";
import { createTenant } from "./support/tenants";

describe("foundation", () => {
  it("serves the storefront config for a valid application credential", async () => {
    const tenant = await createTenant();
    const res = await call("/service/application/user/platform/v1.0/config", { headers: { authorization: tenant.appAuth } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body._id).toBe(tenant.applicationId);
  });

  it("answers unknown routes with the error shape", async () => {
    await expectError(await call("/nope"), 404, "ROUTE_NOT_FOUND");
  });
});
