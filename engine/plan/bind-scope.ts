/**
 * Name resolution: which column of the relation being built a name means.
 *
 * A scope lists the columns visible in a FROM clause, each with the alias of
 * the table it came from and its index in the relation's fields. Columns are
 * held in tiers: a name is looked up in tier 0 first, then tier 1 (the outer
 * query's columns when binding a correlated predicate, or a subquery's
 * imported outer columns, see bind-subquery.ts), and so on.
 * A scope may also have a parent: the enclosing query's scope. A name found
 * there is an outer reference; it resolves as 'outer', naming the scope that
 * holds it, so the subquery binder can decorrelate it (or report it).
 */
import { SqlError, positionAt } from '../errors.js';
import type { SqlType } from '../types.js';
import type { Field } from './physical.js';
import type { ColumnRef } from '../sql/ast.js';

export interface ScopeColumn {
  /** The table alias (or derived table alias) that qualifies it; null for merged USING columns. */
  readonly table: string | null;
  readonly name: string;
  readonly type: SqlType;
  /** Index into the relation's fields. */
  readonly index: number;
  /** A USING/NATURAL duplicate: reachable qualified only, and not part of `*`. */
  readonly hidden?: boolean;
  /** Where the value comes from, for output fields and the query record. */
  readonly field: Field;
}

export type Resolution =
  | { readonly kind: 'found'; readonly column: ScopeColumn; readonly tier: number }
  | { readonly kind: 'ambiguous'; readonly name: string }
  /** Found in an enclosing query's scope (`scope`, whose tiers hold `column`). */
  | { readonly kind: 'outer'; readonly column: ScopeColumn; readonly scope: Scope }
  | { readonly kind: 'missing'; readonly unknownTable: string | null };

export class Scope {
  constructor(
    readonly tiers: readonly (readonly ScopeColumn[])[],
    /** Consulted only to report references we cannot handle. */
    readonly parent: Scope | null = null,
  ) {}

  static of(columns: readonly ScopeColumn[], parent: Scope | null = null): Scope {
    return new Scope([columns], parent);
  }

  static empty(parent: Scope | null = null): Scope {
    return new Scope([[]], parent);
  }

  get columns(): readonly ScopeColumn[] {
    return this.tiers[0]!;
  }

  /** Table aliases of tier 0, in FROM order. */
  tables(): string[] {
    const out: string[] = [];
    for (const c of this.columns) if (c.table !== null && !out.includes(c.table)) out.push(c.table);
    return out;
  }

  resolve(ref: ColumnRef): Resolution {
    const table = ref.table?.name ?? null;
    const name = ref.name.name;
    let tableSeen = table === null;
    for (let t = 0; t < this.tiers.length; t++) {
      const matches: ScopeColumn[] = [];
      for (const c of this.tiers[t]!) {
        if (table !== null) {
          if (c.table !== table) continue;
          tableSeen = true;
          if (c.name === name) matches.push(c);
        } else if (c.name === name && !c.hidden) matches.push(c);
      }
      if (matches.length === 1) return { kind: 'found', column: matches[0]!, tier: t };
      if (matches.length > 1) {
        // the same column reached twice (e.g. t.* twice) is not ambiguous
        if (matches.every((m) => m.index === matches[0]!.index)) return { kind: 'found', column: matches[0]!, tier: t };
        return { kind: 'ambiguous', name: table ? `${table}.${name}` : name };
      }
    }
    if (this.parent) {
      const r = this.parent.resolve(ref);
      if (r.kind === 'found') return { kind: 'outer', column: r.column, scope: this.parent };
      if (r.kind === 'outer') return r;
    }
    return { kind: 'missing', unknownTable: tableSeen ? null : table };
  }

  /** Every name a user might have meant, for "did you mean" suggestions. */
  candidates(): string[] {
    const out = new Set<string>();
    for (let s: Scope | null = this; s; s = s.parent) for (const tier of s.tiers) for (const c of tier) out.add(c.name);
    return [...out];
  }

  tableCandidates(): string[] {
    const out = new Set<string>();
    for (let s: Scope | null = this; s; s = s.parent) for (const tier of s.tiers) for (const c of tier) if (c.table) out.add(c.table);
    return [...out];
  }
}

/**
 * A reference to a column of an enclosing query where it could not be bound
 * (UNSUPPORTED). The subquery binder catches it where `scope` is the outer
 * scope of the subquery being bound, imports the column into that subquery
 * and binds it again (bind-subquery.ts); anywhere else it reaches the user.
 */
export class OuterReferenceError extends SqlError {
  constructor(
    message: string,
    sql: string,
    pos: number,
    readonly scope: Scope,
    readonly column: ScopeColumn,
  ) {
    super('UNSUPPORTED', message, positionAt(sql, pos), sql);
  }
}

/** Levenshtein distance, for suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n]!;
}

/** The nearest candidate, if it is near enough to be a plausible typo. */
export function suggest(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD || (d === bestD && best !== null && c < best)) {
      best = c;
      bestD = d;
    }
  }
  if (best === null) return null;
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return bestD <= limit ? best : null;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s ? `; did you mean "${s}"?` : '';
}
