import { sql, type SQL } from "drizzle-orm";
import { SubjectSet } from "./subject-set";

/*
 * Reading the bitmaps migration 0019 keeps over the search index (attribute_bitmaps, maintained by
 * its triggers): per definition and code, a row of 1,024 hex digits for each 4,096 subjects. A
 * condition that matches most users reads its codes' chunks (≈ 245 rows per code at 1M customers)
 * instead of one index row per match: `age >= 30` is 8 codes × 245 rows rather than 850,000
 * index rows, `nickname contains "77"` one code's 245 rows rather than an instr() over every
 * nickname, `tier in (gold, silver)` two codes rather than 500,000 index rows (bench/README.md).
 */

/** What a row of attribute_bitmaps says about its subjects (see migrations/0019_attribute_bits.sql). */
export const BIT_CODE = {
  /** Has an index row of the definition: a value, or for a multi-value attribute a non-empty list. */
  present: -1,
  /** Single value: a number outside the sliced domain (negative, fractional, or ≥ 2^43). */
  outlier: -2,
  /** Single value: an integral number in [0, 2^43) (dates: epoch ms until 2248), whose bit k is the subject's bit in slice k. */
  sliced: -3,
} as const;

/*
 * Text codes, over value_fold's characters (code points c): a value (an element of a list)
 * contains c, contains the pair c1 c2, ends with c, ends with c1 c2.
 */
const TEXT_KIND = 2 ** 43;
const PAIR = 2 ** 21;
const containsChar = (c: number) => TEXT_KIND + c;
const containsPair = (c1: number, c2: number) => 2 * TEXT_KIND + c1 * PAIR + c2;
const endsWithChar = (c: number) => 3 * TEXT_KIND + c;
const endsWithPair = (c1: number, c2: number) => 4 * TEXT_KIND + c1 * PAIR + c2;
/** An enum value's code: this plus its number in attribute_bitmap_values. */
const ENUM_KIND = 5 * TEXT_KIND;

const SLICES = 43;
const MAX_SLICED = 2 ** SLICES - 1;
const SLICE_CODES = Array.from({ length: SLICES }, (_, k) => k);
export const CHUNK_SUBJECTS = 4096;

/** The first subject of the 64-subject word holding `subject`: sets combined with bitmaps start there. */
export const wordStart = (subject: number) => subject - (((subject % 64) + 64) % 64);

/**
 * Chunk rows per statement: at ≈ 1 KB each, 16,000 stay well under D1's 50 MB limit on a result
 * (one code of 1M subjects is 245 rows; 43 codes of 10M would be 105,000).
 */
const ROWS_PER_READ = 16_000;

/** Statements reading `codes` of one definition for subjects in [lo, hi]: rows of (code, chunk, hex). */
export function bitsReads(definitionKey: number, codes: readonly number[], lo: number, hi: number): SQL[] {
  // Codes as literals (integers below 2^53, printed exactly): an IN list on the key's middle column
  // is one seek per code, and keeps parameters for D1's limit.
  const list = sql.raw(codes.map((c) => String(Math.trunc(c))).join(", "));
  return chunkRanges(lo, hi, codes.length).map(([from, to]) => sql`select code, chunk, hex from attribute_bitmaps where def_key = ${definitionKey} and code in (${list}) and chunk between ${from} and ${to}`);
}

/** Statements reading the equality bitmaps of an enum attribute's values (folded texts): rows of (code, chunk, hex), one code a value. */
export function enumReads(definitionKey: number, folds: string[], lo: number, hi: number): SQL[] {
  const codes = sql`select ${ENUM_KIND} + code from attribute_bitmap_values where def_key = ${definitionKey} and value_fold in (${sql.join(
    folds.map((f) => sql`${f}`),
    sql`, `,
  )})`;
  return chunkRanges(lo, hi, folds.length).map(([from, to]) => sql`select code, chunk, hex from attribute_bitmaps where def_key = ${definitionKey} and code in (${codes}) and chunk between ${from} and ${to}`);
}

/** The chunks of subjects [lo, hi] in ranges of at most ROWS_PER_READ rows for `codes` codes. */
function chunkRanges(lo: number, hi: number, codes: number): [number, number][] {
  const span = Math.max(1, Math.floor(ROWS_PER_READ / codes));
  const last = Math.floor(hi / CHUNK_SUBJECTS);
  const ranges: [number, number][] = [];
  for (let from = Math.floor(lo / CHUNK_SUBJECTS); from <= last; from += span) ranges.push([from, Math.min(last, from + span - 1)]);
  return ranges;
}

export const presenceReads = (definitionKey: number, lo: number, hi: number) => bitsReads(definitionKey, [BIT_CODE.present], lo, hi);

/** The number codes a range over [from, to] needs (lowestSlice), for subjects in [lo, hi]. */
export const numberReads = (definitionKey: number, span: { from: number; to: number }, lo: number, hi: number) =>
  bitsReads(definitionKey, [BIT_CODE.sliced, BIT_CODE.outlier, ...SLICE_CODES.slice(lowestSlice(span.from, span.to))], lo, hi);

/**
 * The lowest slice a comparison reads. Below the lowest 1-bit of `from`, a slice only moves
 * subjects between "greater" and "equal", whose union is the answer; likewise below the lowest
 * 0-bit of `to` between "less" and "equal". (SLICES: no slice at all, the range is the whole domain.)
 */
function lowestSlice(from: number, to: number): number {
  const lowestOne = (n: number) => {
    let k = 0;
    while (k < SLICES && bit(n, k) === 0) k++;
    return k;
  };
  // MAX_SLICED - to: `to` with its bits flipped.
  return Math.min(from > 0 ? lowestOne(from) : SLICES, to < MAX_SLICED ? lowestOne(MAX_SLICED - to) : SLICES);
}

