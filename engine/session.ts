/**
 * Runs SQL statements against a Database: parse, then per statement either a
 * catalog change (DDL, INSERT) committed atomically through the store, or a
 * query bound, planned and executed. Every statement, failed ones included,
 * produces one query record for whoever listens (the workload log).
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { KeelError, SqlError, positionAt, tooComplexIfOverflow } from './errors.js';
import type { Batch, SqlType } from './types.js';
import { parseStatements, type ParsedStatement } from './sql/index.js';
import type * as ast from './sql/ast.js';
import type { Catalog, ColumnMeta, DistStyle, TableMeta } from './catalog/catalog.js';
import { autoStyleFor } from './catalog/catalog.js';
import { encodingForRedshift } from './storage/codecs/index.js';
import { appendRows, newTable, rewriteTable, type Layout } from './storage/tables.js';
import { MAX_INTERLEAVED_COLUMNS } from './storage/zorder.js';
import { bindInsertSource, bindQuery, type BindContext } from './plan/binder.js';
import { Planner } from './plan/planner.js';
import type { Field, PlanNode } from './plan/physical.js';
import { explainText } from './plan/explain.js';
import { ExecContext } from './exec/context.js';
import { Executor } from './exec/executor.js';
import { collectParallel } from './exec/parallel.js';
import { cancelledError, isCancelled, type CancelFlag } from './exec/cancel.js';
import { describe, showTables } from './describe.js';
import type { QueryStats } from './result.js';
import type { Database } from './database.js';
import { buildRecord, emptyRecordParts, type RecordParts } from './record-builder.js';
import { fingerprint } from './sql/fingerprint.js';
import { batchFromRows } from './rows.js';
import type { QueryRecord } from './query-record.js';

export interface StatementOutcome {
  readonly command: string;
  readonly fields: readonly Field[];
  readonly batch: Batch;
  readonly stats: QueryStats;
  readonly rowCount: number;
}

const NO_ROWS: Batch = { length: 0, columns: [] };
const PLAN_TEXT: SqlType = { id: 'varchar', length: 65535 };

export function zeroStats(elapsedMs: number): QueryStats {
  return { elapsedMs, rowsReturned: 0, rowsMoved: 0, bytesMoved: 0, blocksScanned: 0, blocksSkipped: 0, blocksTotal: 0, rowsScanned: 0 };
}

/** Who runs a statement, for its query record: the call's settings, else the database's, else the OS user and this process. */
export interface Runner {
  readonly user?: string;
  readonly session?: string;
}

export function runnerOf(db: Database, runner: Runner): { user: string; session: string } {
  return {
    user: runner.user ?? db.options.user ?? process.env.USER ?? 'keel',
    session: runner.session ?? db.options.session ?? String(process.pid),
  };
}

/** What one call runs its statements with: who runs them, and the flag that cancels them (exec/cancel.ts). */
export interface RunOptions extends Runner {
  readonly cancel?: CancelFlag | null;
}

/**
 * Runs every statement of `sql` in order, stopping at the first error (which
 * is rethrown). Once `cancel` is set the running statement stops at its next
 * batch (ExecError CANCELLED, recorded as failed) and no later one starts.
 */
