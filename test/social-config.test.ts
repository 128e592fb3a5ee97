import { describe, expect, it } from "vitest";
import { call, json } from "./support/http";
import { adminHeaders, createTenant } from "./support/tenants";
import { FB_SECRET, GOOGLE_ANDROID_ID, GOOGLE_SECRET, socialConfig } from "./support/social";

describe("social settings in the platform config", () => {
  it("are set through the platform API, and the storefront config shows no secret", async () => {
    const tenant = await createTenant();
    const update = await call(`${tenant.plat}/platform/config`, {
      method: "POST",
      ...json(socialConfig(), { headers: await adminHeaders(tenant) }),
    });
    expect(update.status).toBe(200);
    const platform = (await update.json()) as { social_tokens: { google: Record<string, string> } };
    expect(platform.social_tokens.google).toMatchObject({ app_secret: GOOGLE_SECRET, android_app_id: GOOGLE_ANDROID_ID });

    const res = await call("/service/application/user/platform/v1.0/config", { headers: { authorization: tenant.appAuth } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(GOOGLE_SECRET);
    expect(text).not.toContain(FB_SECRET);
    expect(text).not.toContain("app_secret");
    const storefront = JSON.parse(text) as { social: Record<string, boolean>; social_tokens: Record<string, unknown> };
    expect(storefront.social).toMatchObject({ google: true, facebook: true, apple: true });
    expect(storefront.social_tokens).toEqual({
      google: { app_id: "1111-web.apps.googleusercontent.com" },
      facebook: { app_id: "987654321012345" },
      accountkit: { app_id: "" },
      apple: { app_id: "com.example.shop", redirect_uri: "" },
    });
  });

  it("default to every provider off, with empty credentials", async () => {
    const tenant = await createTenant();
    const res = await call(`${tenant.plat}/platform/config`, { headers: await adminHeaders(tenant) });
    const config = (await res.json()) as { social: Record<string, boolean>; social_tokens: { google: Record<string, string> } };
    expect(config.social).toEqual({ google: false, facebook: false, apple: false, account_kit: false });
    expect(config.social_tokens.google).toEqual({ app_id: "", app_secret: "", android_app_id: "", ios_app_id: "" });
  });
});
