/**
 * Runs SQL statements against a Database: parse, then per statement either a
 * catalog change (DDL, INSERT) committed atomically through the store, or a
 * query bound, planned and executed. Every statement, failed ones included,
 * produces one query record for whoever listens (the workload log).
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { KeelError, SqlError, positionAt, tooComplexIfOverflow } from './errors.js';
import { parseStatements, type ParsedStatement } from './sql/index.js';
import type * as ast from './sql/ast.js';
import type { ParamValue } from './types.js';
import { bindInsertSource, bindQuery } from './plan/binder.js';
import { Planner } from './plan/planner.js';
import { armDeadline, cancelledErrorOf, isCancelled, newCancelFlag, timedOut, type CancelFlag } from './exec/cancel.js';
import { describe, showTables } from './describe.js';
import { buildRecord, emptyRecordParts, type RecordParts } from './record-builder.js';
import { fingerprint } from './sql/fingerprint.js';
import type { QueryRecord } from './query-record.js';
import type { SessionHost } from './statements/host.js';
import { bindContext, tableOr } from './statements/common.js';
import { zeroStats, type StatementOutcome } from './statements/outcome.js';
import { failedRecord, runnerOf, type Runner } from './statements/records.js';
import { explain, select } from './statements/select.js';
import { alterTable, createTable, createView, dropTables, dropViews } from './statements/ddl.js';
import { alterSchema } from './statements/alter-columns.js';
import { maintenance } from './statements/maintenance.js';
import { deleteFrom, dmlContext, dmlSource, insert, merge, truncate, update } from './statements/dml.js';
import { unload } from './statements/unload.js';
import { copy, type CopyInput } from './statements/copy.js';
import { sessionZone, setSetting, showSetting } from './statements/settings.js';
import { ignored } from './statements/ignored.js';
import { authorize } from './statements/privileges.js';
import { alterUser, createUser, dropUsers, grant, redactPasswords } from './statements/users.js';
import { createMaterializedView, dropMaterializedView, refreshMaterializedView } from './statements/materialized-view.js';

export type { StatementOutcome, Runner };

/** What one call runs its statements with: who runs them, and the flag that cancels them (exec/cancel.ts). */
export interface RunOptions extends Runner {
  readonly cancel?: CancelFlag | null;
  /** The values of $1, $2 ...: the script is then one prepared statement. */
  readonly params?: readonly ParamValue[];
  /** Where COPY ... FROM STDIN reads its data (the wire protocol's client); without it such a COPY is refused. */
  readonly copyIn?: CopyInput;
  /** Workload management: asked before each statement starts, and told when it ends (keel serve's queue). */
  readonly admit?: Admit;
  /** A script of several statements is one implicit transaction (ExecuteOptions.implicitTransaction). */
  readonly implicitTransaction?: boolean;
}

/** A statement about to start, as workload management sees it. */
export interface AdmitRequest {
  readonly sql: string;
  readonly fingerprint: string;
  /** The statement's kind (select, insert, set, transaction ...: sql/ast.ts). */
  readonly kind: string;
  /** The session's open transaction block has written: it holds the writer lock until it ends. */
  readonly holdsWriteLock: boolean;
}

/** A statement's place among the running ones: released once it has ended, whatever the outcome. */
export interface Admission {
  release(): void;
}

/**
 * Resolves when the statement may start; rejects (an ExecError CANCELLED,
 * say) when it is not to run at all. The time it takes is the statement's
 * queue time (QueryRecord.queueMs).
 */
export type Admit = (statement: AdmitRequest) => Promise<Admission>;

/**
 * Runs every statement of `sql` in order, stopping at the first error (which
 * is rethrown). Once `cancel` is set the running statement stops at its next
 * batch (ExecError CANCELLED, recorded as failed) and no later one starts.
 * The session's statement_timeout, as it is when a statement starts, is that
 * statement's (its wait for admission included, as PostgreSQL 13 times each
 * statement of a script): past it, the statement is cancelled the same way.
 */
