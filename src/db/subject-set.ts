/**
 * A set of attribute subjects (the search index's integer user keys) within [lo, hi], one bit each.
 * Broad `and` filters are intersected here: SQLite hands over each condition's matches as one
 * comma-separated string (group_concat), which costs far less than intersecting large sets in SQL
 * with temporary B-trees (measured in bench/README.md).
 */
export class SubjectSet {
  private readonly words: Uint32Array;

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
    // 32-bit word k of the set holds subjects lo + 32k …: the chunk's first is 128 · chunk − lo / 32 (orWord subtracts).
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

/** The 32-bit number of 8 lower-case hex digits of `text` from `at`. */
function hexNumber(text: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 8; i++) {
    const c = text.charCodeAt(i);
    n = n * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return n;
}
