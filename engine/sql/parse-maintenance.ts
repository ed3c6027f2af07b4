/**
 * Parsing of the maintenance statements, VACUUM and ANALYZE, as Redshift
 * writes them.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

// VACUUM [FULL | SORT ONLY | DELETE ONLY | REINDEX] [table [TO n PERCENT] [BOOST]]
export function vacuumStatement(p: ParserCursor): ast.VacuumStatement {
  const pos = p.advance().pos;
  let mode: ast.VacuumStatement['mode'] = 'full';
  if (p.acceptWord('full')) mode = 'full';
  else if (p.isWord('sort') && p.isWord('only', 1)) {
    p.advance();
    p.advance();
    mode = 'sortOnly';
  } else if (p.isWord('delete') && p.isWord('only', 1)) {
    p.advance();
    p.advance();
    mode = 'deleteOnly';
  } else if (p.acceptWord('reindex')) mode = 'reindex';
  else if (p.isWord('recluster')) throw p.unsupported('VACUUM RECLUSTER');
  const table = p.isName() && !p.isWord('to') && !p.isWord('boost') ? p.objectName() : null;
  let threshold: number | null = null;
  if (p.isWord('to')) {
    const at = p.advance().pos;
    const t = p.tok;
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) throw p.expected('a whole number of percent after TO');
    p.advance();
    threshold = Number(t.value);
    if (threshold > 100) throw p.error('INVALID_VALUE', `the VACUUM threshold must be from 0 to 100 percent, not ${threshold}`, at);
    p.expectWord('percent');
  }
  const boost = p.acceptWord('boost');
  return { kind: 'vacuum', mode, table, threshold, boost, pos };
}

// ANALYZE [VERBOSE] [table [(column, ...)]] [ALL COLUMNS]
// ANALYZE COMPRESSION [table [(column, ...)]] [COMPROWS n]
export function analyzeStatement(p: ParserCursor): ast.AnalyzeStatement {
  const pos = p.advance().pos;
  if (p.acceptWord('compression')) {
    const table = p.isName() && !p.isWord('comprows') ? p.objectName() : null;
    const columns = table && p.isOp('(') ? p.nameList() : null;
    let compRows: number | null = null;
    if (p.acceptWord('comprows')) {
      const t = p.tok;
      if (t.kind !== 'number' || !/^\d+$/.test(t.value) || Number(t.value) < 1) throw p.expected('a positive whole number of rows after COMPROWS');
      p.advance();
      compRows = Number(t.value);
    }
    return { kind: 'analyze', compression: true, compRows, table, columns, pos };
  }
  p.acceptWord('verbose');
  const table = p.isName() && !(p.isWord('all') || p.isWord('predicate')) ? p.objectName() : null;
  const columns = table && p.isOp('(') ? p.nameList() : null;
  if (p.isWord('predicate') && p.isWord('columns', 1)) throw p.unsupported('ANALYZE ... PREDICATE COLUMNS');
  if (p.isWord('all') && p.isWord('columns', 1)) {
    if (columns) throw p.error('SYNTAX', 'ANALYZE takes a column list or ALL COLUMNS, not both', p.tok.pos);
    p.advance();
    p.advance();
  }
  return { kind: 'analyze', compression: false, compRows: null, table, columns, pos };
}