export async function runStatements(db: SessionHost, sql: string, onOutcome?: (o: StatementOutcome) => void, runner: RunOptions = {}): Promise<StatementOutcome[]> {
  const cancel = runner.cancel ?? null;
  const started = performance.now();
  const who = runnerOf(db, runner);
  let parsed: ParsedStatement[];
  try {
    parsed = withParams(parseStatements(sql), sql, runner.params);
  } catch (e) {
    // a script that does not parse is a failed statement too: it aborts an open block
    const transactionId = db.transaction.id() ?? randomUUID();
    db.transaction.fail();
    db.emitRecord(failedRecord(who, redactPasswords(sql), started, e, transactionId));
    throw e;
  }
  // a single statement commits on its own, and VACUUM may be it (PostgreSQL's rule for a Query message)
  if (runner.implicitTransaction !== true || parsed.length < 2) return runParsed(db, sql, parsed, started, who, cancel, runner, onOutcome, false);
  let out: StatementOutcome[];
  try {
    out = await runParsed(db, sql, parsed, started, who, cancel, runner, onOutcome, true);
  } catch (e) {
    db.transaction.abortImplicit();
    throw e;
  }
  db.transaction.endImplicit();
  return out;
}

/** Runs parsed statements in order (runStatements); `implicit`: each outside a block opens the script's implicit transaction. */
async function runParsed(
  db: SessionHost,
  sql: string,
  parsed: readonly ParsedStatement[],
  started: number,
  who: ReturnType<typeof runnerOf>,
  given: CancelFlag | null,
  runner: RunOptions,
  onOutcome: ((o: StatementOutcome) => void) | undefined,
  implicit: boolean,
): Promise<StatementOutcome[]> {
  let cancel = given;
  const out: StatementOutcome[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const p = parsed[i]!;
    // A caller that awaits statement after statement never leaves the microtask
    // queue; give a background rebuild of this store its turn between statements.
    if (db.store.backgroundWork > 0) await yieldToLoop();
    // cancelled after the statement before it finished: this one never starts (and has no record)
    if (isCancelled(cancel)) throw cancelledErrorOf(cancel!);
    const timeoutMs = db.settings.statementTimeoutMs;
    if (timeoutMs > 0) cancel ??= newCancelFlag();
    const disarm = timeoutMs > 0 ? armDeadline(cancel!, timeoutMs) : null;
    // after a COMMIT in the script, the statements after it are a new implicit transaction (PostgreSQL's rule)
    if (implicit) db.transaction.beginImplicit(false);
    // the first statement's clock starts at parse, as `elapsedMs` promises (unless it waits in a queue: then at its start)
    let t0 = i === 0 ? started : performance.now();
    const parts = emptyRecordParts();
    // a statement outside a block is a transaction of its own; BEGIN belongs to the block it opens
    const inBlock = db.transaction.id();
    let queueMs: number | undefined;
    let admission: Admission | null = null;
    try {
      db.transaction.checkRunnable(p.statement);
      if (runner.admit) {
        const q0 = performance.now();
        try {
          admission = await runner.admit({ sql: p.text, fingerprint: fingerprint(redactPasswords(p.text)), kind: p.statement.kind, holdsWriteLock: db.transaction.writing });
        } finally {
          t0 = performance.now();
          queueMs = t0 - q0;
        }
        if (isCancelled(cancel)) throw cancelledErrorOf(cancel!);
      }
      // the zone in force when the statement ran: a later SET in the script does not change how its rows print
      const zone = sessionZone(db.settings);
      const ran = await runOne(db, p, parts, t0, cancel, runner.copyIn);
      const outcome = zone !== undefined && ran.fields.length > 0 ? { ...ran, zone } : ran;
      out.push(outcome);
      onOutcome?.(outcome);
      db.emitRecord(
        buildRecord({
          id: randomUUID(),
          startTime: new Date(Date.now() - (performance.now() - t0)).toISOString(),
          durationMs: outcome.stats.elapsedMs,
          ...who,
          sql: redactPasswords(p.text),
          fingerprint: fingerprint(redactPasswords(p.text)),
          command: outcome.command,
          status: 'ok',
          error: null,
          stats: outcome.stats,
          rowsReturned: outcome.rowCount,
          transactionId: inBlock ?? db.transaction.id() ?? randomUUID(),
          ...(queueMs !== undefined ? { queueMs } : {}),
          parts,
        }),
      );
    } catch (thrown) {
      // a worker thread, a COPY's reader or the timer saw the flag set and said only "cancelled": the timeout is why
      const e = timedOut(cancel) && thrown instanceof KeelError && thrown.code === 'CANCELLED' ? cancelledErrorOf(cancel!) : tooComplexIfOverflow(thrown, p.text);
      db.transaction.fail();
      db.emitRecord(failedRecord(who, redactPasswords(p.text), t0, e, inBlock ?? randomUUID(), parts, queueMs));
      throw relocate(e, p, sql);
    } finally {
      disarm?.();
      admission?.release();
    }
  }
  return out;
}

