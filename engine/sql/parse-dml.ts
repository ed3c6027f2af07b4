/**
 * Parsing of the statements that change rows: INSERT, DELETE, UPDATE, MERGE
 * and TRUNCATE.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

// INSERT INTO t [(cols)] VALUES (...), ... | INSERT INTO t [(cols)] query
export function insertStatement(p: ParserCursor): ast.InsertStatement {
  const pos = p.advance().pos;
  p.expectWord('into');
  const table = p.objectName();
  const columns = p.isOp('(') && !p.startsQueryAt(1) ? p.nameList() : null;
  if (p.isWord('default')) throw p.unsupported('DEFAULT VALUES');
  if (!p.startsQueryAt(0)) throw p.expected('VALUES or SELECT');
  return { kind: 'insert', table, columns, source: p.query(), pos };
}

// DELETE [FROM] t [USING from-item, ...] [WHERE cond]
export function deleteStatement(p: ParserCursor): ast.DeleteStatement {
  const pos = p.advance().pos;
  p.acceptWord('from');
  const table = p.objectName();
  if (p.isName() && !p.isWord('using')) throw p.unsupported('an alias on the table DELETE changes (Redshift has none; name the table)');
  const using: ast.TableRef[] = [];
  if (p.acceptWord('using')) {
    do using.push(p.tableRef());
    while (p.acceptOp(','));
  }
  const where = p.acceptWord('where') ? p.expr() : null;
  return { kind: 'delete', table, using, where, pos };
}

// UPDATE t [[AS] alias] SET c = {expr | DEFAULT}, ... [FROM from-item, ...] [WHERE cond]
export function updateStatement(p: ParserCursor): ast.UpdateStatement {
  const pos = p.advance().pos;
  const table = p.objectName();
  let alias: ast.Ident | null = null;
  if (p.acceptWord('as')) alias = p.name();
  else if (p.isName() && !p.isWord('set')) alias = p.name();
  p.expectWord('set');
  const set = assignments(p);
  const from: ast.TableRef[] = [];
  if (p.acceptWord('from')) {
    do from.push(p.tableRef());
    while (p.acceptOp(','));
  }
  const where = p.acceptWord('where') ? p.expr() : null;
  return { kind: 'update', table, alias, set, from, where, pos };
}

// MERGE INTO t USING source ON cond WHEN MATCHED THEN {UPDATE SET ... | DELETE} WHEN NOT MATCHED THEN INSERT [(cols)] VALUES (...)
export function mergeStatement(p: ParserCursor): ast.MergeStatement {
  const pos = p.advance().pos;
  p.expectWord('into');
  const table = p.objectName();
  if (p.isName() || p.isWord('as')) throw p.unsupported('an alias on the MERGE target (Redshift has none; name the table)');
  p.expectWord('using');
  const source = p.tablePrimary();
  p.expectWord('on');
  const on = p.expr();
  if (p.isWord('remove')) throw p.unsupported('MERGE ... REMOVE DUPLICATES');
  const whenPos = p.expectWord('when').pos;
  if (p.isWord('not')) throw p.expected('WHEN MATCHED (Redshift takes WHEN MATCHED, then WHEN NOT MATCHED)', p.tok);
  p.expectWord('matched');
  p.expectWord('then');
  let matched: ast.MergeStatement['matched'];
  if (p.acceptWord('delete')) matched = { kind: 'delete', pos: whenPos };
  else {
    p.expectWord('update');
    p.expectWord('set');
    matched = { kind: 'update', set: assignments(p), pos: whenPos };
  }
  const notPos = p.expectWord('when').pos;
  p.expectWord('not');
  p.expectWord('matched');
  p.expectWord('then');
  p.expectWord('insert');
  const columns = p.isOp('(') ? p.nameList() : null;
  p.expectWord('values');
  p.expectOp('(');
  const values = p.exprList();
  p.expectOp(')');
  return { kind: 'merge', table, source, on, matched, notMatched: { columns, values, pos: notPos }, pos };
}

/** c = {expr | DEFAULT}, ... (UPDATE's and MERGE's SET) */
function assignments(p: ParserCursor): ast.Assignment[] {
  const set: ast.Assignment[] = [];
  do {
    const column = p.name();
    if (p.isOp('.')) throw p.unsupported('a qualified column in SET (name the column alone)');
    p.expectOp('=');
    const value = p.acceptWord('default') ? null : p.expr();
    set.push({ column, value, pos: column.pos });
  } while (p.acceptOp(','));
  return set;
}

// TRUNCATE [TABLE] t
export function truncateStatement(p: ParserCursor): ast.TruncateStatement {
  const pos = p.advance().pos;
  p.acceptWord('table');
  return { kind: 'truncate', table: p.objectName(), pos };
}
