/**
 * keel log: the recorded workload. Without a subcommand, the top fingerprints
 * by total time, by count and by bytes moved; `history` lists the latest
 * statements; `export` writes history as a trace; `import` reads a Redshift
 * query history; `compact` moves raw records into columnar chunks and applies
 * retention.
 */
import * as fs from 'node:fs';
import { Database as EngineDatabase, UsageError } from '../../engine/index.js';
import {
  attachWorkloadLog,
  exportRedshift,
  fingerprintStats,
  importRedshiftFiles,
  loadWorkload,
  recordTraceLine,
  topFingerprints,
  userStats,
  workloadRecords,
  WorkloadStore,
  type FingerprintStats,
  type ImportProblem,
  type Retention,
  type Workload,
} from '../../workload-log/index.js';
import { formatBytes } from '../../advisor/index.js';
import { formatTable, writeLines } from '../output.js';
import { printJson, type CommonOptions } from '../context.js';
import { parsePositive } from './gen.js';

export interface LogFlags extends CommonOptions {
  limit?: string;
  since?: string;
  /** Only this user's statements. */
  user?: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --since: an ISO-8601 date or time, or an age such as 30m, 24h, 7d. */
export function parseSince(text: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--since must be an ISO-8601 time (2024-05-01, 2024-05-01T12:00:00Z) or an age (30m, 24h, 7d), got "${text}"`);
  return t;
}

function parseAgeDays(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--max-age must be an age such as 12h, 30d or 8w, got "${text}"`);
  return (Number(m[1]) * UNITS[m[2] || 'd']!) / 86_400_000;
}

function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-size must be a size such as 500MB or 2GB, got "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase().replace('i', '');
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }[unit]!;
  return Math.floor(Number(m[1]) * mult);
}

/** Checks the data directory exists (reading the log never creates one). */
async function checkDataDir(dir: string): Promise<void> {
  const db = await EngineDatabase.open(dir, { create: false });
  db.close();
}

