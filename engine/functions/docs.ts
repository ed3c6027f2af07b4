/**
 * The SQL reference's function tables, made from the registry: docs/sql.md
 * holds this text between its BEGIN and END markers (one pair for the scalar
 * functions, one for the aggregates, one for the window functions), and a test
 * (test/engine/functions/docs.test.ts) checks that it still does.
 */
import { AGGREGATE_FAMILY, FAMILIES, WINDOW_FAMILY } from './registry.js';
import type { AggregateFunction, ScalarFunction, WindowFunction } from './types.js';

export const DOCS_BEGIN = '<!-- BEGIN functions: made from engine/functions (docs.ts); test/engine/functions/docs.test.ts checks it, KEEL_UPDATE_DOCS=1 rewrites it -->';
export const DOCS_END = '<!-- END functions -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Names the call forms do not show (aliases), for "also ...". */
function aliases(f: ScalarFunction | AggregateFunction | WindowFunction): string[] {
  const shown = f.syntax.join(' ').toLowerCase();
  return f.names.filter((n) => !new RegExp(`(^|[^a-z_])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z_]|$)`).test(shown));
}

/** The call forms, and the aliases they do not show. */
function forms(f: ScalarFunction | AggregateFunction | WindowFunction): string {
  const shown = f.syntax.map((s) => `\`${s}\``).join(', ');
  const also = aliases(f);
  return also.length ? `${shown}; also ${also.map((a) => `\`${a.toUpperCase()}\``).join(', ')}` : shown;
}

function row(f: ScalarFunction): string {
  const nulls = f.nulls === 'strict' ? 'NULL' : 'see the description';
  return `| ${cell(forms(f))} | ${cell(f.returns)} | ${nulls} | ${cell(f.doc)} |`;
}

/** A row of the aggregate or window function table: its NULL rule is text. */
function textRow(f: AggregateFunction | WindowFunction): string {
  return `| ${cell(forms(f))} | ${cell(f.returns)} | ${cell(f.nulls)} | ${cell(f.doc)} |`;
}

/** The reference's function tables: one per family, in the registry's order. */
export function functionReference(): string {
  const out: string[] = [DOCS_BEGIN];
  for (const family of FAMILIES) {
    out.push('', `#### ${family.name[0]!.toUpperCase()}${family.name.slice(1)}`, '', '| function | result | with a NULL argument | what it does |', '|---|---|---|---|');
    for (const f of family.functions) out.push(row(f));
  }
  out.push('', DOCS_END);
  return out.join('\n');
}

export const AGGREGATE_DOCS_BEGIN = '<!-- BEGIN aggregates: made from engine/functions/aggregate.ts (docs.ts); test/engine/functions/docs.test.ts checks it, KEEL_UPDATE_DOCS=1 rewrites it -->';
export const AGGREGATE_DOCS_END = '<!-- END aggregates -->';

/** The reference's table of aggregate functions, in the registry's order. */
export function aggregateReference(): string {
  return [
    AGGREGATE_DOCS_BEGIN,
    '',
    '| aggregate | result | NULL arguments | what it does |',
    '|---|---|---|---|',
    ...AGGREGATE_FAMILY.functions.map(textRow),
    '',
    AGGREGATE_DOCS_END,
  ].join('\n');
}

export const WINDOW_DOCS_BEGIN = '<!-- BEGIN window functions: made from engine/functions/window.ts (docs.ts); test/engine/functions/docs.test.ts checks it, KEEL_UPDATE_DOCS=1 rewrites it -->';
export const WINDOW_DOCS_END = '<!-- END window functions -->';

/** The reference's table of the window functions that are no aggregates, in the registry's order. */
export function windowReference(): string {
  return [WINDOW_DOCS_BEGIN, '', '| function | result | NULL arguments | what it does |', '|---|---|---|---|', ...WINDOW_FAMILY.map(textRow), '', WINDOW_DOCS_END].join('\n');
}
