import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
    interface Env extends Bindings {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      /** Runs per fuzzed operation: a number, or "high" (npm run fuzz); empty: the CI default. */
      FUZZ_RUNS: string;
      /** Replays a failing fuzz run with the seed fast-check printed. */
      FUZZ_SEED: string;
    }
  }
}
