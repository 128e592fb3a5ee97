import { describe, expect, inject, it } from "vitest";

describe("demo storefront assets", () => {
  it("serves the page and its module script", async () => {
    const page = await fetch(`${inject("workerUrl")}/demo/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Demo storefront</h1>");
    const script = await fetch(`${inject("workerUrl")}/demo/demo.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
  });
});
