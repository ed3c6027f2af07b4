/**
 * Workload fuzz targets over the SQL fixture:
 *
 *  - trace: trace files (JSON Lines, DESIGN.md) of valid, damaged and
 *    nonsense lines, each line parsed with parseTraceLine and the file
 *    replayed with replayTrace (random pace, concurrency, stop-on-error). A
 *    query's failure must be a KeelError (the replay counts any other as
 *    INTERNAL, a failure here); every non-blank line is either a query or a
 *    bad line.
 *  - log-import: CSV exports of Redshift's SYS_QUERY_HISTORY (keel log import)
 *    with generated and mutated SQL, bad times, statuses and numbers, damaged
 *    quoting and headers, imported with importRedshiftHistory, then mined
 *    (fingerprints, predicates, joins) now and then. The summary's counts must
 *    add up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintStats, importRedshiftHistory, joinEdges, loadWorkload, parseTraceLine, replayTrace, scanPredicateStats } from '../../workload-log/index.js';
import type { Target } from './campaign.js';
import { classify, crash, OK, wrong, type Outcome } from './outcome.js';
import type { Rng } from './rng.js';
import { mutateSql, SqlGenerator } from './sql.js';
import { applyByteOps, randomByteOps, type ByteOp } from './targets-load.js';
import { logWarning, recoverSql, setupSql, tidy, type SqlContext } from './targets-sql.js';

// ------------------------------------------------------------------ trace

export interface TraceInput {
  readonly lines: readonly string[];
  readonly ops: readonly ByteOp[];
  readonly pace: 'max' | 'recorded';
  readonly concurrency: number;
  readonly stopOnError: boolean;
}

function sqlFor(rng: Rng, ctx: SqlContext): string {
  const gen = new SqlGenerator(rng, ctx.schema, 2);
  const s = rng.chance(0.9) ? gen.query(rng.int(0, 1)).sql : gen.statement();
  return rng.chance(0.3) ? mutateSql(rng, s) : s;
}

const WEIRD_JSON = [1e308, -1, 0, 1.5, '', '2024-13-01T00:00:00Z', 'yesterday', true, null, {}, [], [1], { sql: 'select 1' }, '\u0000', 'x'.repeat(1000), -1e308, 8.64e15, 8.64e15 + 1];

function traceLineText(rng: Rng, ctx: SqlContext, n: number): string {
  const kind = rng.weighted({ valid: 10, weirdField: 4, badJson: 2, notObject: 1, blank: 1, long: 0.2 });
  const obj: Record<string, unknown> = {
    ts: rng.chance(0.5) ? new Date(Date.UTC(2024, 0, 1) + n * 1000 + rng.int(-5000, 5000)).toISOString() : n * 100 + rng.int(-50, 50),
    sql: sqlFor(rng, ctx),
  };
  if (rng.chance(0.5)) obj.user = rng.pick(['alice', 'bob', '', 'ü']);
  if (rng.chance(0.5)) obj.session = rng.pick(['s1', 's2', '']);
  switch (kind) {
    case 'valid':
      return JSON.stringify(obj);
    case 'weirdField': {
      const k = rng.pick(['ts', 'sql', 'user', 'session', 'extra', '__proto__', 'constructor']);
      obj[k] = rng.pick(WEIRD_JSON);
      if (rng.chance(0.2)) delete obj.sql;
      return JSON.stringify(obj);
    }
    case 'badJson': {
      const t = JSON.stringify(obj);
      return rng.pick([t.slice(0, rng.int(0, t.length - 1)), t + ',', t.replace('"sql"', "'sql'"), t.replace(/:/, ': NaN,'), `${t}${t}`, t.replace('{', '{,'), `{"ts": 1, "sql": "select 1", "ts": "x"}`, `{"sql": "select \\ud800"}`, `{"sql": "\\u0000"}`]);
    }
    case 'notObject':
      return rng.pick(['[]', '1', '"select 1"', 'null', 'true', '[{"sql": "select 1"}]']);
    case 'blank':
      return rng.pick(['', '   ', '\t']);
    case 'long':
      return JSON.stringify({ ts: 1, sql: `select ${Array.from({ length: 2000 }, (_, i) => i).join(' + ')}` });
  }
}

/** Lines as readline cuts them (LF, CRLF or a lone CR end a line). */
function physicalLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export const traceTarget: Target<SqlContext, TraceInput> = {
  kind: 'trace',
  setup: (work) => setupSql(work),
  generate(rng, ctx) {
    const n = 1 + rng.small(3) + rng.int(0, 3);
    const lines = Array.from({ length: n }, (_, i) => traceLineText(rng, ctx, i));
    return {
      lines,
      ops: rng.chance(0.15) ? randomByteOps(rng) : [],
      pace: rng.chance(0.8) ? 'max' : 'recorded',
      concurrency: rng.pick([1, 1, 2, 3]),
      stopOnError: rng.chance(0.2),
    };
  },
  async run(ctx, input) {
    const bytes = applyByteOps(Buffer.from(input.lines.join('\n') + '\n', 'utf8'), input.ops);
    const text = bytes.toString('utf8');
    const lines = physicalLines(text);
    let items = 0;
    for (let i = 0; i < lines.length; i++) {
      try {
        if (parseTraceLine(lines[i]!, i + 1)) items++;
      } catch (e) {
        return { outcome: crash(e) };
      }
    }
    const file = path.join(ctx.work, 'trace.jsonl');
    fs.writeFileSync(file, bytes);
    let outcome: Outcome = OK;
    let checked = false;
    let codes: string[] = [];
    try {
      // recorded pace at a speed that makes every wait nothing: the pacing code runs, the clock is not waited for
      const s = await replayTrace(ctx.db, file, { pace: input.pace, speed: 1e12, concurrency: input.concurrency, stopOnError: input.stopOnError });
      codes = s.problems.map((p) => p.code ?? 'BAD_LINE');
      const internal = s.problems.find((p) => p.code === 'INTERNAL');
      if (internal) outcome = crash(new Error(`replay line ${internal.line}: ${internal.message}`));
      else if (!s.stopped) {
        checked = true;
        if (s.queries + s.badLines !== items) outcome = wrong('replay miscounts the trace', `${items} lines hold a query or are bad; the replay ran ${s.queries} queries and saw ${s.badLines} bad lines`);
      }
    } catch (e) {
      outcome = classify(e);
    } finally {
      fs.rmSync(file, { force: true });
      await tidy(ctx);
    }
    const w = logWarning(ctx);
    return { outcome: w && outcome.kind !== 'crash' ? w : outcome, checked, codes };
  },
  show: (i) => `replay (pace ${i.pace}, concurrency ${i.concurrency}${i.stopOnError ? ', stop on error' : ''})${i.ops.length ? ` damaged ${JSON.stringify(i.ops)}` : ''}:\n${i.lines.join('\n')}`,
  parts: (input) => ({ items: input.lines, rebuild: (items) => ({ ...input, lines: items as string[] }) }),
  recover: recoverSql,
  async teardown(ctx) {
    ctx.db.close();
  },
};

