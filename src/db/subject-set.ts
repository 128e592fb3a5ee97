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
   * Adds the subjects of bitmap words given as two comma-separated lists in step (null: none):
   * `words`, decimal numbers each covering subjects 64·word … 64·word + 63, and `bits`, their 64
   * bits as signed decimal integers (bit i: subject 64·word + i). `lo` must be a multiple of 64.
   */
  addWords(words: string | null, bits: string | null): this {
    if (!words || !bits) return this;
    let at = 0;
    let i = 0;
    while (at < words.length) {
      let word = 0;
      for (let c = words.charCodeAt(at); at < words.length && c !== 44; c = words.charCodeAt(++at)) word = word * 10 + (c - 48);
      at++;
      // 64 bits in two 32-bit limbs: decimal digits carried from the low limb into the high one.
      const negative = bits.charCodeAt(i) === 45;
      if (negative) i++;
      let low = 0;
      let high = 0;
      for (let c = bits.charCodeAt(i); i < bits.length && c !== 44; c = bits.charCodeAt(++i)) {
        low = low * 10 + (c - 48);
        const carry = Math.floor(low / LIMB);
        low -= carry * LIMB;
        high = (high * 10 + carry) % LIMB;
      }
      i++;
      if (negative) [low, high] = low === 0 ? [0, (LIMB - high) % LIMB] : [LIMB - low, LIMB - 1 - high];
      this.orWord(word * 2, low);
      this.orWord(word * 2 + 1, high);
    }
    return this;
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


const LIMB = 2 ** 32;
