import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SubjectSet } from "../src/db/subject-set";

/*
 * attribute_bitmaps chunks arrive as SQLite keeps them: 1,024 hex digits, 64 words of 64 subjects
 * each printed as printf('%016x') prints a 64-bit integer (bit 63 first, so a negative one too).
 */
const chunkText = (subjects: number[], chunk: number) => {
  const words = Array.from({ length: 64 }, () => 0n);
  for (const s of subjects) if (s >> 12 === chunk) words[(s >> 6) & 63]! |= 1n << BigInt(s & 63);
  return words.map((w) => w.toString(16).padStart(16, "0")).join("");
};

describe("SubjectSet.addChunk", () => {
  it("reads every subject of the chunks, bit 63 included, and ignores what lies outside the set (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 3 * 4096 - 1 }), { maxLength: 300 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 12_000 }), (subjects, loWord, span) => {
        const lo = loWord * 64;
        const hi = lo + span;
        const set = new SubjectSet(lo, hi);
        for (const chunk of [2, 0, 1]) set.addChunk(chunk, chunkText(subjects, chunk));
        expect(set.members()).toEqual(subjects.filter((s) => s >= lo && s <= hi).sort((a, b) => a - b));
      }),
    );
  });

  it("the extremes: only bit 63 of a word, and every bit of one", () => {
    const text = "8000000000000000" + "f".repeat(16) + "0".repeat(62 * 16);
    expect(new SubjectSet(0, 4095).addChunk(0, text).members()).toEqual([63, ...Array.from({ length: 64 }, (_, i) => 64 + i)]);
    expect(new SubjectSet(4096, 8191).addChunk(1, text).members()).toEqual([4096 + 63, ...Array.from({ length: 64 }, (_, i) => 4096 + 64 + i)]);
    expect(new SubjectSet(0, 63).empty).toBe(true);
  });
});
