import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, screenshotter } from "./browser";
import { DEMO, freshEmail, platformToken, registerAccount, type Account } from "./clients";

/**
 * The seller console (src/static/console, served by the Worker's assets at /console/) in Chromium, driven
 * through roles and labels: sign in with the demo platform client, find a customer, revoke their session
 * (the storefront cookie is refused next), edit the password policy (field errors in place, the page's own
 * and the API's), a concurrent edit answered "changed elsewhere", a CSV import followed to 100 %, the
 * attribute query builder, the activity chart. Every page is checked with axe-core and photographed at
 * desktop and phone width (test-results/screenshots/console/).
 */
const workerUrl = inject("workerUrl");
const PASSWORD = "Console-Browser-2026!";
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PLATFORM = `${workerUrl}/service/platform/user/v1.0/company/${DEMO.companyId}/application/${DEMO.applicationId}`;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const eventually = (probe: () => Promise<unknown>) => expect.poll(probe, { timeout: 15_000 });

async function platform(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const { access_token } = await platformToken(workerUrl);
  const res = await fetch(`${PLATFORM}${path}`, {
    method,
    headers: { authorization: `Bearer ${access_token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Serious and critical axe-core violations of the page as it is now (the page's CSP does not apply to evaluate). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")).slice(0, 3) }));
  });
  return violations.filter((v: any) => v.impact === "serious" || v.impact === "critical").map((v: any) => `${v.id} (${v.impact}): ${v.nodes.join(", ")}`);
}

const overflowsHorizontally = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
const toastText = (page: Page) => page.locator("#toast").textContent();

async function signIn(page: Page) {
  const response = await page.goto(`${workerUrl}/console/`);
  expect(response?.status()).toBe(200);
  // A page that holds a client secret must not be framed or run foreign scripts.
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
  expect(response?.headers()["x-frame-options"]).toBe("DENY");
  const form = page.getByRole("form", { name: "Sign in to the console" });
  await form.getByLabel("Client id").fill(DEMO.clientId);
  await form.getByLabel("Client secret").fill(DEMO.clientSecret);
  await form.getByRole("button", { name: "Sign in" }).click();
  await eventually(() => page.getByRole("heading", { level: 1, name: "Customers" }).isVisible()).toBe(true);
  // The secret is not kept anywhere the page persists.
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie)).not.toContain(DEMO.clientSecret);
}

async function open(page: Page, hash: string, heading: string) {
  await page.evaluate((h) => (location.hash = h), hash);
  await eventually(() => page.getByRole("heading", { level: 1, name: heading }).isVisible()).toBe(true);
  // The page is busy until it has loaded what it shows (tables, counts).
  await eventually(() => page.locator("#page").getAttribute("aria-busy")).toBe("false");
}

describe("seller console in Chromium", () => {
  let browser: Browser;
  let account: Account;
  let definitionId: string;
  let groupId: string;
  let groupName: string;

  beforeAll(async () => {
    browser = await launchChromium();
    account = await registerAccount(workerUrl, { password: PASSWORD, email: freshEmail("console") });
    const slug = `tier_${Date.now().toString(36)}`;
    const created = await platform("POST", "/user_attribute/definition", { name: "Tier", slug, type: "string", customer_editable: false, description: "" });
    expect(created.status).toBe(200);
    definitionId = created.body._id;
    const value = await platform("PUT", `/user_attribute/definition/${definitionId}/user/${account.userId}`, { attribute: { value: "gold" } });
    expect(value.status).toBe(200);
    const group = await platform("POST", "/user_group", {
      name: `Gold ${slug}`, description: "", type: "conditional", conditions: [{ user_attribute_definition_id: definitionId, type: "eq", value: "gold" }],
    });
    expect(group.status).toBe(200);
    groupId = group.body._id;
    groupName = group.body.name;
  });

  afterAll(async () => {
    await browser?.close();
    // The demo application is shared with the other suites: put back what this one changed.
    await platform("POST", "/platform/config", { password_settings: { configs: { length: 8 } }, token_login: { enabled: false } });
    if (groupId) await platform("DELETE", `/user_group/${groupId}`);
    if (definitionId) await platform("DELETE", `/user_attribute/definition/${definitionId}`);
  });

  /** Runs `steps` in a fresh browser context (dialogs accepted); the page must throw no script error. */
  async function inPage(options: BrowserContextOptions, steps: (page: Page) => Promise<void>) {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => d.accept());
    try {
      await steps(page);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }

  it("signs in, finds the customer, revokes their session: the storefront cookie is refused next", () =>
    inPage(DESKTOP, async (page) => {
      await signIn(page);
      const storefrontSession = () =>
        fetch(`${workerUrl}/service/application/user/authentication/v1.0/session`, {
          headers: { authorization: `Bearer ${btoa(`${DEMO.applicationId}:${DEMO.applicationToken}`)}`, cookie: account.config.cookie! },
        }).then((r) => r.status);
      expect(await storefrontSession()).toBe(200);

      await page.getByRole("searchbox", { name: "Search customers" }).fill(account.email);
      await page.getByRole("button", { name: "Search" }).click();
      const row = page.getByRole("row").filter({ hasText: account.email });
      await eventually(() => row.count()).toBe(1);
      await row.getByRole("link", { name: "Sdk Contract" }).click();
      await eventually(() => page.getByRole("heading", { level: 1, name: "Sdk Contract" }).isVisible()).toBe(true);

      const contacts = page.getByRole("region", { name: "Contacts" });
      await eventually(() => contacts.getByText(account.email).isVisible()).toBe(true);
      expect(await contacts.getByText("primary").count()).toBeGreaterThan(0);
      expect(await contacts.getByText("verified", { exact: true }).count()).toBeGreaterThan(0);
      const attributes = page.getByRole("region", { name: "Attributes" });
      await eventually(() => attributes.getByRole("cell", { name: "gold" }).isVisible()).toBe(true);
      await eventually(() => page.getByRole("region", { name: "Groups" }).getByText(groupName).isVisible()).toBe(true);
      const timeline = page.getByRole("region", { name: "Timeline" });
      await eventually(() => timeline.getByText("Registered").or(timeline.getByText("Account created")).count()).toBeGreaterThan(0);

      const sessions = page.getByRole("region", { name: "Sessions" });
      const revoke = sessions.getByRole("button", { name: /^Revoke session / });
      await eventually(() => revoke.count()).toBe(1);
      await revoke.click();
      await eventually(() => toastText(page)).toBe("Session revoked.");
      await eventually(() => sessions.getByText("Nothing here yet.").isVisible()).toBe(true);
      expect(await storefrontSession()).toBe(401);
    }));

  it("renews the access token through the refresh grant when it nears expiry, without asking again", () =>
    inPage(DESKTOP, async (page) => {
      // The page judges expiry by its own clock, which this test moves forward past the renewal margin.
      await page.clock.install();
      await signIn(page);
      const grants: string[] = [];
      page.on("request", (r) => {
        if (r.url().endsWith("/oauth/token")) grants.push(new URLSearchParams(r.postData() ?? "").get("grant_type") ?? "");
      });
      await page.clock.setSystemTime(Date.now() + 15 * 60_000);
      await open(page, "#/config", "Config");
      expect(grants).toEqual(["refresh_token"]);
      expect(await page.locator(".error-box").count()).toBe(0);
      // The renewed token serves the next calls without another grant.
      await open(page, "#/customers", "Customers");
      expect(grants).toEqual(["refresh_token"]);
    }));

  it("config: a bad password length is shown at the field (page check and API check), a concurrent edit says reload", () =>
    inPage(DESKTOP, async (page) => {
      await signIn(page);
      await open(page, "#/config", "Config");
      const policy = page.getByRole("region", { name: "Password policy" });
      const length = policy.getByLabel("Length", { exact: true });
      await length.fill("4");
      await page.getByRole("button", { name: "Save config" }).click();
      await eventually(() => page.locator("#cfg-password_settings-configs-length-error").textContent()).toBe("must be at least 8");
      expect(await length.getAttribute("aria-invalid")).toBe("true");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("cfg-password_settings-configs-length");

      // A rule only the API knows (JSON Schema cannot say it): token login needs keys. Its field error lands in place too.
      await length.fill("10");
      await page.locator("#cfg-token_login-enabled").check();
      await page.getByRole("button", { name: "Save config" }).click();
      await eventually(() => page.locator("#cfg-token_login-public_keys-error").textContent()).toBe("token login needs public_keys or a jwks_url");
      await eventually(() => page.getByRole("alert").filter({ hasText: "VALIDATION_FAILED" }).count()).toBeGreaterThan(0);

      await page.locator("#cfg-token_login-enabled").uncheck();
      await page.getByRole("button", { name: "Save config" }).click();
      await eventually(() => toastText(page)).toBe("Config saved.");
      expect((await platform("GET", "/platform/config")).body.password_settings.configs.length).toBe(10);

      // Someone else saves while this page is open: the page's save is refused, nothing is overwritten.
      await eventually(() => length.inputValue()).toBe("10");
      expect((await platform("POST", "/platform/config", { password_settings: { configs: { length: 12 } } })).status).toBe(200);
      await length.fill("9");
      await page.getByRole("button", { name: "Save config" }).click();
      await eventually(() => page.getByText("Changed elsewhere — reload.").isVisible()).toBe(true);
      expect((await platform("GET", "/platform/config")).body.password_settings.configs.length).toBe(12);
      await page.getByRole("button", { name: "Reload" }).click();
      await eventually(() => length.inputValue()).toBe("12");
    }));

  it("imports a CSV: the progress bar reaches 100 % with every row done; the error report downloads", () =>
    inPage(DESKTOP, async (page) => {
      await signIn(page);
      await open(page, "#/jobs", "Import/export");
      const rows = Array.from({ length: 40 }, (_, i) => `${freshEmail(`import${i}`)},Imported,Row${i}`);
      const csv = ["email,first_name,last_name", ...rows, "not-an-email,Bad,Row"].join("\n");
      await page.getByLabel("Customer file").setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await page.getByRole("button", { name: "Upload and import" }).click();
      const bar = page.getByRole("progressbar", { name: "Import progress" });
      await eventually(() => bar.getAttribute("value")).toBe("100");
      const text = page.locator(".progress-text").first();
      await eventually(() => text.textContent()).toContain("41 of 41 rows · 1 error");
      const download = page.waitForEvent("download");
      await page.getByRole("region", { name: "Import customers" }).getByRole("button", { name: "Download error report" }).click();
      const report = await (await download).createReadStream();
      let content = "";
      for await (const chunk of report) content += chunk;
      expect(content).toContain("not-an-email");
    }));

  it("the attribute query builder shows the matching customers and their count", () =>
    inPage(DESKTOP, async (page) => {
      await signIn(page);
      await open(page, "#/groups", "Groups and attributes");
      await page.getByLabel("Condition 1: attribute").selectOption({ label: "Tier" });
      await page.getByLabel("Condition 1: operator").selectOption("eq");
      await page.getByLabel("Condition 1: value").fill("gold");
      await page.getByRole("button", { name: "Find customers" }).click();
      // The conditional group over the same condition counts the same customer.
      await eventually(() => page.getByRole("row").filter({ hasText: groupName }).getByRole("cell").nth(3).textContent()).toBe("1");
      await eventually(() => page.locator(".count").textContent()).toBe("1 matching customer");
      expect(await page.getByRole("row").filter({ hasText: account.email }).count()).toBe(1);
    }));

  const pages: [string, string, string][] = [
    ["customers", "#/customers", "Customers"],
    ["config", "#/config", "Config"],
    ["groups", "#/groups", "Groups and attributes"],
    ["jobs", "#/jobs", "Import/export"],
    ["activity", "#/activity", "Activity"],
  ];

  for (const [name, options] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    it(`every page at ${name} width: no serious or critical axe violations, no sideways scrolling, a screenshot`, () =>
      inPage(options, async (page) => {
        const shot = screenshotter(page, `console/${name}`);
        // A session to show (the first test revoked the one from the registration).
        expect((await platform("POST", "/customers/session", { user_id: account.userId, domain: "shop.example.com" })).status).toBe(200);
        await page.goto(`${workerUrl}/console/`);
        await eventually(() => page.getByRole("heading", { level: 1, name: "Sign in to the console" }).isVisible()).toBe(true);
        expect(await seriousViolations(page)).toEqual([]);
        await shot("sign-in");
        await signIn(page);
        for (const [file, hash, heading] of [...pages.slice(0, 1), ["customer", `#/customers/${account.userId}`, "Sdk Contract"] as [string, string, string], ...pages.slice(1)]) {
          await open(page, hash, heading);
          if (file === "activity") await eventually(() => page.getByRole("img", { name: /^Last 30 days:/ }).isVisible()).toBe(true);
          expect(await page.locator(".error-box").allTextContents(), `${file}: errors shown`).toEqual([]);
          expect(await seriousViolations(page), `${file}: axe`).toEqual([]);
          if (name === "phone") expect(await overflowsHorizontally(page), `${file}: sideways scroll`).toBe(false);
          await shot(file);
          // The README's picture (docs/console.png is a copy): one screen of a customer, not the whole page.
          if (name === "desktop" && file === "customer") await page.screenshot({ path: "test-results/screenshots/console/readme-customer.png" });
        }
      }));
  }
});