/** Bit k of a non-negative integer below 2^53 (JavaScript's bit operators stop at 32 bits). */
const bit = (n: number, k: number) => Math.floor(n / 2 ** k) % 2;

/**
 * The codes whose subjects all hold a text condition (contains / ends with `value`, lower-cased):
 * `exact` when their intersection is the answer (operands of one or two characters), else it holds
 * the candidates, which are checked against the index rows. Undefined for an empty operand.
 */
export function textCodes(kind: "contains" | "suffix", value: string): { codes: number[]; exact: boolean } | undefined {
  const chars = [...value].map((c) => c.codePointAt(0)!);
  if (chars.length === 0) return undefined;
  const pairs = chars.slice(1).map((c, i) => containsPair(chars[i]!, c));
  if (kind === "contains") return chars.length === 1 ? { codes: [containsChar(chars[0]!)], exact: true } : { codes: [...new Set(pairs)], exact: chars.length === 2 };
  if (chars.length === 1) return { codes: [endsWithChar(chars[0]!)], exact: true };
  const ending = endsWithPair(chars.at(-2)!, chars.at(-1)!);
  return chars.length === 2 ? { codes: [ending], exact: true } : { codes: [ending, ...new Set(pairs)], exact: false };
}

export type ChunkRows = { code: number; chunk: number; hex: string }[];

/** Adds the subjects of chunk rows to `set`, whatever their codes (a union). */
export function addChunks(set: SubjectSet, rows: ChunkRows): SubjectSet {
  for (const row of rows) set.addChunk(row.chunk, row.hex);
  return set;
}

/** The sets of one definition's codes, from the rows of its reads. */
export class CodeSets {
  private readonly sets = new Map<number, SubjectSet>();

  constructor(
    private readonly lo: number,
    private readonly hi: number,
  ) {}

  add(rows: ChunkRows): this {
    for (const row of rows) this.of(row.code).addChunk(row.chunk, row.hex);
    return this;
  }

  /** The subjects of a code (empty when no word of it was read). */
  of(code: number): SubjectSet {
    let set = this.sets.get(code);
    if (!set) this.sets.set(code, (set = new SubjectSet(this.lo, this.hi)));
    return set;
  }

  /** The highest slice holding any subject, plus one (0 when none does). */
  get width(): number {
    let width = 0;
    for (const [code, set] of this.sets) if (code >= 0 && code < SLICES && code + 1 > width && !set.empty) width = code + 1;
    return width;
  }
}

interface Bound {
  value: number | string;
  inclusive: boolean;
}

/** The integers of [0, 2^43) within a numeric range (from > to: none); undefined if a bound is not a number. */
export function integerSpan(lower?: Bound, upper?: Bound): { from: number; to: number } | undefined {
  const low = lower?.value;
  const high = upper?.value;
  if ((low !== undefined && typeof low !== "number") || (high !== undefined && typeof high !== "number")) return undefined;
  const from = low === undefined ? 0 : lower!.inclusive ? Math.ceil(low) : Math.floor(low) + 1;
  const to = high === undefined ? MAX_SLICED : upper!.inclusive ? Math.floor(high) : Math.ceil(high) - 1;
  return { from: Math.max(0, from), to: Math.min(MAX_SLICED, to) };
}

/**
 * The subjects whose sliced number lies in [from, to]: two comparisons over the bit slices, each a
 * pass from the highest slice down (O'Neil and Quass, "Improved query performance with variant
 * indexes", 1997), so the cost is slices × words whatever the range. Both run word by word in
 * local variables: combining whole sets allocated a set per slice, and the garbage collector took
 * more time than the comparison.
 */
export function slicedRange(codes: CodeSets, from: number, to: number): SubjectSet {
  const domain = codes.of(BIT_CODE.sliced);
  const result = new SubjectSet(domain.lo, domain.hi);
  const width = codes.width;
  const top = 2 ** width - 1;
  if (from > to || from > top) return result;
  const lowest = lowestSlice(from, to);
  const ks: number[] = [];
  for (let k = width - 1; k >= lowest; k--) ks.push(k);
  const slices = ks.map((k) => codes.of(k).words);
  const fromBits = ks.map((k) => bit(from, k));
  const toBits = ks.map((k) => bit(to, k));
  const lower = from > 0;
  const upper = to < top;
  const out = result.words;
  const base = domain.words;
  for (let j = 0; j < out.length; j++) {
    const d = base[j]!;
    if (d === 0) continue;
    let atLeast = d;
    if (lower) {
      // ≥ from: greater at the first slice where they differ from `from`, or equal throughout.
      let greater = 0;
      let equal = d;
      for (let i = 0; i < slices.length; i++) {
        const b = slices[i]![j]!;
        if (fromBits[i]) equal &= b;
        else {
          greater |= equal & b;
          equal &= ~b;
        }
      }
      atLeast = greater | equal;
    }
    let atMost = d;
    if (upper) {
      let less = 0;
      let equal = d;
      for (let i = 0; i < slices.length; i++) {
        const b = slices[i]![j]!;
        if (toBits[i]) {
          less |= equal & ~b;
          equal &= b;
        } else equal &= ~b;
      }
      atMost = less | equal;
    }
    out[j] = atLeast & atMost;
  }
  return result;
}

/** The subjects in every one of the codes' sets. */
export function allOf(codes: CodeSets, list: number[]): SubjectSet {
  const [first, ...rest] = list;
  const result = codes.of(first!).clone();
  for (const code of rest) result.intersect(codes.of(code));
  return result;
}
