import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../src/crypto/password-hash";

const peppers = { current: "pepper-one-0123456789abcdef" };
const FORMAT = /^pbkdf2-sha256\$100000\$[0-9a-f]{8}\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

afterEach(() => vi.restoreAllMocks());

describe("password hashing", () => {
  it("stores a self-describing, salted PBKDF2 hash that verifies only the right password", async () => {
    const a = await hashPassword("Violet-Anchor-Teacup-93", peppers);
    const b = await hashPassword("Violet-Anchor-Teacup-93", peppers);
    expect(a).toMatch(FORMAT);
    expect(a).not.toBe(b);
    expect(a).not.toContain("Violet");
    expect(await verifyPassword("Violet-Anchor-Teacup-93", a, peppers)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword("violet-anchor-teacup-93", a, peppers)).toEqual({ ok: false });
  });

  it("never truncates: passwords differing only in their last of 300 characters differ", async () => {
    const long = "x".repeat(299);
    const hash = await hashPassword(`${long}a`, peppers);
    expect((await verifyPassword(`${long}a`, hash, peppers)).ok).toBe(true);
    expect((await verifyPassword(`${long}b`, hash, peppers)).ok).toBe(false);
  });

  it("treats NFKC-equivalent spellings as the same password", async () => {
    const hash = await hashPassword("Ｐａｓｓ-word-ｆｕｌｌ", peppers);
    expect((await verifyPassword("Pass-word-full", hash, peppers)).ok).toBe(true);
  });

  it("is useless without the pepper, and verifies the previous pepper's hashes during a rotation", async () => {
    const old = await hashPassword("Violet-Anchor-Teacup-93", peppers);
    const rotated = { current: "pepper-two-0123456789abcdef", previous: peppers.current };
    expect(await verifyPassword("Violet-Anchor-Teacup-93", old, { current: rotated.current })).toEqual({ ok: false });
    expect(await verifyPassword("Violet-Anchor-Teacup-93", old, rotated)).toEqual({ ok: true, needsRehash: true });
    const renewed = await hashPassword("Violet-Anchor-Teacup-93", rotated);
    expect(await verifyPassword("Violet-Anchor-Teacup-93", renewed, rotated)).toEqual({ ok: true, needsRehash: false });
  });

  it("asks for a rehash when the iteration count changed", async () => {
    const weak = await hashPassword("Violet-Anchor-Teacup-93", peppers, 1_000);
    expect(weak.split("$")[1]).toBe("1000");
    expect(await verifyPassword("Violet-Anchor-Teacup-93", weak, peppers)).toEqual({ ok: true, needsRehash: true });
  });

  it("spends one full derivation when there is nothing to compare against", async () => {
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const valid = await hashPassword("Violet-Anchor-Teacup-93", peppers);
    derive.mockClear();
    const unusable = [null, undefined, "", "garbage", "pbkdf2-sha256$999999999$abcd$AA$AA", valid.replace(/\$[0-9a-f]{8}\$/, "$00000000$")];
    for (const stored of unusable) {
      vi.spyOn(console, "error").mockImplementation(() => {});
      expect(await verifyPassword("Violet-Anchor-Teacup-93", stored, peppers)).toEqual({ ok: false });
    }
    expect(derive.mock.calls.map((call) => (call[0] as { iterations: number }).iterations)).toEqual(unusable.map(() => PBKDF2_ITERATIONS));
  });
});
