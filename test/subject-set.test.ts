import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SubjectSet } from "../src/db/subject-set";

/*
 * attribute_bits words arrive as three decimal lists: the words' numbers and their low and high
 * 32 bits, as SQLite prints `bits & 4294967295` and `(bits >> 32) & 4294967295` of a signed 64-bit
 * integer (bit 63 makes it negative).
 */
const halves = (bits: bigint[]) => {
  const signed = bits.map((b) => BigInt.asIntN(64, b));
  // SQLite's >> on a negative integer fills with ones; the mask keeps 32 bits either way.
  return [signed.map((b) => (b & 0xffffffffn).toString()).join(","), signed.map((b) => ((b >> 32n) & 0xffffffffn).toString()).join(",")] as const;
};
describe("SubjectSet.addWords", () => {
  it("reads every word, bit 63 and -2^63 included (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 64 * 12 - 1 }), { maxLength: 200 }), fc.integer({ min: 0, max: 3 }), (subjects, offset) => {
        const lo = offset * 64;
        const words = new Map<number, bigint>();
        for (const s of subjects) words.set((s + lo) >> 6, (words.get((s + lo) >> 6) ?? 0n) | (1n << BigInt((s + lo) & 63)));
        const entries = [...words].sort(() => Math.random() - 0.5);
        const set = new SubjectSet(lo, lo + 64 * 12 - 1).addWords(entries.map(([w]) => w).join(","), ...halves(entries.map(([, b]) => b)));
        expect(set.members()).toEqual(subjects.map((s) => s + lo).sort((a, b) => a - b));
      }),
    );
  });

  it("the extremes: only bit 63, all 64 bits, and words outside the set's bounds ignored", () => {
    const set = new SubjectSet(64, 191).addWords("1,2,0,9", ...halves([-(2n ** 63n), -1n, 1n, 5n]));
    expect(set.members()).toEqual([127, ...Array.from({ length: 64 }, (_, i) => 128 + i)]);
    expect(new SubjectSet(0, 63).addWords(null, null, null).empty).toBe(true);
  });
});
