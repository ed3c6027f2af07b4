/**
 * Log records in columnar form: four tables (queries, scans, predicates,
 * joins), children pointing at their parent's row. Strings that repeat
 * (fingerprints, users, table and column names) are dictionary codes; text that
 * does not (ids, SQL, error messages) is read lazily. The same form serves the
 * compacted Arrow files, the system tables and the mining functions.
 */
import { QUERY_RECORD_VERSION, type JoinRecord, type ScanRecord } from '../engine/index.js';
import type { LogRecord } from './record.js';

/** Dictionary-coded strings; code -1 is NULL. */
export interface Codes {
  readonly codes: Int32Array;
  readonly dict: readonly string[];
}

/** Strings read on demand. */
export interface Texts {
  readonly length: number;
  get(i: number): string | null;
}

export interface QueryColumns {
  readonly length: number;
  readonly id: Texts;
  readonly sql: Texts;
  readonly errorMessage: Texts;
  readonly startMs: Float64Array;
  readonly durationMs: Float64Array;
  /** 0 ok, 1 error. */
  readonly status: Uint8Array;
  readonly user: Codes;
  readonly session: Codes;
  readonly source: Codes;
  readonly fingerprint: Codes;
  readonly command: Codes;
  readonly errorCode: Codes;
  /** Comma-separated table.column lists. */
  readonly groupBy: Codes;
  readonly orderBy: Codes;
  readonly rowsReturned: Float64Array;
  readonly rowsMoved: Float64Array;
  readonly bytesMoved: Float64Array;
  readonly blocksTotal: Float64Array;
  readonly blocksScanned: Float64Array;
  readonly blocksSkipped: Float64Array;
}

export interface ScanColumns {
  readonly length: number;
  /** Row of the query in this part. */
  readonly query: Int32Array;
  readonly table: Codes;
  /** Comma-separated column names. */
  readonly columns: Codes;
  readonly blocksTotal: Float64Array;
  readonly blocksScanned: Float64Array;
  readonly blocksSkipped: Float64Array;
  readonly rowsScanned: Float64Array;
  readonly rowsOut: Float64Array;
}

export interface PredicateColumns {
  readonly length: number;
  /** Row of the scan in this part. */
  readonly scan: Int32Array;
  readonly column: Codes;
  readonly op: Codes;
  readonly literal: Codes;
  readonly estSelectivity: Float64Array;
  /** NaN when not measured. */
  readonly actualSelectivity: Float64Array;
}

export interface JoinColumns {
  readonly length: number;
  readonly query: Int32Array;
  /** table.column of the first key of each side. */
  readonly left: Codes;
  readonly right: Codes;
  /** All key pairs: "l.a=r.b,l.c=r.d". */
  readonly keys: Codes;
  readonly type: Codes;
  readonly action: Codes;
  readonly leftRows: Float64Array;
  readonly rightRows: Float64Array;
  readonly rowsMoved: Float64Array;
  readonly bytesMoved: Float64Array;
}

export interface WorkloadPart {
  readonly queries: QueryColumns;
  readonly scans: ScanColumns;
  readonly predicates: PredicateColumns;
  readonly joins: JoinColumns;
}

// ------------------------------------------------------------ building

class F64 {
  a = new Float64Array(64);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

class I32 {
  a = new Int32Array(64);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Int32Array {
    return this.a.slice(0, this.n);
  }
}

class Dict {
  readonly codes = new I32();
  readonly dict: string[] = [];
  private readonly ids = new Map<string, number>();
  push(s: string | null | undefined): void {
    if (s === null || s === undefined) {
      this.codes.push(-1);
      return;
    }
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.dict.length;
      this.ids.set(s, id);
      this.dict.push(s);
    }
    this.codes.push(id);
  }
  done(): Codes {
    return { codes: this.codes.done(), dict: this.dict.slice() };
  }
}

class Strs {
  readonly values: (string | null)[] = [];
  push(s: string | null): void {
    this.values.push(s);
  }
  done(): Texts {
    const v = this.values.slice();
    return { length: v.length, get: (i) => v[i] ?? null };
  }
}

export function joinKeysText(keys: JoinRecord['keys']): string {
  return keys.map((k) => `${k.left}=${k.right}`).join(',');
}

