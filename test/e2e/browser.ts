import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser, type Page } from "playwright-core";

/** This machine has no network beyond loopback; background services would only fail noisily. */
const OFFLINE_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];
const ORDINARY_ARGS = ["--no-sandbox", "--disable-gpu", ...OFFLINE_ARGS];

/**
 * @sparticuz/chromium's defaults are tuned for scraping on Lambda; these would break or hollow out the browser suite:
 * --single-process: closing a context then takes the whole browser down ("Target page, context or browser has been
 *   closed" on the next newContext), and each scenario has its own context.
 * --disable-web-security: no CORS, so a refused origin would look allowed (the cross-origin tests would pass whatever
 *   the Worker answers). --allow-running-insecure-content: mixed content allowed.
 * --disable-features / --enable-features: Chromium keeps only the last of a repeated switch, so these would replace
 *   playwright-core's own feature lists (it disables ThirdPartyStoragePartitioning, HttpsUpgrades…); they only buy
 *   Lambda memory (site isolation and the audio service in-process) and SharedArrayBuffer.
 * The rest (headless shell, no zygote, SwiftShader for WebGL, in-process GPU) only changes how it runs.
 */
const DROPPED_SWITCHES = new Set(["--single-process", "--disable-web-security", "--allow-running-insecure-content", "--disable-features", "--enable-features"]);

/**
 * The Chromium that ships inside the @sparticuz/chromium npm package, unpacked once per package version into
 * <tmpdir>/user-edge-chromium-<version>/. The package itself unpacks into <tmpdir>/chromium and reuses whatever is
 * there: another checkout's other version, or a file another process is still writing. So each caller unpacks into
 * a private folder (the package follows TMPDIR) and renames it into place; a rename that loses the race is dropped.
 */
async function bundledChromium(): Promise<string> {
  const manifest = join(dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium")), "..", "package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  const dir = join(tmpdir(), `user-edge-chromium-${version}`);
  const binary = join(dir, "chromium");
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(`${dir}.partial-`);
  const savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    const unpacked = await sparticuz.executablePath();
    if (unpacked !== join(staging, "chromium")) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not ${staging}`);
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}

/**
 * Chromium from npm (@sparticuz/chromium, pinned in package.json); `CHROMIUM_PATH` runs another build instead.
 * playwright-core never downloads a browser, and with an executablePath it never looks for one on PATH.
 */
export async function launchChromium(): Promise<Browser> {
  const override = process.env.CHROMIUM_PATH;
  if (override) return chromium.launch({ executablePath: override, headless: true, args: ORDINARY_ARGS });
  return chromium.launch({
    executablePath: await bundledChromium(),
    headless: true,
    args: [...sparticuz.args.filter((arg) => !DROPPED_SWITCHES.has(arg.split("=")[0] ?? arg)), ...OFFLINE_ARGS],
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
