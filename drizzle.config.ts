import { defineConfig } from "drizzle-kit";

// Migrations are generated from the drizzle schema and applied by wrangler
// (`wrangler d1 migrations apply`), which reads the top-level *.sql files.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema/*.ts",
  out: "./migrations",
});
