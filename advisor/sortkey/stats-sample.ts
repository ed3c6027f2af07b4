/**
 * A sample of a stats-only table (imported from a Redshift cluster, no rows in
 * keel) drawn from its imported column statistics, so the sort-key what-if can
 * judge keys on it as it judges them on a sample of real rows.
 *
 * Per column, each row is NULL with the imported NULL fraction, one of the
 * most common values with its imported frequency, or else one of the other
 * distinct values (distinct count less the common ones), all equally likely:
 * numbers spread evenly over [min, max], texts placed in the gaps between the
 * known values (min, the common values, max) in sorted order, so that a range
 * or equality test on a value that was not common finds about its share of
 * rows where it would in the table. That is pg_stats' own model of a column
 * (the planner's selectivities assume it too). Columns are drawn independently:
 * pg_stats records no correlation between columns, so a key's second column
 * is judged as if independent of the first.
 *
 * The draws are seeded from the table and column names: the same statistics
 * give the same sample, and the same advice, on every run.
 */
import type { ImportedColumnStats, SqlType, TableMeta, Vector } from '../../engine/index.js';
import { physicalKind } from '../../engine/index.js';
import type { TableSample } from '../sample.js';
import { Random } from '../distkey/problem.js';
import { physicalValue } from './predicates.js';

/** Why a column cannot be drawn: no statistics, or none that bound its values. */
export type UndrawnColumn = { readonly column: string; readonly why: string };

/** FNV-1a of a text: a stable seed per table and column. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Whether the type's physical values are integers (dates, scaled decimals, microseconds, integers). */
function integral(type: SqlType): boolean {
  return physicalKind(type) === 'i32' || type.id === 'bigint' || type.id === 'decimal' || type.id === 'timestamp' || type.id === 'timestamptz';
}

interface ColumnModel {
  readonly nullFrac: number;
  /** Cumulative frequencies of the common values, after nullFrac (each value's upper edge in [0, 1]). */
  readonly commonEdges: Float64Array;
  /** Common values, physical. */
  readonly common: readonly (number | string)[];
  /** Values that are not common: how many, and the i-th of them (0 <= i < count). */
  readonly others: number;
  readonly other: (i: number) => number | string;
}

/** The column's statistics as a model to draw from, or why it cannot be drawn. */
function modelOf(type: SqlType, s: ImportedColumnStats, rows: number): ColumnModel | string {
  const kind = physicalKind(type);
  if (kind === 'bool') return 'boolean columns are not sort-key candidates here';
  const read = (text: string): number | string | null => {
    const v = physicalValue(text, type);
    return typeof v === 'number' && Number.isNaN(v) ? null : v;
  };
  const pairs: { v: number | string; f: number }[] = [];
  s.mostCommonVals.forEach((text, i) => {
    const v = read(text);
    const f = s.mostCommonFreqs[i];
    if (v !== null && f !== undefined && f > 0) pairs.push({ v, f });
  });
  const min = s.min === null ? null : read(s.min);
  const max = s.max === null ? null : read(s.max);
  const nullFrac = Math.min(1, Math.max(0, s.nullFrac));
  const commonTotal = pairs.reduce((a, p) => a + p.f, 0);
  // distinct values besides the common ones; an unknown count is as many as the rows that are neither NULL nor common
  const distinct = s.distinct ?? Math.round(rows * Math.max(0, 1 - nullFrac - commonTotal)) + pairs.length;
  const others = Math.max(0, Math.round(distinct) - pairs.length);
  const restMass = Math.max(0, 1 - nullFrac - commonTotal);
  if (pairs.length === 0 && (min === null || max === null)) return 'no min/max (histogram_bounds) nor most common values were imported';
  const edges = new Float64Array(pairs.length);
  let acc = nullFrac;
  // frequencies are scaled when they and the NULLs overrun 1 (rounded exports), so every draw lands somewhere
  const scale = nullFrac + commonTotal > 1 ? (1 - nullFrac) / commonTotal : 1;
  pairs.forEach((p, i) => (edges[i] = acc += p.f * scale));
  const common = pairs.map((p) => p.v);
  let other: (i: number) => number | string;
  let otherCount = others;
  if (min === null || max === null || restMass <= 1e-9) {
    // nothing bounds the other values: the remaining rows take the common values again
    otherCount = 0;
    other = () => common[0]!;
  } else if (kind === 'str') {
    // texts between consecutive known values, as many in each gap
    const known = [...new Set([min as string, ...(common as string[]), max as string])].sort();
    const gaps = Math.max(1, known.length - 1);
    const width = String(others).length;
    other = (i) => (known.length === 1 ? known[0]! : `${known[i % gaps]!}\u0001${String(Math.floor(i / gaps)).padStart(width, '0')}`);
  } else {
    const lo = min as number;
    const hi = max as number;
    const round = integral(type);
    other = (i) => {
      const x = others === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (others - 1);
      return round ? Math.round(x) : x;
    };
  }
  return { nullFrac, commonEdges: edges, common, others: otherCount, other };
}

/** `n` rows of one column drawn from its model, as the engine's physical vector. */
function draw(type: SqlType, m: ColumnModel, n: number, rng: Random): Vector {
  const kind = physicalKind(type);
  const nulls = m.nullFrac > 0 ? new Uint8Array(n) : null;
  const values: (number | string)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (u < m.nullFrac) {
      nulls![i] = 1;
      values[i] = kind === 'str' ? '' : 0;
      continue;
    }
    let k = 0;
    while (k < m.commonEdges.length && u >= m.commonEdges[k]!) k++;
    if (k < m.common.length) values[i] = m.common[k]!;
    else if (m.others > 0) values[i] = m.other(Math.min(m.others - 1, Math.floor(rng.next() * m.others)));
    else values[i] = m.common.length ? m.common[Math.floor(rng.next() * m.common.length)]! : m.other(0);
  }
  if (kind === 'str') {
    const dict: string[] = [''];
    const index = new Map<string, number>();
    const codes = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const s = values[i] as string;
      let c = index.get(s);
      if (c === undefined) index.set(s, (c = dict.push(s) - 1));
      codes[i] = c;
    }
    return { kind: 'str', codes, dict, nulls, length: n };
  }
  if (kind === 'i32') return { kind: 'i32', values: Int32Array.from(values as number[]), nulls, length: n };
  return { kind: 'f64', values: Float64Array.from(values as number[]), nulls, length: n };
}

/**
 * `n` rows of `columns` of a stats-only table drawn from its imported column
 * statistics, in no order (each row independent of its neighbours, as a table
 * with no sort key is arranged with respect to any one column); the columns
 * that cannot be drawn are left out and named.
 */
export function statsSample(
  table: TableMeta,
  rows: number,
  stats: Readonly<Record<string, ImportedColumnStats>>,
  columns: readonly string[],
  n: number,
): { sample: TableSample; undrawn: UndrawnColumn[] } {
  const undrawn: UndrawnColumn[] = [];
  const drawn: TableSample['columns'][number][] = [];
  for (const name of columns) {
    const meta = table.columns.find((c) => c.name === name);
    const s = stats[name];
    if (!meta || !s) {
      undrawn.push({ column: name, why: 'no column statistics (pg_stats) were imported for it' });
      continue;
    }
    const m = modelOf(meta.type, s, rows);
    if (typeof m === 'string') {
      undrawn.push({ column: name, why: m });
      continue;
    }
    drawn.push({ name, type: meta.type, vector: draw(meta.type, m, n, new Random(seedOf(`${table.name}.${name}`))) });
  }
  return { sample: { table: table.name, tableRows: rows, rows: n, columns: drawn }, undrawn };
}