/** A prepared statement's parameters go with its one statement (PostgreSQL refuses a prepared script, whatever the parameters). */
function withParams(parsed: ParsedStatement[], sql: string, params: readonly ParamValue[] | undefined): ParsedStatement[] {
  if (params === undefined) return parsed;
  if (parsed.length > 1) throw new SqlError('SYNTAX', 'cannot insert multiple commands into a prepared statement', positionAt(sql, parsed[1]!.pos), sql);
  return parsed.map((p) => ({ ...p, params }));
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
  delete: 'DELETE',
  update: 'UPDATE',
  truncate: 'TRUNCATE',
  merge: 'MERGE',
  alterTable: 'ALTER TABLE',
  alterSchema: 'ALTER TABLE',
  createView: 'CREATE VIEW',
  dropView: 'DROP VIEW',
  createMaterializedView: 'CREATE MATERIALIZED VIEW',
  refreshMaterializedView: 'REFRESH MATERIALIZED VIEW',
  dropMaterializedView: 'DROP MATERIALIZED VIEW',
  describe: 'DESCRIBE',
  showTables: 'SHOW TABLES',
  set: 'SET',
  show: 'SHOW',
  copy: 'COPY',
  copyTo: 'COPY',
  unload: 'UNLOAD',
  vacuum: 'VACUUM',
  analyze: 'ANALYZE',
  // BEGIN, COMMIT or ROLLBACK: commandOf names the action
  transaction: 'BEGIN',
  createUser: 'CREATE USER',
  alterUser: 'ALTER USER',
  dropUser: 'DROP USER',
  // GRANT or REVOKE: commandOf names it
  grant: 'GRANT',
  // SET, COMMENT or ALTER TABLE: commandOf names it
  ignored: 'SET',
};

function commandOf(s: ast.Statement): string {
  if (s.kind === 'grant') return s.revoke ? 'REVOKE' : 'GRANT';
  return s.kind === 'transaction' ? s.action.toUpperCase() : s.kind === 'ignored' ? s.command : COMMANDS[s.kind];
}

/**
 * Parses, binds and plans one statement without running it, and builds the
 * record it would have: the plan's scans, predicates and joins, no execution
 * counters. DDL has no plan; its record has no scans. Throws when the statement
 * does not parse or bind.
 */
export function planRecord(db: SessionHost, sql: string, input: PlanRecordInput): QueryRecord {
  try {
    return planRecordOf(db, sql, input);
  } catch (e) {
    throw tooComplexIfOverflow(e, sql);
  }
}

