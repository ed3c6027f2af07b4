/**
 * Aggregates that need every value of a group at once, so they have no partial
 * states: MEDIAN and LISTAGG. The planner runs them in 'complete' mode only,
 * after each group's rows have been brought to one slice (as for DISTINCT
 * aggregates). Both keep per-group lists and do the work in result().
 */
import { ExecError } from '../../errors.js';
import type { Batch, SqlType, Vector } from '../../types.js';
import type { AggSpec, SortKey } from '../../plan/physical.js';

/** Longest LISTAGG result, in UTF-8 bytes: Redshift's VARCHAR(MAX). */
export const LISTAGG_LIMIT = 65535;

/**
 * MEDIAN: the middle value, or the two middle values' mean. Exact types
 * (DECIMAL as scaled integers, DATE as days, TIMESTAMP as microseconds) take
 * lo + floor((hi - lo) / 2), which is DuckDB's interpolation; DOUBLE PRECISION
 * results (from integers and floats) take lo + (hi - lo) / 2.
 */
export class MedianAcc {
  private lists: number[][] = [];
  private readonly exact: boolean;

  constructor(resultType: SqlType) {
    this.exact = resultType.id === 'decimal' || resultType.id === 'date' || resultType.id === 'timestamp' || resultType.id === 'timestamptz';
  }

  grow(g: number): void {
    while (this.lists.length < g) this.lists.push([]);
  }

  update(v: Vector | null, ids: Int32Array, n: number): void {
    const vec = v!;
    if (vec.kind === 'str') throw new Error('MEDIAN over strings');
    const x = vec.values;
    const nulls = vec.nulls;
    const lists = this.lists;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      lists[ids[i]!]!.push(x[i]!);
    }
  }

  result(g: number): Vector {
    const values = new Float64Array(g);
    const nulls = new Uint8Array(g);
    let any = false;
    for (let i = 0; i < g; i++) {
      const list = this.lists[i];
      if (!list || list.length === 0) {
        nulls[i] = 1;
        any = true;
        continue;
      }
      const sorted = Float64Array.from(list).sort();
      const m = sorted.length;
      const hi = sorted[m >> 1]!;
      if (m % 2 === 1) {
        values[i] = hi;
        continue;
      }
      const lo = sorted[(m >> 1) - 1]!;
      values[i] = this.exact ? lo + Math.floor((hi - lo) / 2) : lo + (hi - lo) / 2;
    }
    return { kind: 'f64', values, nulls: any ? nulls : null, length: g };
  }
}

type Key = number | string | null;

interface Entry {
  readonly s: string;
  readonly k: readonly Key[];
}

function keyAt(v: Vector, i: number): Key {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  return v.kind === 'str' ? v.dict[v.codes[i]!]! : v.values[i]!;
}

/** Compares two entries by the WITHIN GROUP keys, NULLs placed as ORDER BY places them (as in sort.ts). */
function compareKeys(order: readonly SortKey[]): (a: Entry, b: Entry) => number {
  return (a, b) => {
    for (let j = 0; j < order.length; j++) {
      const x = a.k[j]!;
      const y = b.k[j]!;
      if (x === null || y === null) {
        if (x === null && y === null) continue;
        const nullOrder = order[j]!.nullsFirst ? -1 : 1;
        return x === null ? nullOrder : -nullOrder;
      }
      if (x === y) continue;
      const r = x < y ? -1 : 1;
      return order[j]!.desc ? -r : r;
    }
    return 0;
  };
}

/**
 * LISTAGG: the group's non-NULL, non-empty values joined by the delimiter, in
 * the WITHIN GROUP order (ties, and everything without WITHIN GROUP, in the
 * order rows arrived); DISTINCT keeps the first of equal values. NULL for a
 * group without values. A result longer than LISTAGG_LIMIT bytes is an error.
 */
export class ListAggAcc {
  private lists: Entry[][] = [];
  private readonly order: readonly SortKey[];

  constructor(private readonly spec: AggSpec) {
    this.order = spec.order ?? [];
  }

  grow(g: number): void {
    while (this.lists.length < g) this.lists.push([]);
  }

  /** The value column alone (no WITHIN GROUP keys to read). */
  update(v: Vector | null, ids: Int32Array, n: number): void {
    this.add(v!, [], ids, n);
  }

  /** The value and the WITHIN GROUP keys, from the aggregate's input batch. */
  updateBatch(batch: Batch, ids: Int32Array, n: number): void {
    this.add(
      batch.columns[this.spec.arg]!,
      this.order.map((o) => batch.columns[o.column]!),
      ids,
      n,
    );
  }

  private add(v: Vector, keys: readonly Vector[], ids: Int32Array, n: number): void {
    if (v.kind !== 'str') throw new Error('LISTAGG over a non-string column');
    const { codes, dict, nulls } = v;
    const lists = this.lists;
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const s = dict[codes[i]!]!;
      if (s === '') continue;
      lists[ids[i]!]!.push({ s, k: keys.map((kv) => keyAt(kv, i)) });
    }
  }

  result(g: number): Vector {
    const codes = new Uint32Array(g);
    const dict: string[] = new Array<string>(g);
    const nulls = new Uint8Array(g);
    let any = false;
    const cmp = this.order.length ? compareKeys(this.order) : null;
    const sep = this.spec.separator ?? '';
    for (let i = 0; i < g; i++) {
      codes[i] = i;
      let list = this.lists[i] ?? [];
      if (list.length === 0) {
        dict[i] = '';
        nulls[i] = 1;
        any = true;
        continue;
      }
      // Array.prototype.sort is stable: ties keep their arrival order
      if (cmp) list = [...list].sort(cmp);
      let parts = list.map((e) => e.s);
      if (this.spec.distinct) parts = [...new Set(parts)];
      const s = parts.join(sep);
      if (s.length > LISTAGG_LIMIT || (s.length * 3 > LISTAGG_LIMIT && Buffer.byteLength(s, 'utf8') > LISTAGG_LIMIT)) {
        throw new ExecError('INVALID_VALUE', `result size exceeds LISTAGG limit (${LISTAGG_LIMIT} bytes)`);
      }
      dict[i] = s;
    }
    return { kind: 'str', codes, dict, nulls: any ? nulls : null, length: g };
  }
}
