/**
 * PERCENTILE_CONT and PERCENTILE_DISC (functions/aggregate.ts). A group's
 * values are gathered as (group, value) pairs in two growing typed arrays;
 * result() sorts them by group with one counting sort, then each group's run
 * numerically, and reads the percentile at its position. No per-group lists
 * and no per-row objects.
 *
 * Positions over a group's n values in the WITHIN GROUP order (descending
 * reads the ascending run from its end):
 *   CONT: row RN = f * (n - 1) (0-based), interpolated between floor(RN) and
 *         ceil(RN): lo + (hi - lo) * (RN - floor(RN)); exact types (DECIMAL,
 *         DATE, TIMESTAMP) truncate the step to their last unit, as DuckDB
 *         (and keel's MEDIAN) do.
 *   DISC: row max(1, ceil(f * n)) (1-based), the first whose cumulative
 *         distribution reaches f. f * n is computed exactly from f written as
 *         a decimal (0.07 of 100 rows is row 7, not 8 as the binary double
 *         0.07 * 100 = 7.000000000000001 would make it), as DuckDB does.
 */
import type { SqlType, Vector } from '../../types.js';
import type { AggSpec } from '../../plan/physical.js';

export class PercentileAcc {
  private groupOf = new Int32Array(1024);
  private values = new Float64Array(1024);
  private size = 0;
  private readonly exact: boolean;
  /** f as the exact fraction num / den (DISC). */
  private readonly num: bigint;
  private readonly den: bigint;

  constructor(
    private readonly spec: AggSpec,
    resultType: SqlType,
  ) {
    this.exact = resultType.id === 'decimal' || resultType.id === 'date' || resultType.id === 'timestamp' || resultType.id === 'timestamptz';
    ({ num: this.num, den: this.den } = asDecimal(spec.fraction ?? 0));
  }

  grow(): void {
    // values are kept per row, not per group
  }

  update(v: Vector | null, ids: Int32Array, n: number): void {
    const vec = v!;
    if (vec.kind === 'str') throw new Error('a percentile over strings');
    const x = vec.values;
    const nulls = vec.nulls;
    if (this.size + n > this.values.length) this.reserve(this.size + n);
    const groupOf = this.groupOf;
    const values = this.values;
    let at = this.size;
    if (nulls === null) {
      for (let i = 0; i < n; i++) {
        groupOf[at] = ids[i]!;
        values[at++] = x[i]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (nulls[i] === 1) continue;
        groupOf[at] = ids[i]!;
        values[at++] = x[i]!;
      }
    }
    this.size = at;
  }

  private reserve(n: number): void {
    const cap = Math.max(n, this.values.length * 2);
    const g = new Int32Array(cap);
    g.set(this.groupOf.subarray(0, this.size));
    const v = new Float64Array(cap);
    v.set(this.values.subarray(0, this.size));
    this.groupOf = g;
    this.values = v;
  }

  result(g: number): Vector {
    // counting sort by group: each group's values become one run
    const starts = new Int32Array(g + 1);
    for (let i = 0; i < this.size; i++) starts[this.groupOf[i]! + 1]!++;
    for (let k = 0; k < g; k++) starts[k + 1]! += starts[k]!;
    const next = starts.slice(0, g);
    const runs = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) runs[next[this.groupOf[i]!]!++] = this.values[i]!;
    const out = new Float64Array(g);
    const nulls = new Uint8Array(g);
    let anyNull = false;
    const cont = this.spec.fn === 'percentileCont';
    const desc = this.spec.desc === true;
    const f = this.spec.fraction ?? 0;
    for (let k = 0; k < g; k++) {
      const from = starts[k]!;
      const m = starts[k + 1]! - from;
      if (m === 0) {
        nulls[k] = 1;
        anyNull = true;
        continue;
      }
      const run = runs.subarray(from, from + m).sort();
      // position i of the WITHIN GROUP order is run[i], or run[m - 1 - i] descending
      if (cont) {
        const rn = f * (m - 1);
        const lo = Math.floor(rn);
        const hi = Math.ceil(rn);
        const a = run[desc ? m - 1 - lo : lo]!;
        if (lo === hi) out[k] = a;
        else {
          const step = (run[desc ? m - 1 - hi : hi]! - a) * (rn - lo);
          out[k] = a + (this.exact ? Math.trunc(step) : step);
        }
      } else {
        const row = Math.max(1, Number((BigInt(m) * this.num + this.den - 1n) / this.den)) - 1;
        out[k] = run[desc ? m - 1 - row : row]!;
      }
    }
    return { kind: 'f64', values: out, nulls: anyNull ? nulls : null, length: g };
  }
}

/** f (0 to 1) as the fraction of the shortest decimal that reads back as f: 0.07 is 7 / 100. */
export function asDecimal(f: number): { num: bigint; den: bigint } {
  const [mantissa, exponent] = f.toExponential().split('e') as [string, string];
  const [whole, frac = ''] = mantissa.split('.') as [string, string?];
  const digits = BigInt(whole + frac);
  const places = frac.length - Number(exponent);
  return places <= 0 ? { num: digits * 10n ** BigInt(-places), den: 1n } : { num: digits, den: 10n ** BigInt(places) };
}