export async function runStatements(db: Database, sql: string, onOutcome?: (o: StatementOutcome) => void, runner: RunOptions = {}): Promise<StatementOutcome[]> {
  const cancel = runner.cancel ?? null;
  const started = performance.now();
  const who = runnerOf(db, runner);
  let parsed: ParsedStatement[];
  try {
    parsed = parseStatements(sql);
  } catch (e) {
    db.emitRecord(failedRecord(who, sql, started, e));
    throw e;
  }
  const out: StatementOutcome[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const p = parsed[i]!;
    // A caller that awaits statement after statement never leaves the microtask
    // queue; give a background rebuild of this store its turn between statements.
    if (db.store.backgroundWork > 0) await yieldToLoop();
    // cancelled after the statement before it finished: this one never starts (and has no record)
    if (isCancelled(cancel)) throw cancelledError();
    // the first statement's clock starts at parse, as `elapsedMs` promises
    const t0 = i === 0 ? started : performance.now();
    const parts = emptyRecordParts();
    try {
      const outcome = await runOne(db, p, parts, t0, cancel);
      out.push(outcome);
      onOutcome?.(outcome);
      db.emitRecord(
        buildRecord({
          id: randomUUID(),
          startTime: new Date(Date.now() - (performance.now() - t0)).toISOString(),
          durationMs: outcome.stats.elapsedMs,
          ...who,
          sql: p.text,
          fingerprint: fingerprint(p.text),
          command: outcome.command,
          status: 'ok',
          error: null,
          stats: outcome.stats,
          rowsReturned: outcome.rowCount,
          parts,
        }),
      );
    } catch (thrown) {
      const e = tooComplexIfOverflow(thrown, p.text);
      db.emitRecord(failedRecord(who, p.text, t0, e, parts));
      throw relocate(e, p, sql);
    }
  }
  return out;
}

/**
 * Errors about a statement carry its text for the excerpt, but their offsets
 * come from the parse of the whole script (every AST position is an offset
 * into it): recompute line and column against the script, whose excerpt is
 * the one to show.
 */
function relocate(e: unknown, p: ParsedStatement, script: string): unknown {
  if (!(e instanceof SqlError) || !e.position || e.sql === script) return e;
  if (e.sql !== p.text) return e;
  return new SqlError(e.code, e.message, positionAt(script, e.position.offset), script);
}

export function failedRecord(who: { user: string; session: string }, text: string, t0: number, e: unknown, parts: RecordParts = emptyRecordParts()) {
  const elapsed = performance.now() - t0;
  return buildRecord({
    id: randomUUID(),
    startTime: new Date(Date.now() - elapsed).toISOString(),
    durationMs: elapsed,
    ...who,
    sql: text,
    fingerprint: safeFingerprint(text),
    command: 'ERROR',
    status: 'error',
    error: { code: e instanceof KeelError ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) },
    stats: zeroStats(elapsed),
    rowsReturned: 0,
    parts,
  });
}

function safeFingerprint(text: string): string {
  try {
    return fingerprint(text);
  } catch {
    return text.trim().replace(/\s+/g, ' ').toLowerCase();
  }
}

function bindContext(db: Database, catalog: Catalog, sql: string): BindContext {
  return { catalog, systemTable: (name) => db.systemTable(name), sql };
}

/** What a planned-only record says about a statement that ran elsewhere. */
export interface PlanRecordInput {
  readonly id: string;
  readonly startTime: string;
  readonly durationMs: number;
  readonly user: string;
  readonly session: string;
  readonly status: 'ok' | 'error';
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly rowsReturned: number;
}

const COMMANDS: Record<ast.Statement['kind'], string> = {
  select: 'SELECT',
  explain: 'EXPLAIN',
  createTable: 'CREATE TABLE',
  dropTable: 'DROP TABLE',
  insert: 'INSERT',
  alterTable: 'ALTER TABLE',
  createView: 'CREATE VIEW',
  dropView: 'DROP VIEW',
  describe: 'DESCRIBE',
  showTables: 'SHOW TABLES',
};

/**
 * Parses, binds and plans one statement without running it, and builds the
 * record it would have: the plan's scans, predicates and joins, no execution
 * counters. DDL has no plan; its record has no scans. Throws when the statement
 * does not parse or bind.
 */
export function planRecord(db: Database, sql: string, input: PlanRecordInput): QueryRecord {
  try {
    return planRecordOf(db, sql, input);
  } catch (e) {
    throw tooComplexIfOverflow(e, sql);
  }
}

