import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { type Plugin, defineConfig } from "vitest/config";

/** Bundles the XLSX converter Worker (workers/xlsx) as wrangler deploys it; the tests run it beside the Worker under test. */
function buildXlsxWorker(): string {
  const outdir = resolve("dist/xlsx");
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "-c", "workers/xlsx/wrangler.toml", "--outdir", outdir], {
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return resolve(outdir, "index.js");
}

/**
 * wrangler.toml's [alias] entries for @simplewebauthn/server's certificate and ASN.1 dependencies, applied to
 * that library's imports in the tests as wrangler applies them in the bundle (the Workers pool does not read
 * [alias]), so passkey tests verify signatures through the very DER reader the Worker ships. Only the library's
 * own imports are redirected (in the bundle the aliases apply to every importer, but the library is these
 * packages' only importer), so a test can still import the real @peculiar packages to compare with them. zod's
 * alias is left to test/zod-alias.test.ts.
 */
function simplewebauthnAliases(): Plugin {
  const toml = readFileSync("wrangler.toml", "utf8");
  const table = /^\[alias\]\n([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? "";
  const aliases = new Map(
    [...table.matchAll(/^"([^"]+)"\s*=\s*"([^"]+)"/gm)].filter(([, from]) => from !== "zod").map(([, from, to]) => [from!, resolve(to!)]),
  );
  if (!aliases.has("@peculiar/asn1-schema")) throw new Error("wrangler.toml [alias] lost @simplewebauthn/server's ASN.1 entries");
  return {
    name: "simplewebauthn-aliases",
    enforce: "pre",
    resolveId(source, importer) {
      if (importer?.includes("/node_modules/@simplewebauthn/server/")) return aliases.get(source);
    },
  };
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const xlsxWorker = buildXlsxWorker();
  return {
    plugins: [
      simplewebauthnAliases(),
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
