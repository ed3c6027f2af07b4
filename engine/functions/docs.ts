/**
 * The SQL reference's function tables, made from the registry: docs/sql.md
 * holds this text between its BEGIN and END markers, and a test
 * (test/engine/functions/docs.test.ts) checks that it still does.
 */
import { FAMILIES } from './registry.js';
import type { ScalarFunction } from './types.js';

export const DOCS_BEGIN = '<!-- BEGIN functions: made from engine/functions (docs.ts); test/engine/functions/docs.test.ts checks it, KEEL_UPDATE_DOCS=1 rewrites it -->';
export const DOCS_END = '<!-- END functions -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Names the call forms do not show (aliases), for "also ...". */
function aliases(f: ScalarFunction): string[] {
  const shown = f.syntax.join(' ').toLowerCase();
  return f.names.filter((n) => !new RegExp(`(^|[^a-z_])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z_]|$)`).test(shown));
}

function row(f: ScalarFunction): string {
  const forms = f.syntax.map((s) => `\`${s}\``).join(', ');
  const also = aliases(f);
  const name = also.length ? `${forms}; also ${also.map((a) => `\`${a.toUpperCase()}\``).join(', ')}` : forms;
  const nulls = f.nulls === 'strict' ? 'NULL' : 'see the description';
  return `| ${cell(name)} | ${cell(f.returns)} | ${nulls} | ${cell(f.doc)} |`;
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