function planRecordOf(db: Database, sql: string, input: PlanRecordInput): QueryRecord {
  const p = parseStatement1(sql);
  const s = p.statement;
  const catalog = db.catalog();
  const ctx = bindContext(db, catalog, p.text);
  let logical: ReturnType<typeof bindQuery> | null = null;
  if (s.kind === 'select') logical = bindQuery(s.query, ctx);
  else if (s.kind === 'explain' && s.statement.kind === 'select') logical = bindQuery(s.statement.query, ctx);
  else if (s.kind === 'insert') logical = bindInsertSource(s, tableOr(catalog, s.table, p), ctx);
  else if (s.kind === 'createTable' && s.as) logical = bindQuery(s.as, ctx);
  else if (s.kind === 'createView') bindQuery(s.query, ctx);
  const parts = emptyRecordParts();
  if (logical) parts.plan = new Planner(catalog.slices, db.store).planQuery(logical);
  return buildRecord({
    ...input,
    sql: p.text,
    fingerprint: fingerprint(p.text),
    command: COMMANDS[s.kind],
    stats: zeroStats(input.durationMs),
    parts,
  });
}

function parseStatement1(sql: string): ParsedStatement {
  const all = parseStatements(sql);
  if (all.length !== 1) throw new SqlError('SYNTAX', `expected one statement but found ${all.length}`);
  return all[0]!;
}

async function runOne(db: Database, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const s = p.statement;
  switch (s.kind) {
    case 'select': {
      const catalog = db.catalog();
      const logical = bindQuery(s.query, bindContext(db, catalog, p.text));
      const plan = new Planner(catalog.slices, db.store).planQuery(logical);
      return await execute(db, plan, catalog, parts, t0, 'SELECT', cancel);
    }
    case 'explain':
      return explain(db, s, p, parts, t0, cancel);
    case 'createTable':
      return createTable(db, s, p, t0, cancel);
    case 'dropTable':
      return dropTables(db, s, p, t0);
    case 'insert':
      return insert(db, s, p, parts, t0, cancel);
    case 'alterTable':
      return alterTable(db, s, p, t0);
    case 'createView':
      return createView(db, s, p, t0);
    case 'dropView':
      return dropViews(db, s, p, t0);
    case 'describe':
      return describe(db, s, p, t0);
    case 'showTables':
      return showTables(db, t0);
  }
}

async function execute(db: Database, plan: PlanNode, catalog: Catalog, parts: RecordParts, t0: number, command: string, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const ctx = new ExecContext(db.store, catalog.slices, undefined, cancel);
  const pool = catalog.slices > 1 ? db.workerPool() : null;
  const batch = pool ? await collectParallel(plan, ctx, pool) : new Executor(ctx).collect(plan);
  const stats = collectStats(ctx, plan, performance.now() - t0, batch.length);
  parts.plan = plan;
  parts.exec = ctx;
  return { command, fields: plan.fields, batch, stats, rowCount: batch.length };
}

export function collectStats(ctx: ExecContext, plan: PlanNode, elapsedMs: number, rowsReturned: number): QueryStats {
  const stats = zeroStats(elapsedMs);
  stats.rowsReturned = rowsReturned;
  const visit = (n: PlanNode): void => {
    const s = ctx.stats.get(n.id);
    if (s) {
      stats.rowsMoved += s.rowsMoved;
      stats.bytesMoved += s.bytesMoved;
      if (n.op === 'scan') {
        stats.blocksScanned += s.blocksScanned;
        stats.blocksSkipped += s.blocksSkipped;
        stats.blocksTotal += s.blocksTotal;
        stats.rowsScanned += s.rowsScanned;
      }
    }
    switch (n.op) {
      case 'scan':
      case 'rows':
        return;
      case 'join':
        visit(n.left);
        visit(n.right);
        return;
      case 'union':
        n.inputs.forEach(visit);
        return;
      default:
        visit(n.input);
    }
  };
  visit(plan);
  return stats;
}

function textResult(command: string, lines: readonly string[], t0: number, stats?: QueryStats): StatementOutcome {
  const batch = batchFromRows([PLAN_TEXT], lines.map((l) => [l]));
  return {
    command,
    fields: [{ name: 'QUERY PLAN', type: PLAN_TEXT }],
    batch,
    stats: stats ?? zeroStats(performance.now() - t0),
    rowCount: lines.length,
  };
}

