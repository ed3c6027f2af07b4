/**
 * Random number streams for the data generators.
 *
 * TPC-H's dbgen draws every column from its own Park–Miller "minimal standard"
 * generator (x' = 16807·x mod (2^31 − 1)), seeded with a fixed per-column
 * constant, and advances each stream by a fixed number of draws per row no
 * matter how many it used. That makes every row a pure function of its row
 * number and lets us reproduce dbgen's output exactly, table by table, in any
 * order. {@link RowStream} is that generator; all arithmetic stays exact in
 * doubles (products are folded mod 2^31 − 1 before they can leave 2^53).
 */

export const PM_MODULUS = 2147483647; // 2^31 - 1
export const PM_MULTIPLIER = 16807;
const TWO31 = 2147483648;
const TWO16 = 65536;

/** x mod (2^31 − 1) for an integer 0 <= x < 2^53, using 2^31 ≡ 1. */
function fold(x: number): number {
  const hi = Math.floor(x / TWO31);
  let r = hi + (x - hi * TWO31);
  if (r >= PM_MODULUS) r -= PM_MODULUS;
  return r;
}

/** a·b mod (2^31 − 1) for 0 <= a, b < 2^31, exact. */
export function mulMod(a: number, b: number): number {
  const bh = Math.floor(b / TWO16);
  const bl = b - bh * TWO16;
  return fold(fold(a * bh) * TWO16 + a * bl);
}

/** 16807^k mod (2^31 − 1) for small k, so that finishing a row is one multiplication. */
const SKIP_TABLE_SIZE = 128;
const SKIP = new Float64Array(SKIP_TABLE_SIZE);
SKIP[0] = 1;
for (let k = 1; k < SKIP_TABLE_SIZE; k++) SKIP[k] = fold(SKIP[k - 1]! * PM_MULTIPLIER);

/** seed · 16807^count mod (2^31 − 1): advances a Park–Miller state by `count` draws. */
export function skipAhead(seed: number, count: number): number {
  if (count <= 0) return seed;
  if (count < SKIP_TABLE_SIZE) return mulMod(seed, SKIP[count]!);
  let multiplier = PM_MULTIPLIER;
  let s = seed;
  let n = count;
  while (n > 0) {
    if (n % 2 !== 0) s = mulMod(multiplier, s);
    n = Math.floor(n / 2);
    multiplier = mulMod(multiplier, multiplier);
  }
  return s;
}

/**
 * One per-column random stream: a Park–Miller generator that is advanced by
 * exactly `perRow` draws per row (call {@link rowFinished} after each row).
 */
export class RowStream {
  seed: number;
  usage = 0;
  readonly perRow: number;

  constructor(seed: number, perRow: number) {
    this.seed = seed;
    this.perRow = perRow;
  }

  /** Next raw state in [1, 2^31 − 2]. */
  nextRand(): number {
    const p = this.seed * PM_MULTIPLIER;
    const hi = Math.floor(p / TWO31);
    let r = hi + (p - hi * TWO31);
    if (r >= PM_MODULUS) r -= PM_MODULUS;
    this.seed = r;
    this.usage++;
    return r;
  }

  /**
   * A value in [low, high], mapped exactly as dbgen does: trunc(seed / M · range).
   * As in dbgen, a range that overflows 32 bits (0 .. 2^31 − 1) wraps negative;
   * the alphanumeric generator relies on that.
   */
  nextInt(low: number, high: number): number {
    this.nextRand();
    const range = (high - low + 1) | 0;
    return low + Math.trunc((this.seed / PM_MODULUS) * range);
  }

  /** Skip the draws this row did not use, so that the next row starts where dbgen's would. */
  rowFinished(): void {
    if (this.usage < this.perRow) this.seed = skipAhead(this.seed, this.perRow - this.usage);
    this.usage = 0;
  }

  /** Skip whole rows (for generating a range that does not start at row 1). */
  advanceRows(rows: number): void {
    if (this.usage !== 0) this.rowFinished();
    let n = rows * this.perRow;
    // keep each step's count exact (< 2^53) and the loop short
    while (n > 0) {
      const step = Math.min(n, 2 ** 50);
      this.seed = skipAhead(this.seed, step);
      n -= step;
    }
  }
}

/** splitmix32-style integer hash (used only to derive stream seeds from a user seed). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The initial state of one column's stream. With user seed 0 this is dbgen's own
 * constant (so the output is dbgen's, bit for bit); any other user seed derives a
 * different, still valid, Park–Miller state from the pair.
 */
export function streamSeed(base: number, userSeed: number): number {
  if (userSeed === 0) return base;
  const lo = userSeed >>> 0;
  const hi = Math.floor(userSeed / 4294967296) >>> 0;
  const h = mix32(mix32(base ^ mix32(lo)) ^ mix32(hi ^ 0x5bd1e995));
  const h2 = mix32(h ^ base);
  // a state in [1, M − 1]
  return (((h ^ (h2 << 7)) >>> 0) % (PM_MODULUS - 1)) + 1;
}
