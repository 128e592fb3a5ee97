import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Bundles the XLSX converter Worker (workers/xlsx) as wrangler deploys it; the tests run it beside the Worker under test. */
function buildXlsxWorker(): string {
  const outdir = resolve("dist/xlsx");
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "-c", "workers/xlsx/wrangler.toml", "--outdir", outdir], {
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return resolve(outdir, "index.js");
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const xlsxWorker = buildXlsxWorker();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Test-only secrets; production ones come from `wrangler secret put`.
            PASSWORD_PEPPER: "test-pepper-0123456789abcdef0123456789",
            TOKEN_SIGNING_KEY: "test-token-signing-key-0123456789abcdef",
            ATTRIBUTE_ENCRYPTION_KEY: "test-attribute-encryption-key-0123456789",
            // Small chunks so tests exercise jobs that span several queue messages.
            USER_JOB_CHUNK_ROWS: "3",
            DEV_OUTBOX: "true",
            // Webhook retries back to back (the schedule itself is tested as a function).
            WEBHOOK_RETRY_SCALE: "0",
            NOTIFY_TRANSPORT: "outbox",
            PUBLIC_LINK_BASE: "https://shop.test",
            // Fuzz size and replay (test/fuzz): FUZZ_RUNS=<n>|high, FUZZ_SEED=<seed printed by a failure>.
            FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
            FUZZ_SEED: process.env.FUZZ_SEED ?? "",
          },
          workers: [{ name: "user-edge-xlsx", modules: true, scriptPath: xlsxWorker, compatibilityDate: "2026-11-01" }],
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/support/apply-migrations.ts"],
      testTimeout: 30_000,
    },
  };
});
