import { describe, expect, it } from "vitest";
import { expectError } from "../support/http";
import { post } from "../support/otp";
import { createTenant } from "../support/tenants";

/** Inputs the fuzz found that once broke a route, kept as plain examples so they never come back. */
describe("fuzz findings", () => {
  it("a calling code no country uses is a 400 on every mobile route, not a 500", async () => {
    const tenant = await createTenant();
    for (const path of ["/authentication/v1.0/login/otp", "/authentication/v1.0/otp/mobile/send", "/authentication/v1.0/otp/forgot/mobile/send", "/authentication/v1.0/login/password/mobile/reset"]) {
      for (const country_code of ["0", "21", 999]) {
        const body = await expectError(await post(tenant, path, { mobile: "6000000000", country_code }), 400, "VALIDATION_FAILED");
        expect(body.message).toMatch(/mobile/);
      }
    }
  });
});
