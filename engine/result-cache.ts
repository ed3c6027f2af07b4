/**
 * The result cache, as Redshift's: a SELECT whose text was answered before,
 * over tables none of which changed since, returns the rows it returned then
 * without running. What "changed" means is the table's identity and content:
 * its id (a dropped and re-made table is another), its version (raised by
 * deletes, updates, truncates, rewrites and column changes) and its
 * nextSegment (raised by appends); and the definitions of the views, which a
 * query reads through. A query is not cached when it calls a function whose
 * value changes between runs (engine/sql/volatile.ts), reads a system table,
 * or returns more than MAX_CELLS values.
 *
 * One cache per Database (a session), least recently used entries evicted
 * beyond MAX_ENTRIES or TOTAL_CELLS. SET enable_result_cache_for_session TO
 * off bypasses it (engine/statements/settings.ts).
 */
import type { Batch } from './types.js';
import type { Catalog, TableMeta } from './catalog/catalog.js';
import type { Field } from './plan/physical.js';

/** Results larger than this many values (rows × columns) are not kept: a scan-sized answer would push out many small ones. */
export const MAX_CELLS = 1_000_000;
/** Values kept over all entries: about 8 M numbers, 64 MB of typed arrays at most. */
export const TOTAL_CELLS = 8_000_000;
export const MAX_ENTRIES = 256;

interface Entry {
  readonly tables: readonly { readonly name: string; readonly state: string }[];
  readonly views: string;
  readonly fields: readonly Field[];
  readonly batch: Batch;
  readonly cells: number;
}

/** A table's state as far as a cached result depends on it. */
function tableState(t: TableMeta): string {
  return `${t.id}:${t.version}:${t.nextSegment}`;
}

function viewsState(catalog: Catalog): string {
  return JSON.stringify(catalog.views);
}

export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  private cells = 0;
  /** Lookups answered and lookups missed since the database opened. */
  hits = 0;
  misses = 0;

  /** The cached answer to `sql` over `catalog`, if every table it read is as it was. */
  get(sql: string, catalog: Catalog): { fields: readonly Field[]; batch: Batch } | null {
    const e = this.entries.get(sql);
    if (!e || e.views !== viewsState(catalog) || !e.tables.every((s) => current(catalog, s.name, s.state))) {
      if (e) this.drop(sql, e);
      this.misses++;
      return null;
    }
    // most recently used last: Map keeps insertion order
    this.entries.delete(sql);
    this.entries.set(sql, e);
    this.hits++;
    return { fields: e.fields, batch: e.batch };
  }

  /** Keeps the answer to `sql`, which read `tables` of `catalog`. */
  put(sql: string, catalog: Catalog, tables: readonly TableMeta[], fields: readonly Field[], batch: Batch): void {
    const cells = batch.length * Math.max(1, batch.columns.length);
    if (cells > MAX_CELLS) return;
    const old = this.entries.get(sql);
    if (old) this.drop(sql, old);
    this.entries.set(sql, { tables: tables.map((t) => ({ name: t.name, state: tableState(t) })), views: viewsState(catalog), fields, batch, cells });
    this.cells += cells;
    for (const [key, e] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.cells <= TOTAL_CELLS) break;
      this.drop(key, e);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.cells -= e.cells;
  }
}

function current(catalog: Catalog, name: string, state: string): boolean {
  const t = catalog.tables[name];
  return t !== undefined && tableState(t) === state;
}
