/**
 * UNLOAD ('select ...') TO 'path prefix' [options]: runs the query as SELECT
 * does (its query record carries the plan) and writes the result to files
 * (engine/unload). Like Redshift's, it returns no rows; its row count is the
 * rows unloaded.
 */
import { SqlError, positionAt } from '../errors.js';
import { parseStatements, type ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { CancelFlag } from '../exec/cancel.js';
import type { RecordParts } from '../record-builder.js';
import { unloadFiles, DEFAULT_MAX_FILE_SIZE } from '../unload/index.js';
import type { SessionHost } from './host.js';
import { statementError } from './common.js';
import { select } from './select.js';
import type { StatementOutcome } from './outcome.js';

export async function unload(db: SessionHost, s: ast.UnloadStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  let inner: ParsedStatement[];
  try {
    inner = parseStatements(s.query);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    // the error's position is in the query string: say so, and point at the string
    throw new SqlError(e.code, `in the UNLOAD query: ${e.message}`, positionAt(p.text, s.queryPos), p.text);
  }
  const q = inner.length === 1 ? inner[0]!.statement : null;
  if (q === null || q.kind !== 'select') throw statementError('UNSUPPORTED', 'UNLOAD takes one SELECT statement', s.queryPos, p);
  const result = await select(db, q, inner[0]!, parts, t0, cancel);
  await unloadFiles(s.to, result.fields, result.batch, {
    format: s.format,
    delimiter: s.delimiter ?? (s.format === 'csv' ? ',' : '|'),
    header: s.header,
    nullAs: s.nullAs ?? '',
    parallel: s.parallel,
    slices: db.catalog().slices,
    maxFileSize: s.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    gzip: s.gzip,
    allowOverwrite: s.allowOverwrite,
    cleanPath: s.cleanPath,
  });
  return { command: 'UNLOAD', fields: [], batch: { length: 0, columns: [] }, stats: { ...result.stats, elapsedMs: performance.now() - t0, rowsReturned: 0 }, rowCount: result.rowCount };
}
