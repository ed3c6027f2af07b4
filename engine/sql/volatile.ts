/**
 * Functions whose value changes between runs of the same statement over the
 * same tables: the clock and the random generator. A materialized view cannot
 * use them (its rows would be stale at once) and the result cache does not
 * keep a query that does. Found by name among the statement's words, so a
 * column that happens to share a name is refused too: that errs on the safe
 * side for both users.
 */
import { tokenize } from './lexer.js';

const VOLATILE = new Set([
  'random', 'getdate', 'sysdate', 'now', 'current_date', 'current_time', 'current_timestamp', 'localtimestamp', 'localtime', 'timeofday',
]);

/** The first volatile function the text names (and its offset in the text), or null. */
export function volatileFunctionIn(sql: string): { readonly name: string; readonly offset: number } | null {
  for (const t of tokenize(sql)) if (t.kind === 'word' && VOLATILE.has(t.value)) return { name: t.value.toUpperCase(), offset: t.pos };
  return null;
}
