/**
 * Samples of a table's rows, read through the engine's public query API
 * (SELECT), turned back into the engine's physical vectors so the advisor can
 * compute zone maps and encoded sizes exactly as the storage layer would.
 *
 * Two shapes, because the two choosers need different things:
 * - rows (`sampleRows`): evenly spaced single rows, in storage order, for the
 *   sort-key what-if (the rows are re-sorted anyway; storage order is kept so
 *   the "current order" baseline sees the clustering the table has now);
 * - runs (`sampleRuns`): evenly spaced runs of consecutive rows, one block long,
 *   for the encoding chooser (run-length, delta and dictionary sizes depend on
 *   neighbouring values, which single-row sampling would destroy).
 */
import type * as arrow from 'apache-arrow';
import type { Database, SqlType, TableMeta, Vector } from '../engine/index.js';
import { physicalKind } from '../engine/index.js';

export interface ColumnSample {
  readonly name: string;
  readonly type: SqlType;
  readonly vector: Vector;
}

export interface TableSample {
  readonly table: string;
  /** Rows of the table when sampled. */
  readonly tableRows: number;
  /** Rows in the sample. */
  readonly rows: number;
  readonly columns: readonly ColumnSample[];
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The row positions of `n` rows spread evenly over `total` (all of them when n >= total). */
export function evenPositions(total: number, n: number): Uint32Array {
  if (n >= total) return Uint32Array.from({ length: total }, (_, i) => i);
  const out = new Uint32Array(n);
  const step = total / n;
  // the middle of each stride: no bias towards the first rows of a block
  for (let i = 0; i < n; i++) out[i] = Math.min(total - 1, Math.floor(i * step + step / 2));
  return out;
}

/** Positions of `runs` runs of `runRows` consecutive rows, spread evenly over `total`. */
export function runPositions(total: number, runs: number, runRows: number): Uint32Array {
  if (runs * runRows >= total) return evenPositions(total, total);
  const out = new Uint32Array(runs * runRows);
  const stride = (total - runRows) / Math.max(1, runs - 1);
  let k = 0;
  for (let r = 0; r < runs; r++) {
    const start = runs === 1 ? Math.floor((total - runRows) / 2) : Math.floor(r * stride);
    for (let i = 0; i < runRows; i++) out[k++] = start + i;
  }
  return out;
}

/** Reads `columns` of `table` and keeps the rows at `positions` (ascending) of the result. */
async function readColumns(db: Database, table: TableMeta, columns: readonly string[], pick: (total: number) => Uint32Array): Promise<TableSample> {
  const metas = columns.map((c) => {
    const m = table.columns.find((x) => x.name === c);
    if (!m) throw new Error(`column ${c} is not in ${table.name}`);
    return m;
  });
  const r = await db.query(`select ${metas.map((m) => quoteIdent(m.name)).join(', ')} from ${quoteIdent(table.name)}`);
  const total = r.table.numRows;
  const positions = pick(total);
  return {
    table: table.name,
    tableRows: total,
    rows: positions.length,
    columns: metas.map((m, i) => ({ name: m.name, type: m.type, vector: arrowToVector(r.table.getChildAt(i)!, m.type, positions) })),
  };
}

/** `n` rows spread evenly over the table, in storage order, of the given columns. */
export function sampleRows(db: Database, table: TableMeta, columns: readonly string[], n: number): Promise<TableSample> {
  return readColumns(db, table, columns, (total) => evenPositions(total, n));
}

/** `runs` runs of `runRows` consecutive rows each, spread evenly over the table. */
export function sampleRuns(db: Database, table: TableMeta, columns: readonly string[], runs: number, runRows: number): Promise<TableSample> {
  return readColumns(db, table, columns, (total) => runPositions(total, runs, runRows));
}

/** Every row of the given columns (for the encoding oracle of bench/encodings.ts). */
export function readWhole(db: Database, table: TableMeta, columns: readonly string[]): Promise<TableSample> {
  return readColumns(db, table, columns, (total) => evenPositions(total, total));
}

/**
 * The rows at `positions` (ascending) of an Arrow column, as the engine's
 * physical vector for `type`: dates as days, decimals as scaled integers,
 * BIGINT and timestamps as doubles, strings dictionary-coded.
 */
export function arrowToVector(col: arrow.Vector, type: SqlType, positions: Uint32Array): Vector {
  const n = positions.length;
  const kind = physicalKind(type);
  const nulls = new Uint8Array(n);
  let anyNull = false;
  const i32 = kind === 'i32' ? new Int32Array(n) : null;
  const f64 = kind === 'f64' ? new Float64Array(n) : null;
  const bool = kind === 'bool' ? new Uint8Array(n) : null;
  const codes = kind === 'str' ? new Uint32Array(n) : null;
  const dict: string[] = kind === 'str' ? [''] : [];
  const dictIndex = new Map<string, number>();
  let k = 0;
  let base = 0;
  for (const data of col.data) {
    const end = base + data.length;
    const off = data.offset;
    const bitmap = data.nullCount > 0 ? data.nullBitmap : null;
    const values = data.values as ArrayLike<number> & ArrayLike<bigint>;
    while (k < n && positions[k]! < end) {
      const j = positions[k]! - base;
      const at = off + j;
      if (bitmap && ((bitmap[at >> 3]! >> (at & 7)) & 1) === 0) {
        nulls[k] = 1;
        anyNull = true;
        k++;
        continue;
      }
      switch (kind) {
        case 'i32':
          i32![k] = values[at] as number;
          break;
        case 'bool':
          bool![k] = ((values[at >> 3] as number) >> (at & 7)) & 1;
          break;
        case 'f64':
          if (type.id === 'decimal') {
            // the low 64 bits of the 128-bit word as a signed integer: exact for |x| < 2^53
            const w = values as unknown as Uint32Array;
            f64![k] = (w[at * 4 + 1]! | 0) * 4294967296 + w[at * 4]!;
          } else if (type.id === 'bigint' || type.id === 'timestamp' || type.id === 'timestamptz') f64![k] = Number(values[at] as bigint);
          else f64![k] = values[at] as number;
          break;
        case 'str': {
          const s = col.get(positions[k]!) as string;
          let code = dictIndex.get(s);
          if (code === undefined) {
            code = dict.length;
            dict.push(s);
            dictIndex.set(s, code);
          }
          codes![k] = code;
          break;
        }
      }
      k++;
    }
    base = end;
  }
  const nullMask = anyNull ? nulls : null;
  switch (kind) {
    case 'i32':
      return { kind, values: i32!, nulls: nullMask, length: n };
    case 'f64':
      return { kind, values: f64!, nulls: nullMask, length: n };
    case 'bool':
      return { kind, values: bool!, nulls: nullMask, length: n };
    case 'str':
      return { kind, codes: codes!, dict, nulls: nullMask, length: n };
  }
}

/** Rows `from` to `to` (exclusive) of a vector, taken through `order` when given, as a new vector. */
export function sliceVector(v: Vector, order: Uint32Array | null, from: number, to: number): Vector {
  const n = to - from;
  const ix = order ? order.subarray(from, to) : null;
  const nulls = v.nulls ? new Uint8Array(n) : null;
  if (nulls) for (let i = 0; i < n; i++) nulls[i] = v.nulls![ix ? ix[i]! : from + i]!;
  switch (v.kind) {
    case 'str': {
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) codes[i] = v.codes[ix ? ix[i]! : from + i]!;
      return { kind: 'str', codes, dict: v.dict, nulls, length: n };
    }
    case 'i32': {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) values[i] = v.values[ix ? ix[i]! : from + i]!;
      return { kind: 'i32', values, nulls, length: n };
    }
    case 'f64': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = v.values[ix ? ix[i]! : from + i]!;
      return { kind: 'f64', values, nulls, length: n };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) values[i] = v.values[ix ? ix[i]! : from + i]!;
      return { kind: 'bool', values, nulls, length: n };
    }
  }
}
