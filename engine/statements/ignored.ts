/**
 * Statements of a schema dump keel accepts and does nothing for (SET,
 * COMMENT ON, ALTER TABLE ... OWNER TO and ADD CONSTRAINT: sql/parse-ignored.ts). The table and
 * column they name must exist, so a dump that misspells one still fails
 * where it would on a cluster.
 */
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { SessionHost } from './host.js';
import { statementError, tableOr } from './common.js';
import { done, type StatementOutcome } from './outcome.js';

export function ignored(db: SessionHost, s: ast.IgnoredStatement, p: ParsedStatement, t0: number): StatementOutcome {
  if (s.table) {
    const catalog = db.catalog();
    // COMMENT ON TABLE may name a view too
    const isView = s.command === 'COMMENT' && s.columns.length === 0 && catalog.views[s.table.name] !== undefined;
    const t = isView ? null : tableOr(catalog, s.table, p);
    for (const c of t ? s.columns : []) {
      if (!t!.columns.some((x) => x.name === c.name)) throw statementError('UNKNOWN_COLUMN', `column "${c.name}" of table "${t!.name}" does not exist`, c.pos, p);
    }
  }
  return done(s.command, t0);
}
