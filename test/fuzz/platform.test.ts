import { describeFuzz } from "../support/fuzz/run";

// The platform token route and every platform API operation.
await describeFuzz("fuzz: every platform operation in /openapi.json", (op) => op.security.some((s) => s.startsWith("platform")));
