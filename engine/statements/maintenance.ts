/**
 * VACUUM and ANALYZE (storage/vacuum.ts, storage/analyze.ts), run as a
 * statement or in the background by the daemon's maintenance
 * (Database.maintainInBackground), which paces, pauses and aborts them and
 * wants to know what each table got. Without a table they go through every
 * table, by name, each on its own: one table's result is committed before
 * the next starts, as Redshift vacuums each table in its own transaction.
 */
import { randomUUID } from 'node:crypto';
import { SqlError, positionAt } from '../errors.js';
import { parseStatements, type ParsedStatement } from '../sql/index.js';
import type * as ast from '../sql/ast.js';
import { vacuumTable, DEFAULT_VACUUM_THRESHOLD, type VacuumOutcome } from '../storage/vacuum.js';
import { analyzeTable, type AnalyzeOutcome } from '../storage/analyze.js';
import { analyzeCompression, DEFAULT_COMPROWS } from '../storage/analyze-compression.js';
import { batchFromRows } from '../rows.js';
import type { BackgroundOptions } from '../storage/vacuum-delete.js';
import { buildRecord, emptyRecordParts } from '../record-builder.js';
import { fingerprint } from '../sql/fingerprint.js';
import type { SessionHost } from './host.js';
import { statementError, tableOr } from './common.js';
import { done, zeroStats, type StatementOutcome } from './outcome.js';
import { failedRecord, runnerOf, type Runner } from './records.js';

export type { VacuumOutcome, AnalyzeOutcome, BackgroundOptions };

export type MaintenanceOutcome = ({ readonly action: 'vacuum' } & VacuumOutcome) | ({ readonly action: 'analyze' } & AnalyzeOutcome);

export interface MaintenanceOptions extends BackgroundOptions, Runner {}

/** The tables a statement names (checked now, with its position), or every table. */
function targets(db: SessionHost, table: ast.Ident | null, p: ParsedStatement): string[] {
  const catalog = db.catalog();
  if (table) return [tableOr(catalog, table, p).name];
  return Object.keys(catalog.tables).sort();
}

async function runMaintenance(db: SessionHost, s: ast.VacuumStatement | ast.AnalyzeStatement, p: ParsedStatement, options: BackgroundOptions): Promise<MaintenanceOutcome[]> {
  // a rewrite and its statistics commit on their own, as the background ALTER does; Redshift refuses VACUUM in a block too
  if (!db.transaction.standalone()) {
    throw statementError('UNSUPPORTED', `${s.kind === 'vacuum' ? 'VACUUM' : 'ANALYZE'} cannot run inside a transaction block; COMMIT or ROLLBACK first`, s.pos, p);
  }
  const out: MaintenanceOutcome[] = [];
  if (s.kind === 'vacuum') {
    for (const name of targets(db, s.table, p)) {
      out.push({ action: 'vacuum', ...(await vacuumTable(db.store, name, s.mode, s.threshold ?? DEFAULT_VACUUM_THRESHOLD, options)) });
    }
    return out;
  }
  if (s.compression) throw statementError('UNSUPPORTED', 'ANALYZE COMPRESSION reports and changes nothing: run it as a statement', s.pos, p);
  checkColumns(db, s, p);
  for (const name of targets(db, s.table, p)) {
    out.push({ action: 'analyze', ...(await analyzeTable(db.store, name, s.columns ? s.columns.map((c) => c.name) : null, options)) });
  }
  return out;
}

const REPORT_TEXT = { id: 'varchar', length: 128 } as const;
const REPORT_FIELDS = [
  { name: 'table', type: REPORT_TEXT },
  { name: 'column', type: REPORT_TEXT },
  { name: 'encoding', type: REPORT_TEXT },
  { name: 'est_reduction_pct', type: { id: 'double' } as const },
];

/** ANALYZE COMPRESSION's report: one row per column of each table named (or every table). */
function compressionReport(db: SessionHost, s: ast.AnalyzeStatement, p: ParsedStatement, t0: number): StatementOutcome {
  checkColumns(db, s, p);
  const rows = targets(db, s.table, p).flatMap((name) =>
    analyzeCompression(db.store, db.catalog().tables[name]!, s.columns ? s.columns.map((c) => c.name) : null, s.compRows ?? DEFAULT_COMPROWS),
  );
  const batch = batchFromRows(REPORT_FIELDS.map((f) => f.type), rows.map((r) => [r.table, r.column, r.encoding, r.reduction]));
  return { command: 'ANALYZE COMPRESSION', fields: REPORT_FIELDS, batch, stats: zeroStats(performance.now() - t0), rowCount: rows.length };
}

function checkColumns(db: SessionHost, s: ast.AnalyzeStatement, p: ParsedStatement): void {
  if (!s.columns) return;
  const table = tableOr(db.catalog(), s.table!, p);
  for (const c of s.columns) {
    if (!table.columns.some((x) => x.name === c.name)) throw statementError('UNKNOWN_COLUMN', `column "${c.name}" of table "${table.name}" does not exist`, c.pos, p);
  }
}

export async function maintenance(db: SessionHost, s: ast.VacuumStatement | ast.AnalyzeStatement, p: ParsedStatement, t0: number): Promise<StatementOutcome> {
  if (s.kind === 'analyze' && s.compression) return compressionReport(db, s, p, t0);
  await runMaintenance(db, s, p, {});
  return done(s.kind === 'vacuum' ? 'VACUUM' : 'ANALYZE', t0);
}

/**
 * Runs one VACUUM or ANALYZE statement with background options (a byte rate,
 * pausing, abort, progress) and returns what it did to each table; leaves one
 * query record, as execute() would.
 */
export async function maintainInBackground(db: SessionHost, sql: string, options: MaintenanceOptions = {}): Promise<MaintenanceOutcome[]> {
  const t0 = performance.now();
  const who = runnerOf(db, options);
  const transactionId = randomUUID();
  let text = sql;
  try {
    const parsed = parseStatements(sql);
    if (parsed.length !== 1) throw new SqlError('SYNTAX', `maintainInBackground takes one VACUUM or ANALYZE statement, got ${parsed.length} statements`);
    const p = parsed[0]!;
    text = p.text;
    const s = p.statement;
    if (s.kind !== 'vacuum' && s.kind !== 'analyze') throw new SqlError('UNSUPPORTED', 'maintainInBackground takes a VACUUM or ANALYZE statement', positionAt(p.text, s.pos), p.text);
    const out = await runMaintenance(db, s, p, options);
    const elapsedMs = performance.now() - t0;
    db.emitRecord(
      buildRecord({
        id: randomUUID(),
        // a background VACUUM or ANALYZE is a transaction of its own, as the background ALTER is
        transactionId,
        startTime: new Date(Date.now() - elapsedMs).toISOString(),
        durationMs: elapsedMs,
        ...who,
        sql: p.text,
        fingerprint: fingerprint(p.text),
        command: s.kind === 'vacuum' ? 'VACUUM' : 'ANALYZE',
        status: 'ok',
        error: null,
        stats: zeroStats(elapsedMs),
        rowsReturned: 0,
        parts: emptyRecordParts(),
      }),
    );
    return out;
  } catch (e) {
    db.emitRecord(failedRecord(who, text, t0, e, transactionId));
    throw e;
  }
}
