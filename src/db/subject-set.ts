/**
 * A set of attribute subjects (the search index's integer user keys) within [lo, hi], one bit each.
 * Broad `and` filters are intersected here: SQLite hands over each condition's matches as one
 * comma-separated string (group_concat), which costs far less than intersecting large sets in SQL
 * with temporary B-trees (measured in bench/README.md).
 */
export class SubjectSet {
  /** 32 subjects a word, from lo (bit i of word k: subject lo + 32k + i); read by the bit-sliced comparison. */
  readonly words: Uint32Array;

  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    this.words = new Uint32Array(hi >= lo ? Math.floor((hi - lo) / 32) + 1 : 0);
  }

  private add(subject: number): void {
    if (subject < this.lo || subject > this.hi) return;
    const bit = subject - this.lo;
    this.words[bit >>> 5]! |= 1 << (bit & 31);
  }

  /** Adds the subjects of a comma-separated list of decimal integers (null: none); those outside [lo, hi] are ignored. */
  addList(list: string | null): this {
    if (!list) return this;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const c = list.charCodeAt(i);
      if (c === 44) {
        this.add(n);
        n = 0;
      } else {
        n = n * 10 + (c - 48);
      }
    }
    this.add(n);
    return this;
  }

  /**
   * Adds the subjects of a chunk of attribute_bitmaps: 4,096 subjects from chunk · 4,096, as 64
   * words of 16 hex digits, each printed as printf('%016x') prints a 64-bit integer (bit 63 first).
   * Subjects outside [lo, hi] are ignored; `lo` must be a multiple of 64.
   */
  addChunk(chunk: number, hex: string): this {
    // Indexes of 32-bit words counted from subject 0 (orWord moves them to start at lo).
    const first = chunk * 128;
    for (let word = 0; word < 64; word++) {
      this.orWord(first + 2 * word + 1, hexNumber(hex, word * 16));
      this.orWord(first + 2 * word, hexNumber(hex, word * 16 + 8));
    }
    return this;
  }

  /** Whether no subject is in the set (cheaper than `size`). */
  get empty(): boolean {
    return this.words.every((w) => w === 0);
  }

  private orWord(index64: number, bits: number): void {
    if (bits === 0) return;
    const index = index64 - this.lo / 32;
    if (index < 0 || index >= this.words.length) return;
    // The last word may reach past hi.
    const past = index === this.words.length - 1 ? 31 - ((this.hi - this.lo) & 31) : 0;
    this.words[index]! |= past ? bits & (0xffffffff >>> past) : bits;
  }

  /** A copy, to combine without changing this one. */
  clone(): SubjectSet {
    const copy = new SubjectSet(this.lo, this.hi);
    copy.words.set(this.words);
    return copy;
  }

  /** Keeps only the subjects also in `other` (same bounds). */
  intersect(other: SubjectSet): this {
    this.words.forEach((w, i) => (this.words[i] = w & other.words[i]!));
    return this;
  }

  /** Adds the subjects in `other` (same bounds). */
  union(other: SubjectSet): this {
    this.words.forEach((w, i) => (this.words[i] = w | other.words[i]!));
    return this;
  }

  /** Drops the subjects in `other` (same bounds). */
  subtract(other: SubjectSet): this {
    this.words.forEach((w, i) => (this.words[i] = w & ~other.words[i]!));
    return this;
  }

  get size(): number {
    let count = 0;
    for (let v of this.words) {
      v -= (v >>> 1) & 0x55555555;
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    return count;
  }

  /** The members in ascending order. */
  members(): number[] {
    const out: number[] = [];
    this.words.forEach((w, i) => {
      for (let word = w; word !== 0; word &= word - 1) out.push(this.lo + i * 32 + (31 - Math.clz32(word & -word)));
    });
    return out;
  }
}

/** The value of each lower-case hex digit, by character code. */
const HEX_DIGIT = new Uint8Array(128);
for (let d = 0; d < 16; d++) HEX_DIGIT["0123456789abcdef".charCodeAt(d)] = d;

/** The 32-bit number of 8 lower-case hex digits of `text` from `at` (a table and shifts: 2.4× faster than a multiply loop). */
function hexNumber(text: string, at: number): number {
  return (
    ((HEX_DIGIT[text.charCodeAt(at)]! << 28) |
      (HEX_DIGIT[text.charCodeAt(at + 1)]! << 24) |
      (HEX_DIGIT[text.charCodeAt(at + 2)]! << 20) |
      (HEX_DIGIT[text.charCodeAt(at + 3)]! << 16) |
      (HEX_DIGIT[text.charCodeAt(at + 4)]! << 12) |
      (HEX_DIGIT[text.charCodeAt(at + 5)]! << 8) |
      (HEX_DIGIT[text.charCodeAt(at + 6)]! << 4) |
      HEX_DIGIT[text.charCodeAt(at + 7)]!) >>>
    0
  );
}
