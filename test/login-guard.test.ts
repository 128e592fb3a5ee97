import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../src/crypto/tokens";
import { loginGuardStub, type Outcome, type ThrottleRule } from "../src/durable/login-guard";

const guard = () => loginGuardStub(env.LOGIN_GUARD, newId(), "test");
type Guard = ReturnType<typeof guard>;
const rule = (over: Partial<ThrottleRule> = {}): ThrottleRule => ({
  key: "k",
  limit: 3,
  windowMs: 60_000,
  lockMs: 10_000,
  maxLockMs: 40_000,
  resetOnSuccess: true,
  ...over,
});
const T = 1_700_000_000_000;

/** One whole attempt: take a slot and report its outcome; returns the refusal's wait, or 0 when let through. */
async function attempt(g: Guard, rules: ThrottleRule[], at: number, outcome: Outcome = "failure", trustIp?: string): Promise<number> {
  const r = await g.reserve(rules, at);
  if (!r.allowed) return r.retryAfterMs;
  await g.settle(r.ticket, rules, outcome, trustIp, at);
  return 0;
}

describe("LoginGuard", () => {
  it("lets `limit` failures through, then locks for lockMs", async () => {
    const g = guard();
    for (let i = 0; i < 3; i++) expect(await attempt(g, [rule()], T + i)).toBe(0);
    expect(await attempt(g, [rule()], T + 3)).toBe(10_000 - 1);
    expect(await attempt(g, [rule()], T + 2 + 10_000)).toBe(0);
  });

  it("holds the limit exactly under a concurrent burst, counting checks still in flight", async () => {
    const g = guard();
    const results = await Promise.all(Array.from({ length: 40 }, () => g.reserve([rule({ limit: 7 })], T)));
    expect(results.filter((r) => r.allowed)).toHaveLength(7);
    // The rest are told to come back when the pending checks are decided.
    expect(new Set(results.filter((r) => !r.allowed).map((r) => (r.allowed ? 0 : r.retryAfterMs)))).toEqual(new Set([1_000]));
  });

  it("frees a slot when its check succeeds, is cancelled, or never reports back", async () => {
    const g = guard();
    const tickets = [];
    for (let i = 0; i < 3; i++) {
      const r = await g.reserve([rule()], T);
      if (r.allowed) tickets.push(r.ticket);
    }
    expect((await g.reserve([rule()], T)).allowed).toBe(false);
    await g.settle(tickets[0]!, [rule()], "success", undefined, T);
    expect((await g.reserve([rule()], T)).allowed).toBe(true);
    await g.settle(tickets[1]!, [rule()], "cancelled", undefined, T);
    expect((await g.reserve([rule()], T)).allowed).toBe(true);
    expect((await g.reserve([rule()], T)).allowed).toBe(false);
    expect((await g.reserve([rule()], T + 30_001)).allowed).toBe(true);
  });

  it("clears the account's failures on success but never forgives a shared counter's", async () => {
    const g = guard();
    const own = rule({ key: "own" });
    const shared = rule({ key: "shared", resetOnSuccess: false });
    await attempt(g, [own, shared], T);
    await attempt(g, [own, shared], T);
    await attempt(g, [own, shared], T, "success");
    expect(await attempt(g, [own], T)).toBe(0);
    expect(await attempt(g, [own], T)).toBe(0);
    expect(await attempt(g, [shared], T)).toBe(0);
    expect(await attempt(g, [shared], T)).toBe(10_000);
  });

  it("doubles each further lock up to the maximum, and forgets strikes after a quiet day", async () => {
    const g = guard();
    const one = [rule({ limit: 1 })];
    const lockAfterFailure = async (at: number) => {
      expect(await attempt(g, one, at)).toBe(0);
      return attempt(g, one, at);
    };
    expect(await lockAfterFailure(T)).toBe(10_000);
    expect(await lockAfterFailure(T + 10_000)).toBe(20_000);
    expect(await lockAfterFailure(T + 30_000)).toBe(40_000);
    expect(await lockAfterFailure(T + 70_000)).toBe(40_000);
    expect(await lockAfterFailure(T + 110_000 + 86_400_000)).toBe(10_000);
  });

  it("starts a new window when the old one has passed", async () => {
    const g = guard();
    await attempt(g, [rule()], T);
    await attempt(g, [rule()], T + 1);
    for (let i = 0; i < 3; i++) expect(await attempt(g, [rule()], T + 60_000 + i)).toBe(0);
    expect(await attempt(g, [rule()], T + 60_003)).toBeGreaterThan(0);
  });

  it("takes no slot anywhere when any rule refuses", async () => {
    const g = guard();
    const tight = rule({ key: "tight", limit: 1 });
    const loose = rule({ key: "loose", limit: 2 });
    expect((await g.reserve([tight, loose], T)).allowed).toBe(true);
    expect((await g.reserve([tight, loose], T)).allowed).toBe(false);
    // The refused attempt did not use up `loose`'s second slot.
    expect((await g.reserve([loose], T)).allowed).toBe(true);
    expect((await g.reserve([loose], T)).allowed).toBe(false);
  });

  it("skips a rule for an IP the account's owner logged in from", async () => {
    const g = guard();
    const accountWide = rule({ key: "account", limit: 1, unlessTrustedIp: "192.0.2.1" });
    await attempt(g, [rule({ key: "account", limit: 1 })], T);
    expect(await attempt(g, [accountWide], T + 1)).toBeGreaterThan(0);
    await attempt(g, [], T + 2, "success", "192.0.2.1");
    expect(await attempt(g, [accountWide], T + 3)).toBe(0);
    expect(await attempt(g, [{ ...accountWide, unlessTrustedIp: "203.0.113.1" }], T + 4)).toBeGreaterThan(0);
  });
});