function planRecordOf(db: SessionHost, sql: string, input: PlanRecordInput): QueryRecord {
  const p = parseStatement1(sql);
  const s = p.statement;
  const catalog = db.catalog();
  // planned, not run: stats-only tables are planned with their imported statistics
  const ctx = bindContext(db, catalog, p.text, undefined, false);
  let logical: ReturnType<typeof bindQuery> | null = null;
  if (s.kind === 'select') logical = bindQuery(s.query, ctx);
  else if (s.kind === 'explain' && s.statement.kind === 'select') logical = bindQuery(s.statement.query, ctx);
  else if (s.kind === 'insert') logical = bindInsertSource(s, tableOr(catalog, s.table, p), ctx);
  else if (s.kind === 'delete' || s.kind === 'update') {
    const table = tableOr(catalog, s.table, p);
    logical = dmlSource(s, table, dmlContext(db, catalog, table, p, false), p);
  }
  else if (s.kind === 'createTable' && s.as) logical = bindQuery(s.as, ctx);
  else if (s.kind === 'createView') bindQuery(s.query, ctx);
  else if (s.kind === 'createMaterializedView') logical = bindQuery(s.query, ctx);
  const parts = emptyRecordParts();
  if (logical) parts.plan = new Planner(catalog.slices, db.store).planQuery(logical);
  return buildRecord({
    ...input,
    sql: p.text,
    fingerprint: fingerprint(p.text),
    command: commandOf(s),
    stats: zeroStats(input.durationMs),
    parts,
  });
}

function parseStatement1(sql: string): ParsedStatement {
  const all = parseStatements(sql);
  if (all.length !== 1) throw new SqlError('SYNTAX', `expected one statement but found ${all.length}`);
  return all[0]!;
}

async function runOne(db: SessionHost, p: ParsedStatement, parts: RecordParts, t0: number, cancel: CancelFlag | null, copyIn: CopyInput | undefined): Promise<StatementOutcome> {
  const s = p.statement;
  authorize(db.principal, db.catalog(), s, p);
  switch (s.kind) {
    case 'select':
      return select(db, s, p, parts, t0, cancel);
    case 'explain':
      return explain(db, s, p, parts, t0, cancel);
    case 'createTable':
      return createTable(db, s, p, t0, cancel);
    case 'dropTable':
      return dropTables(db, s, p, t0);
    case 'insert':
      return insert(db, s, p, parts, t0, cancel);
    case 'delete':
      return deleteFrom(db, s, p, parts, t0, cancel);
    case 'update':
      return update(db, s, p, parts, t0, cancel);
    case 'truncate': {
      const outcome = await truncate(db, s, p, t0);
      // TRUNCATE commits the transaction block it runs in, itself included (Redshift)
      db.transaction.commit();
      return outcome;
    }
    case 'merge':
      return merge(db, s, p, parts, t0, cancel);
    case 'alterTable':
      return alterTable(db, s, p, t0);
    case 'alterSchema':
      return alterSchema(db, s, p, t0, cancel);
    case 'createView':
      return createView(db, s, p, t0);
    case 'dropView':
      return dropViews(db, s, p, t0);
    case 'createMaterializedView':
      return createMaterializedView(db, s, p, t0, cancel);
    case 'refreshMaterializedView':
      return refreshMaterializedView(db, s, p, t0, cancel);
    case 'dropMaterializedView':
      return dropMaterializedView(db, s, p, t0);
    case 'describe':
      return describe(db, s, p, t0);
    case 'showTables':
      return showTables(db, t0);
    case 'set':
      return setSetting(db.settings, db.initialSettings, s, p, t0);
    case 'show':
      return showSetting(db.settings, s, p, t0);
    case 'copy':
      return copy(db, s, p, t0, cancel, copyIn);
    case 'copyTo': {
      // the query's rows; the caller writes them in the format (keel serve: as CopyData)
      const o = await select(db, { kind: 'select', query: s.query, pos: s.pos }, p, parts, t0, cancel);
      return { ...o, command: 'COPY', copyOut: s.format };
    }
    case 'unload':
      return unload(db, s, p, parts, t0, cancel);
    case 'vacuum':
    case 'analyze':
      return maintenance(db, s, p, t0);
    case 'transaction':
      return db.transaction.run(s, t0);
    case 'ignored':
      return ignored(db, s, p, t0);
    case 'createUser':
      return createUser(db, s, p, t0);
    case 'alterUser':
      return alterUser(db, s, p, t0);
    case 'dropUser':
      return dropUsers(db, s, p, t0);
    case 'grant':
      return grant(db, s, p, t0);
  }
}

