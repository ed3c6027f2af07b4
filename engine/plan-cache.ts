/**
 * The plan cache: a SELECT run again reuses what binding, planning and code
 * generation made of it the first time, so a repeated statement pays none of
 * them (docs/execution.md, "The plan cache").
 *
 * An entry is keyed by the statement's text, and for a prepared statement by
 * its parameters' values too: the binder turns literals and parameters into
 * constants inside the plan, so two statements share a plan only when every
 * literal and parameter is the same. (A plan keyed by the fingerprint, with
 * literals as slots filled at each run, would serve more statements, but
 * estimates, zone-map tests and folded constants all read the literal values:
 * it would need the planner to plan without them.)
 *
 * An entry is used only while everything planning read is as it was:
 *  - the catalog object itself. Catalogs are immutable and every commit makes
 *    a new one (DDL, ALTER, INSERT and the other DML, VACUUM, ANALYZE, a
 *    layout change, another process's commit, a transaction block's change),
 *    so identity is exact: the tables' versions, layouts, schemas and the
 *    statistics the estimates read (ANALYZE's, and the segments' zone maps,
 *    which belong to the table version) cannot have changed.
 *  - the imported statistics object (Database.importedStats keeps one until
 *    the file changes), which decides which tables are stats-only.
 *  - the settings the binder reads: the time zone and view rewriting.
 * Statements that read a system table (its rows are read when the query is
 * planned) or call a volatile function (sql/volatile.ts) are never kept.
 *
 * Besides the plan, an entry keeps the functions compiled for its nodes
 * (ExecContext.compiledFor), so a repeated statement neither generates code
 * nor looks it up by its source text. Each run still gets its own execution
 * state: nothing that depends on the rows (hash tables, statistics) is kept.
 *
 * One cache per Database (a session), least recently used entries evicted
 * beyond MAX_ENTRIES.
 */
import type { Catalog, TableMeta } from './catalog/catalog.js';
import type { ImportedStats } from './catalog/imported-stats.js';
import type { ParamValue } from './types.js';
import type { PlanNode } from './plan/physical.js';

/** Plans kept per session; a plan is a few kilobytes to a few hundred (VALUES lists keep their rows). */
export const MAX_ENTRIES = 128;

/** What a statement's first run made that a later run of it can use. */
export interface CachedPlan {
  readonly plan: PlanNode;
  /** The tables the plan reads (for the result cache). */
  readonly read: readonly TableMeta[];
  /** The materialized views the query's blocks were rewritten to read, and why (EXPLAIN's first lines). */
  readonly views: readonly { readonly name: string; readonly reason: string; readonly where: string }[];
  /** Compiled functions by node key (ExecContext.compiledFor), filled by the first run. */
  readonly code: Map<string, unknown>;
}

/** What planning read besides the statement: an entry is valid only while all of it is the same. */
export interface PlanInputs {
  readonly catalog: Catalog;
  readonly imported: ImportedStats | null;
  /** The settings binding reads, as one string (planSettingsKey). */
  readonly settings: string;
}

interface Entry extends CachedPlan, PlanInputs {}

/** The cache key of a statement: its text, and its parameters' values when it has any. */
export function planKey(text: string, params: readonly ParamValue[] | undefined): string {
  return params?.length ? `${text}\u0000${JSON.stringify(params)}` : text;
}

/** The settings binding reads (statements/settings.ts): the zone (casts, DATE_TRUNC, EXTRACT) and whether to read fresh views. */
export function planSettingsKey(s: { readonly timeZone: string; readonly viewRewrite: boolean }): string {
  return `${s.timeZone}\u0000${s.viewRewrite ? 1 : 0}`;
}

export class PlanCache {
  private readonly entries = new Map<string, Entry>();
  /** Lookups answered and missed since the database opened. */
  hits = 0;
  misses = 0;

  /** The plan kept for `key`, if what it was planned from is what the statement would be planned from now. */
  get(key: string, now: PlanInputs): CachedPlan | null {
    const e = this.entries.get(key);
    if (e === undefined || e.catalog !== now.catalog || e.imported !== now.imported || e.settings !== now.settings) {
      // the plan made now replaces it
      if (e !== undefined) this.entries.delete(key);
      this.misses++;
      return null;
    }
    // most recently used last: Map keeps insertion order
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e;
  }

  /** Keeps a plan made from `inputs`; returns the entry whose code map later runs fill. */
  put(key: string, inputs: PlanInputs, plan: Omit<CachedPlan, 'code'>): CachedPlan {
    const e: Entry = { ...inputs, ...plan, code: new Map() };
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return e;
  }

  get size(): number {
    return this.entries.size;
  }
}