function done(command: string, t0: number, rowCount = 0): StatementOutcome {
  return { command, fields: [], batch: NO_ROWS, stats: zeroStats(performance.now() - t0), rowCount };
}

async function explain(db: Database, s: ast.ExplainStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const inner = s.statement;
  if (inner.kind !== 'select') throw new SqlError('UNSUPPORTED', 'EXPLAIN takes a SELECT statement', positionAt(p.text, inner.pos), p.text);
  const catalog = db.catalog();
  const logical = bindQuery(inner.query, bindContext(db, catalog, p.text));
  const plan = new Planner(catalog.slices, db.store).planQuery(logical);
  if (!s.analyze) return textResult('EXPLAIN', explainText(plan).split('\n'), t0);
  const ran = await execute(db, plan, catalog, parts, t0, 'EXPLAIN', cancel);
  const ctx = parts.exec!;
  const lines = explainText(plan, ctx.stats).split('\n');
  const st = ran.stats;
  lines.push(
    `Total: ${st.elapsedMs.toFixed(1)} ms, rows returned ${ran.rowCount}, rows moved ${st.rowsMoved}, bytes moved ${st.bytesMoved}, ` +
      `blocks scanned ${st.blocksScanned}, skipped ${st.blocksSkipped}`,
  );
  return textResult('EXPLAIN', lines, t0, { ...st, rowsReturned: lines.length });
}

// ---------------------------------------------------------------- DDL

function ddlError(code: 'INVALID_DDL' | 'UNKNOWN_COLUMN' | 'UNKNOWN_TABLE' | 'DUPLICATE_OBJECT', message: string, pos: number, p: ParsedStatement): SqlError {
  return new SqlError(code, message, positionAt(p.text, pos), p.text);
}

function encodingOf(name: string, pos: number, p: ParsedStatement): ColumnMeta['encoding'] {
  const id = encodingForRedshift(name);
  if (id === undefined) {
    throw ddlError('INVALID_DDL', `unknown encoding "${name}"; use RAW, AZ64, BYTEDICT, RUNLENGTH, DELTA, DELTA32K, MOSTLY8, MOSTLY16, MOSTLY32, ZSTD, LZO or AUTO`, pos, p);
  }
  return id;
}

function tableOr(catalog: Catalog, name: ast.Ident, p: ParsedStatement): TableMeta {
  const t = catalog.tables[name.name];
  if (!t) {
    const kind = catalog.views[name.name] ? `"${name.name}" is a view, not a table` : `table "${name.name}" does not exist`;
    throw ddlError('UNKNOWN_TABLE', kind, name.pos, p);
  }
  return t;
}

function checkColumn(table: TableMeta | readonly ast.ColumnDefinition[], col: ast.Ident, p: ParsedStatement, role: string): void {
  const names = Array.isArray(table) ? (table as readonly ast.ColumnDefinition[]).map((c) => c.name.name) : (table as TableMeta).columns.map((c) => c.name);
  if (!names.includes(col.name)) throw ddlError('UNKNOWN_COLUMN', `${role} column "${col.name}" does not exist`, col.pos, p);
}

