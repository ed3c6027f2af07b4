/**
 * A shadow copy: the tables a change's query shapes read, copied into a
 * scratch data directory as they are laid out now (DDL from the catalog), the
 * large ones as an evenly spread sample read in load order, so the copy keeps
 * the clustering the table has from how it was loaded. Blocks hold the real
 * block size times the sample fraction, so a sampled table has as many blocks
 * per slice as the real one and zone maps prune it alike.
 */
import type { Batch, Database, TableMeta } from '../../engine/index.js';
import { isInterleaved, redshiftNameFor, typeName } from '../../engine/index.js';
import { ident } from '../autonomics/layout.js';

/** The CREATE TABLE that lays a table out as it is now (its current settings written explicitly). */
export function createTableSql(t: TableMeta): string {
  const cols = t.columns.map((c) => `${ident(c.name)} ${typeName(c.type)}${c.notNull ? ' not null' : ''}${c.encoding === 'auto' ? '' : ` encode ${redshiftNameFor(c.encoding).toLowerCase()}`}`);
  const dist = t.distStyle === 'key' ? `diststyle key distkey(${ident(t.distKey!)})` : `diststyle ${t.distStyle}`;
  const sort = t.sortKey.length ? ` ${isInterleaved(t) ? 'interleaved' : 'compound'} sortkey(${t.sortKey.map(ident).join(', ')})` : '';
  return `create table ${ident(t.name)} (${cols.join(', ')}) ${dist}${sort}`;
}

export interface CopyPlan {
  /** Fraction of rows sampled from tables above wholeRows (1: every table whole). */
  readonly fraction: number;
  readonly blockRows: number;
  readonly tables: readonly { readonly table: string; readonly rows: number; readonly tableRows: number; readonly fraction: number }[];
}

/** How to copy `tables`: tables over `wholeRows` sampled to about `sampleRows` rows for the largest, the rest whole. */
export function copyPlan(db: Database, tables: readonly string[], sampleRows: number, wholeRows: number): CopyPlan {
  const catalog = db.catalog();
  const metas = tables.map((t) => catalog.tables[t]!).filter((t) => t !== undefined);
  const largest = Math.max(1, ...metas.map((t) => t.rows));
  const fraction = Math.min(1, sampleRows / largest);
  const sampled = (t: TableMeta) => fraction < 1 && t.rows > wholeRows;
  return {
    fraction,
    blockRows: Math.max(16, Math.round(catalog.blockRows * fraction)),
    tables: metas.map((t) => {
      const f = sampled(t) ? fraction : 1;
      return { table: t.name, rows: Math.round(t.rows * f), tableRows: t.rows, fraction: f };
    }),
  };
}

/** Appends a table was built by: segments per slice (the most any slice has), at most 256. */
export function appendsOf(t: TableMeta): number {
  const perSlice = new Map<number, number>();
  for (const s of t.segments) perSlice.set(s.slice, (perSlice.get(s.slice) ?? 0) + 1);
  return Math.min(256, Math.max(1, ...perSlice.values()));
}

/** Splits a stream of batches into `parts` streams of about `rows / parts` rows each, in order. */
function* chunked(batches: Iterable<Batch>, rows: number, parts: number): Generator<Batch[]> {
  const per = Math.max(1, Math.ceil(rows / parts));
  let part: Batch[] = [];
  let n = 0;
  for (const b of batches) {
    part.push(b);
    n += b.length;
    if (n >= per) {
      yield part;
      part = [];
      n = 0;
    }
  }
  if (part.length) yield part;
}

/**
 * Fills `shadow` (an empty database of the same slice count) with the planned
 * copies. A table built by many appends is copied in as many appends, so the
 * copy has its partial blocks too: a rewrite merges them, and the proof must
 * see that as well as the new order.
 */
export async function fillCopy(db: Database, shadow: Database, plan: CopyPlan): Promise<void> {
  const catalog = db.catalog();
  for (const t of plan.tables) {
    const meta = catalog.tables[t.table]!;
    await shadow.execute(createTableSql(meta));
    for (const part of chunked(db.readTable(t.table, t.fraction), t.rows, appendsOf(meta))) await shadow.append(t.table, part);
  }
}
