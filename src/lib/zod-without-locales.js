/*
 * The `zod` package entry minus its ~40 bundled locales (a fifth of the gzipped Worker).
 * wrangler.toml aliases "zod" to this file: @hono/zod-openapi hands the whole `z` namespace to
 * extendZodWithOpenApi, so no bundler can drop the unused locales on its own. English messages are
 * still registered by zod's ZodType constructor. test/zod-alias.test.ts checks that these modules export
 * everything zod's do except `locales`, so a zod upgrade cannot silently drop an export.
 * Paths are relative because the "zod" alias also captures "zod/..." subpaths.
 */
import * as z from "./zod-external-without-locales.js";
export * from "./zod-external-without-locales.js";
export { z, z as default };