/** Appends log records, then builds a part from them. */
export class PartBuilder {
  private readonly q = {
    id: new Strs(),
    sql: new Strs(),
    errorMessage: new Strs(),
    startMs: new F64(),
    durationMs: new F64(),
    status: [] as number[],
    user: new Dict(),
    session: new Dict(),
    source: new Dict(),
    fingerprint: new Dict(),
    command: new Dict(),
    errorCode: new Dict(),
    groupBy: new Dict(),
    orderBy: new Dict(),
    rowsReturned: new F64(),
    rowsMoved: new F64(),
    bytesMoved: new F64(),
    blocksTotal: new F64(),
    blocksScanned: new F64(),
    blocksSkipped: new F64(),
  };
  private readonly s = {
    query: new I32(),
    table: new Dict(),
    columns: new Dict(),
    blocksTotal: new F64(),
    blocksScanned: new F64(),
    blocksSkipped: new F64(),
    rowsScanned: new F64(),
    rowsOut: new F64(),
  };
  private readonly p = {
    scan: new I32(),
    column: new Dict(),
    op: new Dict(),
    literal: new Dict(),
    estSelectivity: new F64(),
    actualSelectivity: new F64(),
  };
  private readonly j = {
    query: new I32(),
    left: new Dict(),
    right: new Dict(),
    keys: new Dict(),
    type: new Dict(),
    action: new Dict(),
    leftRows: new F64(),
    rightRows: new F64(),
    rowsMoved: new F64(),
    bytesMoved: new F64(),
  };

  get length(): number {
    return this.q.status.length;
  }

  add(r: LogRecord): void {
    const q = this.q;
    const row = q.status.length;
    q.id.push(r.id);
    q.sql.push(r.sql);
    q.errorMessage.push(r.error?.message ?? null);
    q.startMs.push(Date.parse(r.startTime));
    q.durationMs.push(r.durationMs);
    q.status.push(r.status === 'ok' ? 0 : 1);
    q.user.push(r.user);
    q.session.push(r.session);
    q.source.push(r.source ?? 'api');
    q.fingerprint.push(r.fingerprint);
    q.command.push(r.command);
    q.errorCode.push(r.error?.code ?? null);
    q.groupBy.push((r.groupBy ?? []).join(','));
    q.orderBy.push((r.orderBy ?? []).join(','));
    q.rowsReturned.push(r.rowsReturned ?? 0);
    q.rowsMoved.push(r.rowsMoved ?? 0);
    q.bytesMoved.push(r.bytesMoved ?? 0);
    q.blocksTotal.push(r.blocksTotal ?? 0);
    q.blocksScanned.push(r.blocksScanned ?? 0);
    q.blocksSkipped.push(r.blocksSkipped ?? 0);
    for (const sc of r.scans) this.addScan(row, sc);
    for (const jn of r.joins) {
      const j = this.j;
      j.query.push(row);
      j.left.push(jn.left);
      j.right.push(jn.right);
      j.keys.push(joinKeysText(jn.keys ?? []));
      j.type.push(jn.type);
      j.action.push(jn.action);
      j.leftRows.push(jn.leftRows);
      j.rightRows.push(jn.rightRows);
      j.rowsMoved.push(jn.rowsMoved);
      j.bytesMoved.push(jn.bytesMoved);
    }
  }

  private addScan(row: number, sc: ScanRecord): void {
    const s = this.s;
    const scanRow = s.query.n;
    s.query.push(row);
    s.table.push(sc.table);
    s.columns.push(sc.columns.join(','));
    s.blocksTotal.push(sc.blocksTotal);
    s.blocksScanned.push(sc.blocksScanned);
    s.blocksSkipped.push(sc.blocksSkipped);
    s.rowsScanned.push(sc.rowsScanned);
    s.rowsOut.push(sc.rowsOut);
    for (const pr of sc.predicates) {
      const p = this.p;
      p.scan.push(scanRow);
      p.column.push(pr.column);
      p.op.push(pr.op);
      p.literal.push(pr.literal);
      p.estSelectivity.push(pr.estSelectivity);
      p.actualSelectivity.push(pr.actualSelectivity ?? NaN);
    }
  }

  build(): WorkloadPart {
    const { q, s, p, j } = this;
    return {
      queries: {
        length: q.status.length,
        id: q.id.done(),
        sql: q.sql.done(),
        errorMessage: q.errorMessage.done(),
        startMs: q.startMs.done(),
        durationMs: q.durationMs.done(),
        status: Uint8Array.from(q.status),
        user: q.user.done(),
        session: q.session.done(),
        source: q.source.done(),
        fingerprint: q.fingerprint.done(),
        command: q.command.done(),
        errorCode: q.errorCode.done(),
        groupBy: q.groupBy.done(),
        orderBy: q.orderBy.done(),
        rowsReturned: q.rowsReturned.done(),
        rowsMoved: q.rowsMoved.done(),
        bytesMoved: q.bytesMoved.done(),
        blocksTotal: q.blocksTotal.done(),
        blocksScanned: q.blocksScanned.done(),
        blocksSkipped: q.blocksSkipped.done(),
      },
      scans: {
        length: s.query.n,
        query: s.query.done(),
        table: s.table.done(),
        columns: s.columns.done(),
        blocksTotal: s.blocksTotal.done(),
        blocksScanned: s.blocksScanned.done(),
        blocksSkipped: s.blocksSkipped.done(),
        rowsScanned: s.rowsScanned.done(),
        rowsOut: s.rowsOut.done(),
      },
      predicates: {
        length: p.scan.n,
        scan: p.scan.done(),
        column: p.column.done(),
        op: p.op.done(),
        literal: p.literal.done(),
        estSelectivity: p.estSelectivity.done(),
        actualSelectivity: p.actualSelectivity.done(),
      },
      joins: {
        length: j.query.n,
        query: j.query.done(),
        left: j.left.done(),
        right: j.right.done(),
        keys: j.keys.done(),
        type: j.type.done(),
        action: j.action.done(),
        leftRows: j.leftRows.done(),
        rightRows: j.rightRows.done(),
        rowsMoved: j.rowsMoved.done(),
        bytesMoved: j.bytesMoved.done(),
      },
    };
  }
}