async function readLog(flags: LogFlags): Promise<Workload> {
  await checkDataDir(flags.data);
  return loadWorkload(flags.data, { ...(flags.since === undefined ? {} : { since: parseSince(flags.since) }), ...(flags.user === undefined ? {} : { user: flags.user }) });
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function fingerprintTable(title: string, rows: readonly FingerprintStats[]): string {
  const table = formatTable(
    ['#', 'count', 'total ms', 'mean ms', 'bytes moved', 'errors', 'fingerprint'],
    // a terminal's width cuts the fingerprints (formatTable); piped, they are whole
    rows.map((r, i) => [i + 1, r.count, Math.round(r.totalMs * 10) / 10, Math.round(r.meanMs * 10) / 10, formatBytes(r.bytesMoved), r.errors, oneLine(r.fingerprint)]),
    { rightAlign: [true, true, true, true, true, true, false] },
  );
  return `${title}\n${table}\n`;
}

export async function logTopCommand(flags: LogFlags): Promise<void> {
  const limit = parsePositive('--limit', flags.limit ?? '10', true);
  const w = await readLog(flags);
  const all = fingerprintStats(w);
  const byTotalTime = topFingerprints(w, { by: 'totalTime', limit }, all);
  const byCount = topFingerprints(w, { by: 'count', limit }, all);
  const byBytesMoved = topFingerprints(w, { by: 'bytesMoved', limit }, all);
  const statements = all.reduce((a, f) => a + f.count, 0);
  const errors = all.reduce((a, f) => a + f.errors, 0);
  const totalMs = all.reduce((a, f) => a + f.totalMs, 0);
  const users = userStats(w);
  const whose = flags.user === undefined ? '' : ` of user ${flags.user}`;
  if (flags.json) {
    printJson({ statements, errors, fingerprints: all.length, totalMs, since: flags.since ?? null, user: flags.user ?? null, users, byTotalTime, byCount, byBytesMoved });
    return;
  }
  if (statements === 0) {
    process.stdout.write(`no statements${whose} recorded in ${flags.data}${flags.since ? ` since ${flags.since}` : ''}\n`);
    return;
  }
  process.stdout.write(
    `${statements.toLocaleString('en-US')} statements${whose} (${errors} failed), ${all.length} fingerprints, ${(totalMs / 1000).toFixed(1)} s in all` +
      `${flags.since ? ` since ${flags.since}` : ''}\n\n`,
  );
  const userRows = users.map((u) => [u.user, u.userId ?? '', u.statements, u.errors, u.sessions, Math.round(u.totalMs * 10) / 10, Math.round(u.queueMs * 10) / 10]);
  process.stdout.write(`Users\n${formatTable(['user', 'user id', 'statements', 'errors', 'sessions', 'total ms', 'queue ms'], userRows, { rightAlign: [false, true, true, true, true, true, true] })}\n\n`);
  process.stdout.write(fingerprintTable('Top fingerprints by total time', byTotalTime) + '\n');
  process.stdout.write(fingerprintTable('Top fingerprints by count', byCount) + '\n');
  process.stdout.write(fingerprintTable('Top fingerprints by bytes moved', byBytesMoved));
}

export async function logHistoryCommand(flags: LogFlags): Promise<void> {
  const limit = parsePositive('--limit', flags.limit ?? '20', true);
  const records = [...workloadRecords(await readLog(flags), { newest: limit })].reverse();
  if (flags.json) {
    printJson(records);
    return;
  }
  const ms = (x: number | undefined) => (x === undefined ? '' : Math.round(x * 10) / 10);
  const rows = records.map((r) => [r.startTime, ms(r.durationMs), ms(r.queueMs), r.user, r.session, r.source, r.status === 'ok' ? 'ok' : `error ${r.error?.code ?? ''}`, r.rowsReturned, formatBytes(r.bytesMoved), oneLine(r.sql)]);
  process.stdout.write(formatTable(['start', 'ms', 'queue ms', 'user', 'session', 'source', 'status', 'rows', 'bytes moved', 'sql'], rows, { rightAlign: [false, true, true, false, false, false, false, true, true, false] }) + '\n');
}

export async function logExportCommand(flags: LogFlags & { out?: string; format?: string }): Promise<void> {
  if (flags.format !== undefined && flags.format !== 'trace' && flags.format !== 'redshift') throw new UsageError(`--format must be "trace" or "redshift", got "${flags.format}"`);
  if (flags.format === 'redshift') return exportRedshiftCommand(flags);
  const w = await readLog(flags);
  const n = writeLines(flags.out, (function* () {
    for (const r of workloadRecords(w)) yield recordTraceLine(r);
  })());
  if (flags.out === undefined) return;
  if (flags.json) printJson({ statements: n, out: flags.out });
  else process.stdout.write(`exported ${n.toLocaleString('en-US')} statements to ${flags.out}\n`);
}

async function exportRedshiftCommand(flags: LogFlags & { out?: string }): Promise<void> {
  if (flags.out === undefined) throw new UsageError('--format redshift writes four files: give the directory with --out DIR');
  const db = await EngineDatabase.open(flags.data, { create: false });
  try {
    const s = await exportRedshift(db, flags.out, flags.since === undefined ? {} : { since: parseSince(flags.since) });
    if (flags.json) printJson(s);
    else
      process.stdout.write(
        `exported ${s.queries.toLocaleString('en-US')} queries (${s.steps.toLocaleString('en-US')} steps), ${s.tables} tables and ${s.columns} columns' statistics to ${s.out}: ` +
          `sys_query_history.csv, sys_query_detail.csv, svv_table_info.csv, pg_stats.csv\n`,
      );
  } finally {
    db.close();
  }
}

/** Problem groups printed; the rest are counted in one line. */
const SHOWN_GROUPS = 20;
/** Distinct groups kept; problems beyond them are counted under "other problems". */
const MAX_GROUPS = 1000;
/** Line numbers listed per group. */
const GROUP_LINES = 5;

/** Problems of one kind with one message: how many, and the first lines and SQL where they occurred. */
export interface ProblemGroup {
  readonly stage: ImportProblem['stage'];
  readonly message: string;
  count: number;
  /** The first GROUP_LINES lines of the CSV, in file order. */
  readonly lines: number[];
  /** The SQL (its start) of the first occurrence. */
  readonly sql: string;
}

/**
 * Groups import problems by stage and message (a row problem's quoted value
 * left out, so every unreadable start_time is one group), in the order each
 * first occurred; beyond `maxGroups` the rest go to one "other problems" group.
 */
export class ProblemGroups {
  private readonly groups = new Map<string, ProblemGroup>();
  total = 0;

  constructor(private readonly maxGroups = MAX_GROUPS) {}

  add(p: ImportProblem): void {
    this.total++;
    const message = p.stage === 'row' ? p.message.replace(/"[^"]*"/g, '"…"') : oneLine(p.message);
    let key = `${p.stage}\u0000${message}`;
    let g = this.groups.get(key);
    if (!g && this.groups.size >= this.maxGroups) {
      key = '\u0000other';
      g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { stage: p.stage, message: 'other problems', count: 0, lines: [], sql: '' }));
    }
    if (!g) this.groups.set(key, (g = { stage: p.stage, message, count: 0, lines: [], sql: oneLine(p.sql) }));
    g.count++;
    if (g.lines.length < GROUP_LINES) g.lines.push(p.line);
  }

  /** The groups, most problems first (first occurrence breaks ties). */
  list(): ProblemGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count);
  }
}

