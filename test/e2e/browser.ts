import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's Chromium (apt install chromium); playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // This machine has no network beyond loopback; background services would only fail noisily.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
}

/** Saves numbered screenshots of each step under test-results/screenshots/<scenario>/. */
export function screenshotter(page: Page, scenario: string) {
  const dir = join("test-results", "screenshots", scenario);
  // A scenario's folder holds only this run's steps, numbered in order.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let step = 0;
  return async (name: string) => {
    step += 1;
    await page.screenshot({ path: join(dir, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
  };
}
