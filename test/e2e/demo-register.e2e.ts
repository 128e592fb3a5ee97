import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, screenshotter } from "./browser";

/** The newest code the dev outbox holds for `to`. */
async function outboxCode(api: string, to: string): Promise<string> {
  const res = await fetch(`${api}/_dev/outbox?to=${encodeURIComponent(to)}`);
  const { messages } = (await res.json()) as { messages: { code?: string; purpose: string }[] };
  const code = messages.find((m) => m.purpose === "register")?.code;
  if (!code) throw new Error(`no registration code for ${to}: ${JSON.stringify(messages)}`);
  return code;
}

describe("demo page: registration with email verification", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("registers, verifies the emailed code with the register_token, and ends up logged in", async () => {
    const api = inject("workerUrl");
    const page = await browser.newPage();
    const shot = screenshotter(page, "demo-register");
    await page.goto(`${api}/demo/`);
    const email = `demo-${Date.now()}@example.com`;
    const form = page.locator("#register");
    await form.locator("[name=first_name]").fill("Demo");
    await form.locator("[name=email]").fill(email);
    await form.locator("[name=password]").fill("Violet-Anchor-Teacup-93");
    await form.locator("[name=consent]").check();
    await form.locator("button").click();
    const verify = page.locator("#register-verify");
    await verify.waitFor({ state: "visible" });
    expect(await page.locator("#signed-in").isHidden()).toBe(true);
    await shot("code-asked");

    await verify.locator("[name=otp]").fill(await outboxCode(api, email));
    await verify.locator("button").click();
    await page.locator("#signed-in").waitFor({ state: "visible" });
    expect(await page.locator("#status").textContent()).toContain("logged in");
    expect(await page.locator("#profile-view").textContent()).toContain(`${email} (primary) ✓ verified`);
    await shot("logged-in");
  });
});