/** Resolves the layout clauses of CREATE TABLE into a storage layout (AUTO where nothing was said). */
function createLayout(s: ast.CreateTableStatement, columns: ColumnMeta[], p: ParsedStatement, catalog: Catalog): Layout {
  const attrDistKeys = s.columns.filter((c) => c.distKey);
  if (attrDistKeys.length > 1) throw ddlError('INVALID_DDL', 'only one column can be DISTKEY', attrDistKeys[1]!.pos, p);
  let distKey: ast.Ident | null = s.distKey ?? attrDistKeys[0]?.name ?? null;
  if (s.distKey && attrDistKeys.length && attrDistKeys[0]!.name.name !== s.distKey.name) {
    throw ddlError('INVALID_DDL', 'DISTKEY given twice with different columns', s.distKey.pos, p);
  }
  let style = s.distStyle?.style ?? (distKey ? 'key' : 'auto');
  if (style === 'key' && !distKey) throw ddlError('INVALID_DDL', 'DISTSTYLE KEY needs a DISTKEY column', s.distStyle!.pos, p);
  if (distKey && style !== 'key') throw ddlError('INVALID_DDL', `DISTKEY cannot be used with DISTSTYLE ${style.toUpperCase()}`, distKey.pos, p);
  if (distKey) checkColumn(s.columns, distKey, p, 'DISTKEY');
  const attrSort = s.columns.filter((c) => c.sortKey).map((c) => c.name);
  if (attrSort.length && s.sortKey && !s.sortKey.auto) throw ddlError('INVALID_DDL', 'SORTKEY given both as a column attribute and a table attribute', s.sortKey.pos, p);
  const sortCols = s.sortKey && !s.sortKey.auto ? s.sortKey.columns : attrSort;
  const interleaved = s.sortKey !== null && !s.sortKey.auto && s.sortKey.style === 'interleaved';
  const seen = new Set<string>();
  for (const c of sortCols) {
    checkColumn(s.columns, c, p, 'SORTKEY');
    if (seen.has(c.name)) throw ddlError('INVALID_DDL', `column "${c.name}" appears twice in the SORTKEY`, c.pos, p);
    seen.add(c.name);
  }
  if (interleaved) checkInterleavedWidth(sortCols, p);
  const distAuto = style === 'auto';
  const distStyle: DistStyle = style === 'auto' ? autoStyleFor(0, catalog) : style;
  if (style !== 'key') distKey = null;
  return {
    distStyle,
    distKey: distKey?.name ?? null,
    distAuto,
    sortKey: sortCols.map((c) => c.name),
    sortStyle: interleaved ? 'interleaved' : undefined,
    sortAuto: sortCols.length === 0 && (!s.sortKey || s.sortKey.auto),
    columns,
  };
}

async function createTable(db: Database, s: ast.CreateTableStatement, p: ParsedStatement, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
  const names = new Set<string>();
  const pk = new Set(s.primaryKey.map((k) => k.name));
  for (const k of s.primaryKey) checkColumn(s.columns, k, p, 'PRIMARY KEY');
  let columns: ColumnMeta[] = s.columns.map((c) => {
    if (names.has(c.name.name)) throw ddlError('DUPLICATE_OBJECT', `column "${c.name.name}" specified more than once`, c.name.pos, p);
    names.add(c.name.name);
    const encoding = c.encode ? encodingOf(c.encode, c.pos, p) : 'auto';
    return { name: c.name.name, type: c.type, notNull: c.notNull || c.primaryKey || pk.has(c.name.name), encoding, encodingExplicit: c.encode !== null && encoding !== 'auto' };
  });
  let source: ReturnType<typeof bindQuery> | null = null;
  if (s.as) {
    if (s.columns.length) throw ddlError('INVALID_DDL', 'CREATE TABLE AS takes no column definitions', s.columns[0]!.pos, p);
    source = bindQuery(s.as, bindContext(db, db.catalog(), p.text));
    columns = source.fields.map((f) => ({ name: f.name, type: f.type, notNull: false, encoding: 'auto', encodingExplicit: false }));
    const dup = columns.find((c, i) => columns.findIndex((d) => d.name === c.name) !== i);
    if (dup) throw ddlError('DUPLICATE_OBJECT', `column "${dup.name}" specified more than once in the query's output; give it an alias`, s.as.pos, p);
  }
  if (columns.length === 0) throw ddlError('INVALID_DDL', 'a table needs at least one column', s.name.pos, p);
  const layoutCols = s.as ? columns.map((c) => ({ pos: s.pos, name: { name: c.name, pos: s.pos } }) as unknown as ast.ColumnDefinition) : s.columns;
  const layout = createLayout({ ...s, columns: layoutCols }, columns, p, db.catalog());
  let rows = 0;
  await db.store.change(async (catalog) => {
    if (catalog.tables[s.name.name] || catalog.views[s.name.name]) {
      if (s.ifNotExists && catalog.tables[s.name.name]) return { catalog, result: undefined };
      throw ddlError('DUPLICATE_OBJECT', `relation "${s.name.name}" already exists`, s.name.pos, p);
    }
    let table = newTable(catalog, s.name.name, layout);
    if (source) {
      const plan = new Planner(catalog.slices, db.store).planQuery(source);
      const batch = new Executor(new ExecContext(db.store, catalog.slices, undefined, cancel)).collect(plan);
      const change = await appendRows(db.dir, catalog, table, [batch], db.store.segments, batch.length);
      table = change.table;
      rows = batch.length;
    }
    return {
      catalog: { ...catalog, nextTableId: catalog.nextTableId + 1, tables: { ...catalog.tables, [table.name]: table } },
      result: undefined,
    };
  });
  return done(s.as ? 'SELECT' : 'CREATE TABLE', t0, rows);
}

