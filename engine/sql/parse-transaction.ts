/**
 * Parsing of transaction control, in Redshift's words:
 *
 *   BEGIN [WORK | TRANSACTION] [ISOLATION LEVEL level] [READ WRITE | READ ONLY]
 *   START TRANSACTION [ISOLATION LEVEL level] [READ WRITE | READ ONLY]
 *   COMMIT [WORK | TRANSACTION]    END [WORK | TRANSACTION]
 *   ROLLBACK [WORK | TRANSACTION]  ABORT [WORK | TRANSACTION]
 *
 * Every isolation level Redshift accepts (SERIALIZABLE, READ COMMITTED, READ
 * UNCOMMITTED, REPEATABLE READ, SNAPSHOT) is taken: Redshift runs them all with
 * its own isolation, and keel with its snapshots (docs/sql.md, "Transactions").
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

export function transactionStatement(p: ParserCursor): ast.TransactionStatement {
  const first = p.advance();
  const pos = first.pos;
  switch (first.value) {
    case 'begin':
      if (!p.acceptWord('work')) p.acceptWord('transaction');
      return { kind: 'transaction', action: 'begin', readOnly: modes(p), pos };
    case 'start':
      p.expectWord('transaction');
      return { kind: 'transaction', action: 'begin', readOnly: modes(p), pos };
    case 'commit':
    case 'end':
      if (!p.acceptWord('work')) p.acceptWord('transaction');
      return { kind: 'transaction', action: 'commit', readOnly: false, pos };
    default:
      // rollback, abort
      if (p.isWord('to')) throw p.unsupported('ROLLBACK TO SAVEPOINT');
      if (!p.acceptWord('work')) p.acceptWord('transaction');
      return { kind: 'transaction', action: 'rollback', readOnly: false, pos };
  }
}

/** [ISOLATION LEVEL level] [READ WRITE | READ ONLY], in either order; whether READ ONLY was given. */
function modes(p: ParserCursor): boolean {
  let readOnly = false;
  for (;;) {
    if (p.acceptWord('isolation')) {
      p.expectWord('level');
      isolationLevel(p);
    } else if (p.isWord('read') && (p.isWord('write', 1) || p.isWord('only', 1))) {
      p.advance();
      readOnly = p.advance().value === 'only';
    } else return readOnly;
    p.acceptOp(',');
  }
}

function isolationLevel(p: ParserCursor): void {
  if (p.acceptWord('serializable') || p.acceptWord('snapshot')) return;
  if (p.acceptWord('repeatable')) {
    p.expectWord('read');
    return;
  }
  if (p.acceptWord('read')) {
    if (!p.acceptWord('committed')) p.expectWord('uncommitted');
    return;
  }
  throw p.expected('SERIALIZABLE, SNAPSHOT, REPEATABLE READ, READ COMMITTED or READ UNCOMMITTED');
}
