import fc from "fast-check";
import { describe, it } from "vitest";
import { badString, INJECTIONS, UNICODE } from "../support/fuzz/payloads";
import { checkRequest, fuzzRuns, fuzzSeed } from "../support/fuzz/run";

const PREFIXES = [
  "",
  "/service/application/user",
  "/service/application/user/authentication/v1.0",
  "/service/platform/user/v1.0/company/1/application/000000000000000000000001",
  "/service/panel/authentication/v1.0/company/1",
  "/_dev",
  "/openapi.json",
  "/docs",
];

const segment = fc.oneof(
  fc.stringMatching(/^[a-z0-9_.-]{1,12}$/),
  fc.constantFrom(...INJECTIONS, ...UNICODE).map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))),
  fc.constantFrom("..", ".", "%2e%2e", "%2f", "%", "%zz", "%00", ";", "//", "~", "*"),
);

/** Paths and methods no operation documents: the same properties as the documented ones. */
describe("fuzz: undocumented paths and methods", () => {
  it("answers every one without a 5xx, in the error shape, writing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
        fc.constantFrom(...PREFIXES),
        fc.array(segment, { maxLength: 4 }),
        fc.option(badString, { nil: undefined }),
        async (method, prefix, segments, body) => {
          const path = `${prefix}/${segments.join("/")}`;
          const req = {
            method,
            path,
            headers: { "content-type": "application/json" },
            ...(body === undefined || method === "GET" ? {} : { body: JSON.stringify({ value: body }) }),
          };
          await checkRequest(req, `${method} ${path}`);
        },
      ),
      { numRuns: fuzzRuns * 10, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) },
    );
  }, 120_000);
});