// ------------------------------------------------------------------ Redshift query history import

export interface ImportInput {
  /** CSV records (header first), each a list of fields as written (quoted or not). */
  readonly records: readonly string[];
  readonly ops: readonly ByteOp[];
  readonly eol: '\n' | '\r\n';
  readonly mine: boolean;
}

const HISTORY_COLUMNS = ['query_id', 'user_id', 'user_name', 'session_id', 'query_type', 'query_text', 'start_time', 'end_time', 'elapsed_time', 'status', 'error_message', 'returned_rows'];

function csvField(s: string, rng: Rng): string {
  return /[",\n\r]/.test(s) || rng.chance(0.2) ? `"${s.replace(/"/g, '""')}"` : s;
}

function redshiftTimeText(rng: Rng): string {
  const d = new Date(Date.UTC(2024, 4, 1) + rng.int(0, 86_400_000 * 30));
  const base = d.toISOString().replace('T', ' ').replace('Z', '');
  return rng.weighted({ ok: 12, micros: 3, iso: 2, tz: 1, bad: 2, empty: 1 }) === 'ok'
    ? base
    : rng.pick([`${base}123`, d.toISOString(), `${base}+02:00`, '2024-13-01 00:00:00', 'not a time', '', '  ', '2024-05-01', '99999-01-01 00:00:00', '2024-05-01 25:61:61']);
}

export const importTarget: Target<SqlContext, ImportInput> = {
  kind: 'log-import',
  setup: (work) => setupSql(work),
  generate(rng, ctx) {
    let header = HISTORY_COLUMNS.filter(() => rng.chance(0.8));
    for (const need of ['query_text', 'start_time']) if (!header.includes(need) && rng.chance(0.9)) header.push(need);
    header = header.sort(() => rng.float() - 0.5);
    if (rng.chance(0.1)) header = header.map((h) => rng.pick([h.toUpperCase(), ` ${h} `, h]));
    if (rng.chance(0.05)) header.push(header[0] ?? 'query_id');
    const records = [header.join(',')];
    const n = rng.small(3) + rng.int(0, 4);
    for (let r = 0; r < n; r++) {
      const value = (c: string): string => {
        switch (c.trim().toLowerCase()) {
          case 'query_id':
            return rng.chance(0.9) ? String(rng.int(1, 30)) : rng.pick(['', 'x', '-1', '1e400']);
          case 'user_id':
            return String(rng.int(100, 105));
          case 'user_name':
            return rng.pick(['alice', 'bob', '', 'ü']);
          case 'session_id':
            return String(rng.int(1, 5));
          case 'query_type':
            return rng.pick(['SELECT', 'DDL', '', 'insert', 'UTILITY']);
          case 'query_text': {
            const s = sqlFor(rng, ctx);
            return rng.chance(0.2) ? s.padEnd(s.length + rng.int(1, 200)) : rng.chance(0.05) ? '' : s;
          }
          case 'start_time':
          case 'end_time':
            return redshiftTimeText(rng);
          case 'elapsed_time':
            return rng.pick([String(rng.int(0, 10_000_000)), '', '-5', '1e400', 'abc', '0', '1.5', 'NaN']);
          case 'status':
            return rng.pick(['success', 'success', 'failed', 'canceled', 'running', 'queued', 'SUCCESS', 'weird', '']);
          case 'error_message':
            return rng.pick(['', 'ERROR: division by zero', 'x,y"z']);
          case 'returned_rows':
            return rng.pick(['0', '10', '', '-1', 'lots', '1e309']);
          default:
            return 'x';
        }
      };
      let fields = header.map((c) => csvField(value(c), rng));
      if (rng.chance(0.05)) fields = fields.slice(0, rng.int(0, fields.length));
      if (rng.chance(0.05)) fields.push('extra');
      let line = fields.join(',');
      if (rng.chance(0.05)) line = rng.pick([`"${line}`, line.replace(',', ',"a"b,'), `${line}"`]);
      records.push(line);
    }
    return { records: rng.chance(0.03) ? [] : records, ops: rng.chance(0.1) ? randomByteOps(rng) : [], eol: rng.chance(0.2) ? '\r\n' : '\n', mine: rng.chance(0.1) };
  },
  async run(ctx, input) {
    const file = path.join(ctx.work, 'history.csv');
    fs.writeFileSync(file, applyByteOps(Buffer.from(input.records.join(input.eol) + (input.records.length ? input.eol : ''), 'utf8'), input.ops));
    let outcome: Outcome = OK;
    let checked = false;
    try {
      const s = await importRedshiftHistory(ctx.db, ctx.log, file);
      checked = true;
      if (s.imported + s.skipped + s.duplicates !== s.rows) outcome = wrong('import counts do not add up', `rows ${s.rows}: imported ${s.imported}, skipped ${s.skipped}, duplicates ${s.duplicates}`);
      else if (s.planned + s.notParsed + s.notBound !== s.imported) outcome = wrong('import counts do not add up', `imported ${s.imported}: planned ${s.planned}, not parsed ${s.notParsed}, not bound ${s.notBound}`);
      if (input.mine && outcome.kind === 'ok') {
        ctx.log.sync();
        const w = loadWorkload(ctx.dir, { warn: (m) => ctx.warnings.push(m) });
        fingerprintStats(w);
        scanPredicateStats(w);
        joinEdges(w);
      }
    } catch (e) {
      outcome = classify(e);
    } finally {
      fs.rmSync(file, { force: true });
    }
    const w = logWarning(ctx);
    return { outcome: w && outcome.kind !== 'crash' ? w : outcome, checked };
  },
  show: (i) => `log import${i.ops.length ? ` damaged ${JSON.stringify(i.ops)}` : ''}:\n${i.records.join('\n')}`,
  parts: (input) => ({ items: input.records, rebuild: (items) => ({ ...input, records: items as string[] }) }),
  recover: recoverSql,
  async teardown(ctx) {
    ctx.db.close();
  },
};
