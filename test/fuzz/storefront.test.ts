import { describeFuzz } from "../support/fuzz/run";

// Storefront and public operations; platform ones run in platform.test.ts, a separate worker, in parallel.
await describeFuzz("fuzz: every storefront operation in /openapi.json", (op) => !op.security.some((s) => s.startsWith("platform")));