async function dropTables(db: Database, s: ast.DropTableStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.store.change((catalog) => {
    const tables = { ...catalog.tables };
    const obsolete: string[] = [];
    for (const n of s.names) {
      const t = tables[n.name];
      if (!t) {
        if (s.ifExists) continue;
        throw ddlError('UNKNOWN_TABLE', catalog.views[n.name] ? `"${n.name}" is a view; use DROP VIEW` : `table "${n.name}" does not exist`, n.pos, p);
      }
      obsolete.push(...t.segments.map((f) => db.store.segmentPath(t, f.file)));
      delete tables[n.name];
    }
    return { catalog: { ...catalog, tables }, obsolete, result: undefined };
  });
  return done('DROP TABLE', t0);
}

async function insert(db: Database, s: ast.InsertStatement, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null): Promise<StatementOutcome> {
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

async function alterTable(db: Database, s: ast.AlterTableStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.store.change((catalog) => {
    const table = tableOr(catalog, s.table, p);
    const layout = alteredLayout(table, s.actions, p, catalog);
    const change = rewriteTable(db.dir, catalog, table, layout, db.store.segments);
    return {
      catalog: { ...catalog, tables: { ...catalog.tables, [table.name]: change.table } },
      obsolete: change.obsolete.map((f) => db.store.segmentPath(table, f)),
      result: undefined,
    };
  });
  return done('ALTER TABLE', t0);
}

/**
 * The table's layout after an ALTER TABLE's actions, in order (one rewrite for
 * all of them); settings named explicitly stop being AUTO. Two actions on the
 * same setting are refused: which one the user meant is not clear.
 */
export function alteredLayout(table: TableMeta, actions: readonly ast.AlterAction[], p: ParsedStatement, catalog: Catalog): Layout {
  const changed = new Set<string>();
  let layout: Layout = table;
  for (const a of actions) {
    const setting = alteredSetting(a);
    const clash = changed.has(setting) || (a.kind === 'encodeAuto' ? [...changed].some((c) => c.startsWith('ENCODE')) : a.kind === 'encode' && changed.has('ENCODE'));
    if (clash) throw ddlError('INVALID_DDL', `ALTER TABLE changes ${setting === 'ENCODE' ? 'the encodings' : `the ${setting}`} twice`, a.pos, p);
    changed.add(setting);
    layout = alteredBy({ ...table, ...layout }, a, p, catalog);
  }
  return layout;
}

/** What an ALTER action changes, to refuse two actions on one setting. */
function alteredSetting(a: ast.AlterAction): string {
  switch (a.kind) {
    case 'distKey':
    case 'distStyle':
      return 'distribution';
    case 'sortKey':
      return 'sort key';
    case 'encode':
      return `ENCODE of column ${a.column.name}`;
    case 'encodeAuto':
      return 'ENCODE';
  }
}

/** Redshift's limit on an interleaved key: beyond 8 columns each gets too few bits of the z-value to cluster anything. */
function checkInterleavedWidth(columns: readonly ast.Ident[], p: ParsedStatement): void {
  if (columns.length > MAX_INTERLEAVED_COLUMNS) {
    throw ddlError('INVALID_DDL', `an INTERLEAVED SORTKEY takes at most ${MAX_INTERLEAVED_COLUMNS} columns, not ${columns.length}`, columns[MAX_INTERLEAVED_COLUMNS]!.pos, p);
  }
}

function alteredBy(table: TableMeta, action: ast.AlterAction, p: ParsedStatement, catalog: Catalog): Layout {
  const col = (id: ast.Ident, role: string): string => {
    checkColumn(table, id, p, role);
    return id.name;
  };
  switch (action.kind) {
    case 'distStyle': {
      if (action.style === 'key') {
        if (!action.distKey) throw ddlError('INVALID_DDL', 'ALTER DISTSTYLE KEY needs DISTKEY column', action.pos, p);
        return { ...table, distStyle: 'key', distKey: col(action.distKey, 'DISTKEY'), distAuto: false };
      }
      // back to AUTO: the engine's small-table rule decides again
      if (action.style === 'auto') return { ...table, distStyle: autoStyleFor(table.rows, catalog), distKey: null, distAuto: true, distPinned: false };
      return { ...table, distStyle: action.style, distKey: null, distAuto: false };
    }
    case 'distKey':
      return { ...table, distStyle: 'key', distKey: col(action.column, 'DISTKEY'), distAuto: false };
    case 'sortKey': {
      if (action.none) return { ...table, sortKey: [], sortStyle: undefined, sortAuto: false };
      // AUTO hands the key back to the engine as it is, style included
      if (action.auto) return { ...table, sortAuto: true };
      const cols = action.columns.map((c) => col(c, 'SORTKEY'));
      if (new Set(cols).size !== cols.length) throw ddlError('INVALID_DDL', 'a column appears twice in the SORTKEY', action.pos, p);
      if (action.style === 'interleaved') checkInterleavedWidth(action.columns, p);
      return { ...table, sortKey: cols, sortStyle: action.style === 'interleaved' ? 'interleaved' : undefined, sortAuto: false };
    }
    case 'encode': {
      const name = col(action.column, 'ENCODE');
      const encoding = encodingOf(action.encoding, action.pos, p);
      const columns = table.columns.map((c) => (c.name === name ? { ...c, encoding, encodingExplicit: encoding !== 'auto' } : c));
      return { ...table, columns };
    }
    case 'encodeAuto':
      return { ...table, columns: table.columns.map((c) => ({ ...c, encoding: 'auto' as const, encodingExplicit: false })) };
  }
}

async function createView(db: Database, s: ast.CreateViewStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  // binding now reports a bad view at CREATE time, not at its first use
  const logical = bindQuery(s.query, bindContext(db, db.catalog(), p.text));
  if (s.columns && s.columns.length !== logical.fields.length) {
    throw ddlError('INVALID_DDL', `view "${s.name.name}" names ${s.columns.length} columns but its query returns ${logical.fields.length}`, s.columns[0]?.pos ?? s.pos, p);
  }
  await db.store.change((catalog) => {
    if (catalog.tables[s.name.name]) throw ddlError('DUPLICATE_OBJECT', `relation "${s.name.name}" already exists as a table`, s.name.pos, p);
    if (catalog.views[s.name.name] && !s.orReplace) throw ddlError('DUPLICATE_OBJECT', `view "${s.name.name}" already exists`, s.name.pos, p);
    const view = { name: s.name.name, sql: s.queryText, columns: s.columns ? s.columns.map((c) => c.name) : null };
    return { catalog: { ...catalog, views: { ...catalog.views, [view.name]: view } }, result: undefined };
  });
  return done('CREATE VIEW', t0);
}

async function dropViews(db: Database, s: ast.DropViewStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  await db.store.change((catalog) => {
    const views = { ...catalog.views };
    for (const n of s.names) {
      if (!views[n.name]) {
        if (s.ifExists) continue;
        throw ddlError('UNKNOWN_TABLE', `view "${n.name}" does not exist`, n.pos, p);
      }
      delete views[n.name];
    }
    return { catalog: { ...catalog, views }, result: undefined };
  });
  return done('DROP VIEW', t0);
}

