/** Data changes: INSERT. Each statement is one catalog change, all or nothing. */
import { SqlError, positionAt } from '../errors.js';
import type { Batch } from '../types.js';
import type { ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import type { TableMeta } from '../catalog/catalog.js';
import { appendRows } from '../storage/tables.js';
import { bindInsertSource } from '../plan/binder.js';
import { Planner } from '../plan/planner.js';
import { ExecContext } from '../exec/context.js';
import { Executor } from '../exec/executor.js';
import type { CancelFlag } from '../exec/cancel.js';
import type { RecordParts } from '../record-builder.js';
import type { SessionHost } from './host.js';
import { bindContext, tableOr } from './common.js';
import { done, type StatementOutcome } from './outcome.js';

export async function insert(db: SessionHost, s: ast.InsertStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const inserted = await db.store.change(async (catalog) => {
    const table = tableOr(catalog, s.table, p);
    const logical = bindInsertSource(s, table, bindContext(db, catalog, p.text));
    const plan = new Planner(catalog.slices, db.store).planQuery(logical);
    const ctx = new ExecContext(db.store, catalog.slices, undefined, cancel);
    const batch = new Executor(ctx).collect(plan);
    parts.plan = plan;
    parts.exec = ctx;
    checkNotNull(table, batch, s, p);
    const change = await appendRows(db.dir, catalog, table, [batch], db.store.segments, batch.length);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
      obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
      result: batch.length,
    };
  });
  return done('INSERT', t0, inserted);
}

function checkNotNull(table: TableMeta, batch: Batch, s: ast.InsertStatement, p: ParsedStatement): void {
  table.columns.forEach((c, i) => {
    const nulls = batch.columns[i]?.nulls;
    if (!c.notNull || !nulls) return;
    const row = nulls.indexOf(1);
    if (row >= 0 && row < batch.length) {
      throw new SqlError('INVALID_VALUE', `NULL in column "${c.name}" of row ${row + 1} violates its NOT NULL constraint`, positionAt(p.text, s.pos), p.text);
    }
  });
}

