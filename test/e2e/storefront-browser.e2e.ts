import { join } from "node:path";
import type { Browser, BrowserContextOptions, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, screenshotter } from "./browser";
import { freshEmail, freshMobile, outboxCode, outboxMessage, platformSdk } from "./clients";
import { serveStatic } from "./static-server";

/**
 * The demo storefront page (src/static/demo) in Chromium (from npm, see ./browser.ts), driven only through roles and labels
 * (what assistive technology sees): register, password login, OTP login, profile, sessions, logout.
 * Once same-origin (the Worker serves the page) and once cross-origin on a phone-sized screen (the page
 * on another loopback port, calling the API with CORS and the SameSite=None session cookie).
 */
const workerUrl = inject("workerUrl");
const PASSWORD = "Browser-Demo-2026!";
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Waits for a condition the page reaches asynchronously (playwright-core has no web-first assertions). */
const eventually = (probe: () => Promise<unknown>) => expect.poll(probe, { timeout: 10_000 });

/** Storefront operations the running Worker offers, so steps for flows still being built switch on by themselves. */
async function offeredOperations(): Promise<Set<string>> {
  const doc = (await (await fetch(`${workerUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  return new Set(Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId ?? "")));
}

/** Form controls that assistive technology cannot name (no <label>, aria-label or aria-labelledby). */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement>("input, select, textarea, button"))
      .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent?.trim())))
      .map((el) => el.outerHTML),
  );
}

/** Whether the page scrolls sideways (it must not, down to a phone's width). */
const overflowsHorizontally = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

const statusText = (page: Page) => page.getByRole("status").textContent();

interface Scenario {
  name: string;
  pageUrl: string;
  context?: BrowserContextOptions;
}

async function runScenario(browser: Browser, scenario: Scenario, operations: Set<string>) {
  const context = await browser.newContext(scenario.context ?? {});
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const shot = screenshotter(page, scenario.name);
  const email = freshEmail("browser");
  const mobile = freshMobile();
  const signedOut = page.getByRole("region", { name: "Sign in or register" });
  const account = page.getByRole("region", { name: "Your account" });
  const form = (name: string): Locator => page.getByRole("form", { name });

  try {
    await page.goto(scenario.pageUrl);
    await eventually(() => signedOut.isVisible()).toBe(true);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Demo storefront");
    expect(await unnamedControls(page)).toEqual([]);
    if (scenario.context?.isMobile) expect(await overflowsHorizontally(page)).toBe(false);
    await shot("signed-out");

    // Register: the demo application wants the email proven before the first session.
    const register = form("Register");
    await register.getByLabel("First name").fill("Brow");
    await register.getByLabel("Last name").fill("Ser");
    await register.getByLabel("Email").fill(email);
    await register.getByLabel("Mobile (optional)").fill(mobile);
    await register.getByLabel("Password").fill(PASSWORD);
    await register.getByLabel("I accept the privacy policy").check();
    await shot("register-filled");
    await register.getByRole("button", { name: "Create account" }).click();
    const verify = form("Verify your email");
    await eventually(() => verify.isVisible()).toBe(true);
    expect(await account.isVisible()).toBe(false);
    expect(await verify.getByRole("link").textContent()).toContain(email);
    await verify.getByLabel("Code").fill(await outboxCode(workerUrl, email, "register"));
    await shot("register-verify");
    await verify.getByRole("button", { name: "Verify" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    expect(await statusText(page)).toBe("Email verified: you are logged in.");
    // The section is hidden now, so out of the accessibility tree: the sent password must not linger in it.
    expect(await page.locator("#register input[name=password]").inputValue()).toBe("");
    await shot("registered");

    // The profile as the API returns it.
    const profile = page.getByRole("definition");
    await eventually(() => profile.allTextContents()).toEqual(
      expect.arrayContaining(["Brow Ser", `${email} (primary) ✓ verified`, expect.stringContaining(mobile)]),
    );
    await shot("profile");

    // The optional mobile was only listed, not proven; proven through the account (addMobileNumber's link and
    // verifyMobile), it signs in to it. (Proven by an OTP login alone, it would go to its prover, not join this account.)
    const verifyPhone = form("Verify your mobile");
    await verifyPhone.getByRole("button", { name: "Send a verification link" }).click();
    await eventually(() => statusText(page)).toBe("Verification link sent to your mobile.");
    const { link: phoneLink = "" } = await outboxMessage(workerUrl, `+91${mobile}`, "verify_link");
    await verifyPhone.getByLabel("Code from the link").fill(new URL(phoneLink).searchParams.get("code") ?? "");
    await verifyPhone.getByRole("button", { name: "Verify mobile" }).click();
    await eventually(() => statusText(page)).toBe("Mobile verified.");
    await eventually(() => profile.allTextContents()).toEqual(expect.arrayContaining([`+91 ${mobile} ✓ verified`]));
    expect(await verifyPhone.isVisible()).toBe(false);

    await account.getByRole("button", { name: "Log out" }).click();
    await eventually(() => signedOut.isVisible()).toBe(true);
    await shot("logged-out-after-register");

    // Password login.
    const login = form("Log in with password");
    await login.getByLabel("Email or phone").fill(email);
    await login.getByLabel("Password").fill(PASSWORD);
    await login.getByRole("button", { name: "Log in" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    expect(await statusText(page)).toContain("Logged in as Brow");
    await shot("password-login");
    await account.getByRole("button", { name: "Log out" }).click();
    await eventually(() => signedOut.isVisible()).toBe(true);

    // OTP login: the page points at the dev outbox; the test reads the code there as a developer would.
    const otp = form("Log in with a one-time code");
    await otp.getByLabel("Country code").fill("91");
    await otp.getByLabel("Mobile").fill(mobile);
    await otp.getByRole("button", { name: "Send code" }).click();
    const enterCode = form("Enter the code");
    await eventually(() => enterCode.isVisible()).toBe(true);
    expect(await enterCode.getByRole("link").getAttribute("href")).toBe(`${workerUrl}/_dev/outbox?to=${encodeURIComponent(`+91${mobile}`)}`);
    await enterCode.getByLabel("Code").fill(await outboxCode(workerUrl, `+91${mobile}`, "login"));
    await shot("otp-code");
    await enterCode.getByRole("button", { name: "Verify and log in" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    expect(await statusText(page)).toBe("Logged in with a one-time code.");
    await eventually(() => profile.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(email)]));
    await shot("otp-login");

    // Active sessions: the page lists what the API lists for this user.
    const sessions = account.getByRole("region", { name: "Active sessions" });
    await sessions.getByRole("button", { name: "Refresh" }).click();
    await eventually(() => sessions.getByRole("listitem").count()).toBeGreaterThanOrEqual(1);
    const listed = await sessions.getByRole("listitem").allTextContents();
    const fromApi = await page.evaluate(async (api) => {
      const res = await fetch(`${api}/service/application/user/authentication/v1.0/sessions`, {
        credentials: "include",
        headers: { authorization: `Bearer ${btoa("000000000000000000000001:demo-application-token")}` },
      });
      return ((await res.json()) as { sessions: string[] }).sessions;
    }, workerUrl);
    expect(listed).toEqual(fromApi);
    await shot("sessions");

    if (operations.has("updateProfile")) {
      const edit = form("Edit profile");
      await edit.getByLabel("First name").fill("Browsy");
      await edit.getByLabel("Gender").selectOption("female");
      await edit.getByLabel("Date of birth").fill("1990-04-01");
      await edit.getByRole("button", { name: "Save profile" }).click();
      await eventually(() => profile.allTextContents()).toEqual(expect.arrayContaining(["Browsy Ser", "female", "1990-04-01"]));
      await shot("profile-edited");
    }

    if (operations.has("addEmail") && operations.has("verifyEmail")) {
      const second = freshEmail("browser-second");
      await form("Add an email").getByLabel("Email").fill(second);
      await form("Add an email").getByRole("button", { name: "Add and send verification" }).click();
      const verifyEmail = form("Verify the new email");
      await eventually(() => verifyEmail.isVisible()).toBe(true);
      const { link = "" } = await outboxMessage(workerUrl, second, "verify_link");
      await verifyEmail.getByLabel("Code from the link").fill(new URL(link).searchParams.get("code") ?? "");
      await verifyEmail.getByRole("button", { name: "Verify email" }).click();
      await eventually(() => profile.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(`${second} ✓ verified`)]));
      await shot("email-added");
    }

    // Log out: the cookie is gone and the API no longer knows the session.
    await account.getByRole("button", { name: "Log out" }).click();
    await eventually(() => signedOut.isVisible()).toBe(true);
    expect(await statusText(page)).toBe("Logged out.");
    const after = await page.evaluate(async (api) => {
      const res = await fetch(`${api}/service/application/user/authentication/v1.0/session`, {
        credentials: "include",
        headers: { authorization: `Bearer ${btoa("000000000000000000000001:demo-application-token")}` },
      });
      return res.status;
    }, workerUrl);
    expect(after).toBe(401);
    await shot("logged-out");
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
}

describe("demo storefront in Chromium", () => {
  let browser: Browser;
  let operations: Set<string>;
  beforeAll(async () => {
    browser = await launchChromium();
    operations = await offeredOperations();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("same origin: the Worker serves the page at /demo/", async () => {
    await runScenario(browser, { name: "same-origin", pageUrl: `${workerUrl}/demo/` }, operations);
  });

  describe("cross-origin, phone-sized", () => {
    let site: Awaited<ReturnType<typeof serveStatic>>;
    let restoreOrigins: () => Promise<unknown>;
    beforeAll(async () => {
      site = await serveStatic(join(process.cwd(), "src/static"));
      const { admin } = await platformSdk(workerUrl);
      const config = await admin.getPlatformConfig();
      // allowed_origins is our extension: the SDK's PlatformSchema type lacks it, its validator lets it through.
      const withOrigins = (origins: string[]) => ({ ...config, allowed_origins: origins }) as typeof config;
      const original = (config as { allowed_origins: string[] }).allowed_origins;
      await admin.updatePlatformConfig({ body: withOrigins([...original, site.url]) });
      restoreOrigins = () => admin.updatePlatformConfig({ body: withOrigins(original) });
    });
    afterAll(async () => {
      await restoreOrigins?.();
      await site?.close();
    });

    it("the page on another origin logs in through CORS with credentials", async () => {
      await runScenario(browser, { name: "cross-origin-phone", pageUrl: `${site.url}/demo/?api=${encodeURIComponent(workerUrl)}`, context: PHONE }, operations);
    });

    it("an origin the application does not list is refused", async () => {
      const stranger = await serveStatic(join(process.cwd(), "src/static"));
      const context = await browser.newContext();
      context.setDefaultTimeout(10_000);
      try {
        const page = await context.newPage();
        await page.goto(`${stranger.url}/demo/?api=${encodeURIComponent(workerUrl)}`);
        const login = page.getByRole("form", { name: "Log in with password" });
        await login.getByLabel("Email or phone").fill("someone@example.com");
        await login.getByLabel("Password").fill(PASSWORD);
        await login.getByRole("button", { name: "Log in" }).click();
        await eventually(() => page.getByRole("status").getAttribute("class")).toBe("error");
        await screenshotter(page, "cross-origin-refused")("refused");
        // The wrong password alone would also show an error: the browser itself must block the answer (CORS),
        // which a browser launched with web security off (a @sparticuz/chromium default) would not.
        const blocked = await page.evaluate(
          (api) => fetch(`${api}/service/application/user/authentication/v1.0/session`, { credentials: "include" }).then(() => false, () => true),
          workerUrl,
        );
        expect(blocked).toBe(true);
      } finally {
        await context.close();
        await stranger.close();
      }
    });
  });
});
