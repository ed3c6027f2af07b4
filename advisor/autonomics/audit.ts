/**
 * The audit of the daemon's automatic actions, like Redshift's
 * svl_auto_worker_action: one row per event of an action (start, checkpoint,
 * complete, skipped, abort), with its table, reason, progress, rows and bytes.
 *
 *   DIR/advisor/auto-worker-actions.jsonl   one JSON object a line, appended and fsynced
 *
 * A line is durable once append() returns; a crash mid-write leaves at most a
 * torn last line, which readers skip. The file is cut to its newest
 * KEEP_ROWS rows (rewritten atomically) when it passes MAX_ROWS. Queryable as
 * the system table svl_auto_worker_action (autoWorkerActionTable).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch, SqlType, SystemTable } from '../../engine/index.js';
import type { MaintenanceAction } from './config.js';

export type AutoAction = MaintenanceAction;
export type AutoStatus = 'start' | 'checkpoint' | 'complete' | 'skipped' | 'abort';

export interface AuditRow {
  /** ISO-8601. */
  readonly at: string;
  /** Increasing over the file's life. */
  readonly sequence: number;
  readonly tableId: number | null;
  readonly table: string;
  readonly action: AutoAction;
  readonly status: AutoStatus;
  /** Why it was skipped or aborted, or what a start or checkpoint is about. */
  readonly reason: string | null;
  /** Percent of the action's rows done. */
  readonly progress: number;
  /** Rows read or rewritten so far (complete: rows of the table after). */
  readonly rows: number;
  /** Bytes written so far (complete: bytes written in all; for a vacuum delete, also what it reclaimed in `reason`). */
  readonly bytes: number;
}

/** A row to append: what the caller knows; time and sequence are added. */
export type AuditEvent = Omit<AuditRow, 'at' | 'sequence'>;

const FILE = 'auto-worker-actions.jsonl';
const MAX_ROWS = 20_000;
const KEEP_ROWS = 10_000;

export function auditPath(dataDir: string): string {
  return path.join(dataDir, 'advisor', FILE);
}

/** Every readable row, oldest first. */
export function readAudit(dataDir: string): AuditRow[] {
  let text: string;
  try {
    text = fs.readFileSync(auditPath(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: AuditRow[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as AuditRow);
    } catch {
      // a line torn by a crash mid-append: nothing after it was ever acknowledged
    }
  }
  return out;
}

/** Appends events of this process's actions; one writer per data directory (the daemon holds its lock). */
export class AuditLog {
  private sequence: number;
  private rows: number;

  constructor(private readonly dataDir: string) {
    const all = readAudit(dataDir);
    this.sequence = all.length ? all[all.length - 1]!.sequence : 0;
    this.rows = all.length;
  }

  append(e: AuditEvent, now = new Date()): AuditRow {
    const row: AuditRow = { at: now.toISOString(), sequence: ++this.sequence, ...e };
    const file = auditPath(this.dataDir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify(row) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (++this.rows > MAX_ROWS) this.trim();
    return row;
  }

  private trim(): void {
    const keep = readAudit(this.dataDir).slice(-KEEP_ROWS);
    const file = auditPath(this.dataDir);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, keep.map((r) => JSON.stringify(r) + '\n').join(''));
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    this.rows = keep.length;
  }
}

const VARCHAR: SqlType = { id: 'varchar', length: 256 };
const TEXT: SqlType = { id: 'varchar', length: 65535 };
const INTEGER: SqlType = { id: 'integer' };
const BIGINT: SqlType = { id: 'bigint' };
const DOUBLE: SqlType = { id: 'double' };
const TIMESTAMP: SqlType = { id: 'timestamp' };

const FIELDS = [
  { name: 'eventtime', type: TIMESTAMP },
  { name: 'sequence', type: BIGINT },
  { name: 'table_id', type: INTEGER },
  { name: 'table', type: VARCHAR },
  { name: 'type', type: VARCHAR },
  { name: 'status', type: VARCHAR },
  { name: 'reason', type: TEXT },
  { name: 'progress', type: DOUBLE },
  { name: 'rows', type: BIGINT },
  { name: 'bytes', type: BIGINT },
] as const;

/**
 * svl_auto_worker_action: the audit as a relation, read from the file when a
 * query reads it. Redshift's view has table_id, type, status, eventtime,
 * sequence and previous_state; keel names the table, keeps the reason apart
 * from the status and adds rows and bytes.
 */
export function autoWorkerActionTable(dataDir: string): SystemTable {
  return {
    name: 'svl_auto_worker_action',
    fields: FIELDS,
    read(_catalog, columns): Batch[] {
      const whole = auditBatch(readAudit(dataDir));
      return [{ length: whole.length, columns: columns.map((c) => whole.columns[c]!) }];
    },
  };
}

/** The audit's rows as one batch, in FIELDS' order. */
function auditBatch(all: readonly AuditRow[]): Batch {
  const n = all.length;
  const f64 = (get: (r: AuditRow) => number) => ({ kind: 'f64' as const, values: Float64Array.from(all, get), nulls: null, length: n });
  const i32 = (get: (r: AuditRow) => number | null) => {
    const nulls = Uint8Array.from(all, (r) => (get(r) === null ? 1 : 0));
    return { kind: 'i32' as const, values: Int32Array.from(all, (r) => get(r) ?? 0), nulls: nulls.includes(1) ? nulls : null, length: n };
  };
  const str = (get: (r: AuditRow) => string | null) => {
    const dict: string[] = [];
    const index = new Map<string, number>();
    const codes = new Uint32Array(n);
    const nulls = new Uint8Array(n);
    all.forEach((r, i) => {
      const v = get(r);
      if (v === null) {
        nulls[i] = 1;
        return;
      }
      let c = index.get(v);
      if (c === undefined) index.set(v, (c = dict.push(v) - 1));
      codes[i] = c;
    });
    return { kind: 'str' as const, codes, dict, nulls: nulls.includes(1) ? nulls : null, length: n };
  };
  return {
    length: n,
    columns: [
      // timestamps are microseconds since the epoch
      f64((r) => Date.parse(r.at) * 1000),
      f64((r) => r.sequence),
      i32((r) => r.tableId),
      str((r) => r.table),
      str((r) => r.action),
      str((r) => r.status),
      str((r) => r.reason),
      f64((r) => r.progress),
      f64((r) => r.rows),
      f64((r) => r.bytes),
    ],
  };
}
