/**
 * Parsing of session settings, as Redshift writes them:
 *
 *   SET [SESSION] name { TO | = } { value | DEFAULT }
 *   RESET name
 *
 * The value is one word, number or string; which names exist and which values
 * they take is the session's to check (engine/settings.ts), so an unknown
 * setting is refused with its name rather than as a syntax error.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

export function setStatement(p: ParserCursor): ast.SetStatement {
  const first = p.advance();
  const pos = first.pos;
  if (first.value === 'reset') {
    if (p.isWord('all')) throw p.unsupported('RESET ALL');
    return { kind: 'set', name: p.name(), value: null, pos };
  }
  if (p.isWord('local')) throw p.unsupported('SET LOCAL');
  if (p.isWord('session') && (p.isWord('authorization', 1) || p.isWord('characteristics', 1))) throw p.unsupported(`SET SESSION ${p.peek(1).value.toUpperCase()}`);
  if (p.isWord('session') && p.isName(1)) p.advance();
  const name = p.name();
  if (!p.acceptWord('to') && !p.acceptOp('=')) throw p.expected('TO or =');
  const t = p.tok;
  if (t.kind !== 'word' && t.kind !== 'qident' && t.kind !== 'number' && t.kind !== 'string') throw p.expected('a value');
  p.advance();
  if (p.isOp(',')) throw p.unsupported('a list of values in SET');
  const value = t.kind === 'word' && t.value === 'default' ? null : t.value;
  return { kind: 'set', name, value, pos };
}
