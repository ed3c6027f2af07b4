/**
 * Slice skew of a candidate key, estimated from the data through SQL (the
 * advisor reads tables only through the engine's public API):
 *
 *   select count(*), count(distinct c) from t
 *   select c, count(*) from t group by c order by 2 desc limit 64
 *
 * Hashing places each distinct value on a slice at random, as far as the
 * advisor can tell. The 64 most frequent values are placed at random, the
 * rest spread as equal values over the slices (evenly once there are many),
 * and the fullest slice's expected rows over the average is the skew factor
 * (mean over 64 seeded trials). A key with few distinct values is skewed
 * even when its values are equally frequent: 25 equal values over 4 slices
 * put about 1.5x the average on the fullest slice.
 */
import type { Database } from '../../engine/index.js';
import { Random } from './problem.js';
import type { SkewEstimate } from './model.js';

export const SKEW_TOP_VALUES = 64;
const TRIALS = 64;

export interface ValueCounts {
  readonly rows: number;
  readonly distinct: number;
  /** The most frequent values and their rows, most frequent first (up to SKEW_TOP_VALUES). */
  readonly top: readonly { readonly value: string | number | boolean | null; readonly rows: number }[];
}

/** The expected fullest slice over the average rows per slice, for values hashed at random onto `slices` slices. */
export function skewFactor(counts: ValueCounts, slices: number, seed = 1): number {
  const { rows, distinct, top } = counts;
  if (rows === 0 || slices <= 1) return 1;
  const avg = rows / slices;
  const topRows = top.reduce((s, t) => s + t.rows, 0);
  const restValues = Math.max(0, distinct - top.length);
  const restRows = Math.max(0, rows - topRows);
  const rng = new Random(seed);
  const load = new Float64Array(slices);
  let sum = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    load.fill(0);
    for (const t of top) load[rng.int(0, slices - 1)]! += t.rows;
    if (restValues > 0) {
      if (restValues >= slices * 64) {
        for (let s = 0; s < slices; s++) load[s]! += restRows / slices;
      } else {
        const each = restRows / restValues;
        for (let v = 0; v < restValues; v++) load[rng.int(0, slices - 1)]! += each;
      }
    }
    let max = 0;
    for (let s = 0; s < slices; s++) max = Math.max(max, load[s]!);
    sum += max / avg;
  }
  return sum / TRIALS;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Counts the values of table.column through SQL. */
export async function valueCounts(db: Database, table: string, column: string): Promise<ValueCounts> {
  const t = ident(table);
  const c = ident(column);
  const totals = (await db.query(`select count(*), count(distinct ${c}) from ${t}`)).rows()[0]!;
  const rows = Number(totals[0]);
  // count(distinct) skips NULL; NULLs hash to one slice, so they count as one more value
  const topRows = (await db.query(`select ${c}, count(*) from ${t} group by ${c} order by 2 desc limit ${SKEW_TOP_VALUES}`)).rows();
  const hasNull = topRows.some((r) => r[0] === null);
  const distinct = Number(totals[1]) + (hasNull ? 1 : 0);
  return { rows, distinct, top: topRows.map((r) => ({ value: r[0] as string | number | boolean | null, rows: Number(r[1]) })) };
}

export async function estimateSkew(db: Database, table: string, column: string, slices = db.catalog().slices): Promise<SkewEstimate> {
  const counts = await valueCounts(db, table, column);
  const top = counts.top[0];
  return {
    table,
    column,
    factor: skewFactor(counts, slices),
    rows: counts.rows,
    distinct: counts.distinct,
    ...(top ? { top } : {}),
  };
}
