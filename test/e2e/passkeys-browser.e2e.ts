import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import type { Browser, BrowserContext, CDPSession, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, screenshotter } from "./browser";
import { DEMO, freshEmail, outboxCode, platformToken } from "./clients";

/**
 * Passkeys and TOTP on the demo page in real Chromium. The passkey lives in a virtual authenticator
 * the DevTools protocol adds to the browser (CTAP2, built in, resident keys, user verification), so
 * navigator.credentials.create()/get() run the real WebAuthn ceremonies against the Worker. The page is
 * opened on http://localhost:<port>: WebAuthn needs a domain for the RP id (not 127.0.0.1), and
 * localhost counts as a secure context.
 */
const workerUrl = inject("workerUrl");
const pageOrigin = workerUrl.replace("127.0.0.1", "localhost");
const PASSWORD = "Passkey-Demo-2026!";
const eventually = (probe: () => Promise<unknown>) => expect.poll(probe, { timeout: 10_000 });

/** The TOTP code of a base32 secret for the 30-second step `offset` steps from now, as an authenticator app computes it. */
const totp = (secret: string, offset = 0) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

/** The demo application, opened to this page's origin with passkeys on its RP id (localhost) and optional TOTP. */
async function configureDemo() {
  const { access_token } = await platformToken(workerUrl);
  const url = `${workerUrl}/service/platform/user/v1.0/company/${DEMO.companyId}/application/${DEMO.applicationId}/platform/config`;
  const headers = { authorization: `Bearer ${access_token}`, "content-type": "application/json" };
  const current = (await (await fetch(url, { headers })).json()) as { allowed_origins: string[] };
  const res = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({
      allowed_origins: [...new Set([...current.allowed_origins, pageOrigin])],
      passkeys: { enabled: true, rp_id: "localhost", rp_name: "Demo Store" },
      mfa: { enabled: true, required: "optional" },
    }),
  });
  expect(res.status).toBe(200);
}

/** An account registered and verified over the API, as another device would have made it. */
async function registeredEmail(): Promise<string> {
  const email = freshEmail("passkey");
  const api = `${workerUrl}/service/application/user`;
  const headers = { authorization: `Bearer ${btoa(`${DEMO.applicationId}:${DEMO.applicationToken}`)}`, "content-type": "application/json" };
  const reg = await fetch(`${api}/authentication/v1.0/register/form`, {
    method: "POST",
    headers,
    body: JSON.stringify({ first_name: "Pia", last_name: "Key", email, password: PASSWORD }),
  });
  expect(reg.status).toBe(200);
  const { register_token } = (await reg.json()) as { register_token: string };
  const otp = await outboxCode(workerUrl, email, "register");
  const verify = await fetch(`${api}/authentication/v1.0/otp/email/verify`, { method: "POST", headers, body: JSON.stringify({ email, otp, register_token }) });
  expect(verify.status).toBe(200);
  return email;
}

async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

describe("passkeys and TOTP on the demo page (Chromium, virtual authenticator)", () => {
  let browser: Browser;
  beforeAll(async () => {
    await configureDemo();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("adds a passkey, logs out, signs in with it; enrolls TOTP and logs in with a code", async () => {
    const email = await registeredEmail();
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const shot = screenshotter(page, "passkeys-totp");
    const { cdp, authenticatorId } = await virtualAuthenticator(context, page);
    const signedOut = page.getByRole("region", { name: "Sign in or register" });
    const account = page.getByRole("region", { name: "Your account" });
    const form = (name: string): Locator => page.getByRole("form", { name });
    const status = () => page.getByRole("status").textContent();

    await page.goto(`${pageOrigin}/demo/`);
    await eventually(() => signedOut.isVisible()).toBe(true);
    await eventually(() => form("Sign in with a passkey").isVisible()).toBe(true);

    // Password login, then "Add a passkey": navigator.credentials.create() on the virtual authenticator.
    const login = form("Log in with password");
    await login.getByLabel("Email or phone").fill(email);
    await login.getByLabel("Password").fill(PASSWORD);
    await login.getByRole("button", { name: "Log in" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    await shot("logged-in");
    const passkeys = account.getByRole("region", { name: "Passkeys" });
    await passkeys.getByLabel("Passkey name").fill("Test laptop");
    await passkeys.getByRole("button", { name: "Add a passkey" }).click();
    await eventually(() => status()).toBe('Passkey "Test laptop" added.');
    await eventually(() => passkeys.getByRole("listitem").allTextContents()).toEqual([expect.stringContaining("Test laptop")]);
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: "localhost" });
    const countAtRegistration = credentials[0]!.signCount;
    await shot("passkey-added");

    await account.getByRole("button", { name: "Log out" }).click();
    await eventually(() => signedOut.isVisible()).toBe(true);

    // "Sign in with a passkey" without a username: the discoverable credential on the authenticator.
    await form("Sign in with a passkey").getByRole("button", { name: "Sign in with a passkey" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    expect(await status()).toBe("Signed in with a passkey as Pia.");
    const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(after.credentials[0]!.signCount).toBeGreaterThan(countAtRegistration);
    await shot("signed-in-with-passkey");

    // TOTP: the test reads the key from the page and computes the codes as an authenticator app would.
    const app = account.getByRole("region", { name: "Authenticator app" });
    await app.getByRole("button", { name: "Set up authenticator app" }).click();
    const confirm = form("Confirm the authenticator app");
    await eventually(() => confirm.isVisible()).toBe(true);
    expect(await confirm.getByRole("img", { name: "QR code of the authenticator key" }).getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
    const secret = (await page.locator("#totp-secret").textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Away from a step boundary, so the confirm (this step) and the login (the next one) both fall in the window.
    if (30_000 - (Date.now() % 30_000) < 8_000) await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 100));
    await confirm.getByLabel("First code from the app").fill(totp(secret));
    await confirm.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await eventually(() => status()).toBe("Two-factor authentication is on.");
    await eventually(() => page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").count()).toBe(10);
    await shot("totp-on");

    await account.getByRole("button", { name: "Log out" }).click();
    await eventually(() => signedOut.isVisible()).toBe(true);

    // The password alone no longer makes a session: the page asks for the code.
    await login.getByLabel("Email or phone").fill(email);
    await login.getByLabel("Password").fill(PASSWORD);
    await login.getByRole("button", { name: "Log in" }).click();
    const second = form("Two-factor authentication");
    await eventually(() => second.isVisible()).toBe(true);
    expect(await account.isVisible()).toBe(false);
    expect(await status()).toBe("Enter your authentication code.");
    await shot("second-factor-asked");
    // The step the confirm used cannot be replayed; the next one is accepted.
    await second.getByLabel("Authentication code").fill(totp(secret));
    await second.getByRole("button", { name: "Verify code" }).click();
    await eventually(() => status()).toBe("The code is incorrect, expired or already used");
    await second.getByLabel("Authentication code").fill(totp(secret, 1));
    await second.getByRole("button", { name: "Verify code" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    expect(await status()).toBe("Logged in with two-factor authentication as Pia.");
    await shot("logged-in-with-totp");

    // A passkey counts as two factors: it still signs in without a code.
    await account.getByRole("button", { name: "Log out" }).click();
    await eventually(() => signedOut.isVisible()).toBe(true);
    await form("Sign in with a passkey").getByLabel("Email or phone (optional)").fill(email);
    await form("Sign in with a passkey").getByRole("button", { name: "Sign in with a passkey" }).click();
    await eventually(() => account.isVisible()).toBe(true);
    expect(await status()).toBe("Signed in with a passkey as Pia.");
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
