import { Validator, type SpecData } from "@seriousme/openapi-schema-validator";
import { describe, expect, inject, it } from "vitest";

describe("OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const doc = (await (await fetch(`${inject("workerUrl")}/openapi.json`)).json()) as SpecData;
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("renders the docs page", async () => {
    const res = await fetch(`${inject("workerUrl")}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
  });
});
