import { describe, expect, it } from "vitest";
import { updatePassword } from "./support/accounts";
import { setActive, storeWithShopper, timeline } from "./support/integration";
import { lastLinkCode, post } from "./support/otp";

describe("getUserTimeline after a shopper's life on the storefront", () => {
  it("shows registration, verification, password changes and block/unblock in order, with their titles", async () => {
    const store = await storeWithShopper();
    const { shopper } = store;
    const { tenant } = store.admin;
    expect((await updatePassword(tenant, shopper.cookie, shopper.password, "Copper-Harbor-Lamp-17")).status).toBe(200);
    await setActive(store, false, "chargebacks");
    await setActive(store, true, "resolved");
    expect((await post(tenant, "/authentication/v1.0/login/password/reset", { email: shopper.email })).status).toBe(200);
    const reset = await post(tenant, "/authentication/v1.0/login/password/reset/forgot", { code: await lastLinkCode(shopper.email), password: "Amber-Willow-Kettle-58" });
    expect(reset.status).toBe(200);

    const events = await timeline(store);
    expect(events.map(({ type, title, sub_title }) => ({ type, title, sub_title }))).toEqual([
      { type: "user.registered", title: "Registered", sub_title: "form" },
      { type: "user.contact_verified", title: "Email verified", sub_title: "otp" },
      { type: "user.password_changed", title: "Password changed", sub_title: "update" },
      { type: "admin.user.blocked", title: "Blocked by the store", sub_title: "chargebacks" },
      { type: "admin.user.unblocked", title: "Unblocked by the store", sub_title: "resolved" },
      { type: "user.password_changed", title: "Password reset", sub_title: "reset" },
    ]);
    for (const event of events) expect(event.visible).toBe(true);
    const dates = events.map((e) => Date.parse(e.date));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
  });
});
