import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SubjectSet } from "../src/db/subject-set";

/*
 * attribute_bits words arrive as SQLite prints them: signed 64-bit decimals (bit 63 makes a word
 * negative), parsed without BigInt into two 32-bit halves.
 */
describe("SubjectSet.addWords", () => {
  it("reads every word SQLite can print, bit 63 and -2^63 included (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 64 * 12 - 1 }), { maxLength: 200 }), fc.integer({ min: 0, max: 3 }), (subjects, offset) => {
        const lo = offset * 64;
        const words = new Map<number, bigint>();
        for (const s of subjects) words.set((s + lo) >> 6, (words.get((s + lo) >> 6) ?? 0n) | (1n << BigInt((s + lo) & 63)));
        const entries = [...words].sort(() => Math.random() - 0.5);
        const set = new SubjectSet(lo, lo + 64 * 12 - 1).addWords(
          entries.map(([w]) => w).join(","),
          entries.map(([, b]) => BigInt.asIntN(64, b).toString()).join(","),
        );
        expect(set.members()).toEqual(subjects.map((s) => s + lo).sort((a, b) => a - b));
      }),
    );
  });

  it("the extremes: only bit 63, all 64 bits, and words outside the set's bounds ignored", () => {
    const set = new SubjectSet(64, 191).addWords("1,2,0,9", [-(2n ** 63n), -1n, 1n, 5n].join(","));
    expect(set.members()).toEqual([127, ...Array.from({ length: 64 }, (_, i) => 128 + i)]);
    expect(new SubjectSet(0, 63).addWords(null, null).size).toBe(0);
  });
});