/** "3, 8, 12, …" : a group's first lines, an ellipsis when there are more. */
function linesText(g: ProblemGroup): string {
  return g.lines.join(', ') + (g.count > g.lines.length ? ', …' : '');
}

/** The problem groups as a table, one line per group, at most `shown` groups. */
export function problemGroupsText(groups: readonly ProblemGroup[], total: number, shown = SHOWN_GROUPS, width?: number): string {
  const head = `${total.toLocaleString('en-US')} problem${total === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'} (by stage and message):\n`;
  const rows = groups.slice(0, shown).map((g) => [g.count, g.stage, g.message, linesText(g), g.sql]);
  const table = formatTable(['count', 'stage', 'problem', 'lines', 'first sql'], rows, { footer: false, ...(width === undefined ? {} : { width }) });
  const rest = groups.slice(shown);
  const more = rest.length ? `\n... and ${rest.length} more groups (${rest.reduce((a, g) => a + g.count, 0).toLocaleString('en-US')} problems; --json lists them all)` : '';
  return head + table + more + '\n';
}

export async function logImportCommand(files: string[], flags: CommonOptions & { format?: string }): Promise<void> {
  if (flags.format !== 'redshift') throw new UsageError(`--format must be "redshift" (CSV exports of SYS_QUERY_HISTORY, SYS_QUERY_DETAIL, SVV_TABLE_INFO, pg_stats), got ${flags.format === undefined ? 'nothing' : `"${flags.format}"`}`);
  for (const file of files) if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file or directory`);
  const db = await EngineDatabase.open(flags.data, { create: false });
  try {
    const log = attachWorkloadLog(db, { source: 'redshift', systemTables: false });
    const groups = new ProblemGroups();
    const summaries = await importRedshiftFiles(db, log, files, { onProblem: (p) => groups.add(p) });
    const histories = summaries.filter((s) => s.kind === 'sys_query_history');
    if (flags.json) {
      // one history file: its summary at the top, as before files of other kinds were read
      printJson({ ...(histories.length === 1 ? histories[0] : {}), files: summaries, problemGroups: groups.list() });
      return;
    }
    for (const s of summaries) {
      if (s.kind === 'sys_query_history') {
        process.stdout.write(
          `imported ${s.imported.toLocaleString('en-US')} of ${s.rows.toLocaleString('en-US')} queries from ${s.file}: ` +
            `${s.planned} planned against the catalog (${s.measured} with measured steps), ${s.notParsed} not parsed, ${s.notBound} not bound, ${s.skipped} skipped` +
            `${s.duplicates ? `, ${s.duplicates} imported before` : ''}\n`,
        );
      } else {
        const what = s.kind === 'sys_query_detail' ? 'queries\' steps' : s.kind === 'pg_stats' ? 'tables\' column statistics' : 'tables';
        process.stdout.write(`imported ${s.kind} from ${s.file}: ${s.imported.toLocaleString('en-US')} ${what} from ${s.rows.toLocaleString('en-US')} rows${s.skipped ? `, ${s.skipped} rows skipped` : ''}\n`);
      }
    }
    if (groups.total) process.stdout.write('\n' + problemGroupsText(groups.list(), groups.total));
  } finally {
    db.close();
  }
}

export async function logCompactCommand(flags: CommonOptions & { maxAge?: string; maxSize?: string }): Promise<void> {
  const retention: Partial<Retention> = {};
  if (flags.maxAge !== undefined) retention.maxAgeDays = parseAgeDays(flags.maxAge);
  if (flags.maxSize !== undefined) retention.maxBytes = parseBytes(flags.maxSize);
  await checkDataDir(flags.data);
  const result = new WorkloadStore(flags.data).compact({ retention });
  if (!result) throw new UsageError('another process is compacting this workload log; try again in a moment');
  if (flags.json) {
    printJson(result);
    return;
  }
  process.stdout.write(
    `compacted ${result.records.toLocaleString('en-US')} records from ${result.segments} segments in ${(result.elapsedMs / 1000).toFixed(2)} s; ` +
      `dropped ${result.droppedByAge} by age, ${result.droppedBySize} by size; ` +
      `${result.totalRecords.toLocaleString('en-US')} records in ${result.chunks} chunks (${formatBytes(result.bytes)})\n`,
  );
}
