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
   * Adds the subjects of bitmap words given as three comma-separated lists in step (null: none):
   * `words`, decimal numbers each covering subjects 64·word … 64·word + 63, and the low and high
   * 32 bits of each word's 64, as unsigned decimals (bit i: subject 64·word + i). Halves rather
   * than one signed 64-bit number: digits then add up exactly in a double, which made parsing
   * three times faster. `lo` must be a multiple of 64.
   */
  addWords(words: string | null, low: string | null, high: string | null): this {
    if (!words || !low || !high) return this;
    let w = 0;
    let l = 0;
    let h = 0;
    // charCodeAt past the end is NaN and a comma is below "0": both end a number.
    while (w < words.length) {
      let word = 0;
      for (let c = words.charCodeAt(w); c >= 48; c = words.charCodeAt(++w)) word = word * 10 + (c - 48);
      let lowBits = 0;
      for (let c = low.charCodeAt(l); c >= 48; c = low.charCodeAt(++l)) lowBits = lowBits * 10 + (c - 48);
      let highBits = 0;
      for (let c = high.charCodeAt(h); c >= 48; c = high.charCodeAt(++h)) highBits = highBits * 10 + (c - 48);
      w++;
      l++;
      h++;
      this.orWord(word * 2, lowBits);
      this.orWord(word * 2 + 1, highBits);
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
    if (index >= 0 && index < this.words.length) this.words[index]! |= bits;
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

