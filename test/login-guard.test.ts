import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../src/crypto/tokens";
import { loginGuardStub, type ThrottleRule } from "../src/durable/login-guard";

const guard = () => loginGuardStub(env.LOGIN_GUARD, newId(), "test");
const rule = (over: Partial<ThrottleRule> = {}): ThrottleRule => ({ key: "k", limit: 3, windowMs: 60_000, lockMs: 10_000, maxLockMs: 40_000, ...over });
const T = 1_700_000_000_000;

describe("LoginGuard", () => {
  it("lets `limit` attempts through, then locks for lockMs", async () => {
    const g = guard();
    for (let i = 0; i < 3; i++) expect(await g.reserve([rule()], T + i)).toEqual({ allowed: true });
    expect(await g.reserve([rule()], T + 3)).toEqual({ allowed: false, retryAfterMs: 10_000 - 1 });
    expect(await g.reserve([rule()], T + 2 + 10_000)).toEqual({ allowed: true });
  });

  it("doubles each further lock up to the maximum, and forgets strikes after a quiet day", async () => {
    const g = guard();
    const one = rule({ limit: 1 });
    const lockAfterAttempt = async (at: number) => {
      expect(await g.reserve([one], at)).toEqual({ allowed: true });
      const denied = await g.reserve([one], at);
      return denied.allowed ? 0 : denied.retryAfterMs;
    };
    expect(await lockAfterAttempt(T)).toBe(10_000);
    expect(await lockAfterAttempt(T + 10_000)).toBe(20_000);
    expect(await lockAfterAttempt(T + 30_000)).toBe(40_000);
    expect(await lockAfterAttempt(T + 70_000)).toBe(40_000);
    expect(await lockAfterAttempt(T + 110_000 + 86_400_000)).toBe(10_000);
  });

  it("starts a new window when the old one has passed", async () => {
    const g = guard();
    await g.reserve([rule()], T);
    await g.reserve([rule()], T + 1);
    expect(await g.reserve([rule()], T + 60_000)).toEqual({ allowed: true });
    expect(await g.reserve([rule()], T + 60_001)).toEqual({ allowed: true });
    expect(await g.reserve([rule()], T + 60_002)).toEqual({ allowed: true });
    expect((await g.reserve([rule()], T + 60_003)).allowed).toBe(false);
  });

  it("charges nothing when any rule refuses", async () => {
    const g = guard();
    const tight = rule({ key: "tight", limit: 1 });
    const loose = rule({ key: "loose", limit: 2 });
    expect(await g.reserve([tight, loose], T)).toEqual({ allowed: true });
    expect((await g.reserve([tight, loose], T + 1)).allowed).toBe(false);
    // The refused attempt did not use up `loose`'s second attempt.
    expect(await g.reserve([loose], T + 2)).toEqual({ allowed: true });
  });

  it("a refund gives one attempt back and lifts the lock that attempt started; a reset clears all", async () => {
    const g = guard();
    for (let i = 0; i < 3; i++) await g.reserve([rule()], T);
    expect((await g.reserve([rule()], T)).allowed).toBe(false);
    await g.settle({ reset: [], refund: ["k"] }, T);
    expect(await g.reserve([rule()], T)).toEqual({ allowed: true });
    expect((await g.reserve([rule()], T)).allowed).toBe(false);
    await g.settle({ reset: ["k"], refund: [] }, T);
    for (let i = 0; i < 3; i++) expect(await g.reserve([rule()], T)).toEqual({ allowed: true });
  });

  it("skips a rule for an IP it was told to trust", async () => {
    const g = guard();
    const accountWide = rule({ key: "account", limit: 1, unlessTrustedIp: "192.0.2.1" });
    await g.reserve([rule({ key: "account", limit: 1 })], T);
    expect((await g.reserve([accountWide], T + 1)).allowed).toBe(false);
    await g.settle({ reset: [], refund: [], trustIp: "192.0.2.1" }, T + 2);
    expect(await g.reserve([accountWide], T + 3)).toEqual({ allowed: true });
    expect((await g.reserve([{ ...accountWide, unlessTrustedIp: "203.0.113.1" }], T + 4)).allowed).toBe(false);
  });

  it("holds the limit exactly under a concurrent burst", async () => {
    const g = guard();
    const results = await Promise.all(Array.from({ length: 40 }, () => g.reserve([rule({ limit: 7 })])));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
  });
});
