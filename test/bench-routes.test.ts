import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { call, expectError } from "./support/http";

describe("benchmark-only routes", () => {
  it("do not exist unless BENCH_ROUTES is true", async () => {
    const body = await expectError(await call("/_bench/pbkdf2"), 404, "ROUTE_NOT_FOUND");
    expect(body.message).toBe("No route for GET /_bench/pbkdf2");
  });

  it("derive one password hash when turned on", async () => {
    const res = await app.request("/_bench/pbkdf2", {}, { ...env, BENCH_ROUTES: "true" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
