import { defineConfig } from "vitest/config";

// End-to-end suites run in Node against `wrangler dev` over a real socket (SDK, browser, OpenAPI tooling).
export default defineConfig({
  test: {
    root: ".",
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