export function partOf(records: Iterable<LogRecord>): WorkloadPart {
  const b = new PartBuilder();
  for (const r of records) b.add(r);
  return b.build();
}

// ------------------------------------------------------------ reading back

export function str(c: Codes, i: number): string | null {
  const code = c.codes[i]!;
  return code < 0 ? null : c.dict[code]!;
}

function list(s: string | null): string[] {
  return s ? s.split(',') : [];
}

/** First child row per parent row (children are stored in parent order): starts[i]..starts[i+1]. */
export function childStarts(parent: Int32Array, parents: number): Int32Array {
  const starts = new Int32Array(parents + 1);
  for (let i = 0; i < parent.length; i++) starts[parent[i]! + 1]!++;
  for (let i = 0; i < parents; i++) starts[i + 1]! += starts[i]!;
  return starts;
}

/** Rebuilds whole records from a part (for export, compaction and retention). */
export function* recordsOf(part: WorkloadPart, keep?: (row: number) => boolean): Generator<LogRecord> {
  const { queries: q, scans: s, predicates: p, joins: j } = part;
  const scanStarts = childStarts(s.query, q.length);
  const predStarts = childStarts(p.scan, s.length);
  const joinStarts = childStarts(j.query, q.length);
  for (let i = 0; i < q.length; i++) {
    if (keep && !keep(i)) continue;
    const scans: ScanRecord[] = [];
    for (let k = scanStarts[i]!; k < scanStarts[i + 1]!; k++) {
      const predicates = [];
      for (let m = predStarts[k]!; m < predStarts[k + 1]!; m++) {
        const actual = p.actualSelectivity[m]!;
        predicates.push({
          column: str(p.column, m)!,
          op: str(p.op, m)!,
          literal: str(p.literal, m),
          estSelectivity: p.estSelectivity[m]!,
          actualSelectivity: Number.isNaN(actual) ? null : actual,
        });
      }
      scans.push({
        table: str(s.table, k)!,
        columns: list(str(s.columns, k)),
        predicates,
        blocksTotal: s.blocksTotal[k]!,
        blocksScanned: s.blocksScanned[k]!,
        blocksSkipped: s.blocksSkipped[k]!,
        rowsScanned: s.rowsScanned[k]!,
        rowsOut: s.rowsOut[k]!,
      });
    }
    const joins: JoinRecord[] = [];
    for (let k = joinStarts[i]!; k < joinStarts[i + 1]!; k++) {
      const keys = list(str(j.keys, k)).map((pair) => {
        const at = pair.indexOf('=');
        return { left: pair.slice(0, at), right: pair.slice(at + 1) };
      });
      joins.push({
        left: str(j.left, k)!,
        right: str(j.right, k)!,
        keys,
        type: str(j.type, k)!,
        action: str(j.action, k)!,
        leftRows: j.leftRows[k]!,
        rightRows: j.rightRows[k]!,
        rowsMoved: j.rowsMoved[k]!,
        bytesMoved: j.bytesMoved[k]!,
      });
    }
    const errorCode = str(q.errorCode, i);
    yield {
      version: QUERY_RECORD_VERSION,
      id: q.id.get(i)!,
      startTime: new Date(q.startMs[i]!).toISOString(),
      durationMs: q.durationMs[i]!,
      user: str(q.user, i)!,
      session: str(q.session, i)!,
      sql: q.sql.get(i)!,
      fingerprint: str(q.fingerprint, i)!,
      command: str(q.command, i)!,
      status: q.status[i] === 0 ? 'ok' : 'error',
      error: errorCode === null ? null : { code: errorCode, message: q.errorMessage.get(i) ?? '' },
      rowsReturned: q.rowsReturned[i]!,
      rowsMoved: q.rowsMoved[i]!,
      bytesMoved: q.bytesMoved[i]!,
      blocksTotal: q.blocksTotal[i]!,
      blocksScanned: q.blocksScanned[i]!,
      blocksSkipped: q.blocksSkipped[i]!,
      scans,
      joins,
      groupBy: list(str(q.groupBy, i)),
      orderBy: list(str(q.orderBy, i)),
      source: str(q.source, i)!,
    };
  }
}
