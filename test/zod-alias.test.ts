import { describe, expect, it } from "vitest";
// Relative paths on purpose: the bundler alias maps "zod" itself to the slim module.
import * as fullCore from "../node_modules/zod/v4/core/index.js";
import * as full from "../node_modules/zod/v4/classic/external.js";
import * as slim from "../src/lib/zod-without-locales.js";

describe("zod without locales", () => {
  it("exports everything zod exports except the locales", () => {
    const expected = Object.keys(full).filter((k) => k !== "locales").sort();
    expect(Object.keys(slim).filter((k) => k !== "z" && k !== "default").sort()).toEqual(expected);
    expect(Object.keys(slim.core).sort()).toEqual(Object.keys(fullCore).filter((k) => k !== "locales").sort());
    expect(slim.z.object).toBe(full.object);
  });

  it("still speaks English", () => {
    const result = slim.z.object({ a: slim.z.string() }).safeParse({ a: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Invalid input: expected string, received number");
  });
});
