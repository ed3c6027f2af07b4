/**
 * keel demo: the self-tuning loop end to end on a fresh data directory
 * (advisor/autonomics/demo.ts): TPC-H generated on the default layout, a
 * query stream replayed, the advisor's changes applied online and verified,
 * the stream replayed again, and the before/after report.
 * keel demo --quick: the older tour (load the shared SF 0.01 files, run four
 * queries, show their results and costs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, UsageError } from '../../engine/index.js';
import { ratioText, runDemo, type DemoPhase, type DemoReport } from '../../advisor/autonomics/index.js';
import { formatBytes } from '../../advisor/index.js';
import { formatResultTable, formatTable, Progress, reportError } from '../output.js';
import { parsePositive } from './gen.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';
import { resultJson } from './sql.js';

const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'];
const QUERIES = ['q01.sql', 'q03.sql', 'q05.sql', 'q06.sql'];

/** ../shared/tpch beside the repository (this file is dist/cli/commands/demo.js). */
export function defaultTpchDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/tpch');
}

/** Removes a previous demo directory, but never a directory that is not a keel data directory. */
function freshDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (fs.readdirSync(dir).length === 0) return;
  if (!fs.existsSync(path.join(dir, 'KEEL'))) throw new UsageError(`${dir} exists and is not a keel data directory; choose another --data`);
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface DemoFlags extends CommonOptions {
  sf?: string;
  queries?: string;
  rounds?: string;
  seed?: string;
  quick?: boolean;
  tpch?: string;
}

const PHASE_LABEL: Record<DemoPhase, string> = {
  generate: 'generate TPC-H',
  'warm-up': 'warm-up replay (not measured)',
  'replay-before': 'replay (default layout)',
  advise: 'advisor',
  copy: 'copy the default layout',
  apply: 'apply online',
  replay: 'replay, tuned and default side by side',
  verify: 'verify',
  views: 'automatic views',
  'replay-views': 'replay, tuned without and with views side by side',
};

export async function demoCommand(flags: DemoFlags): Promise<void> {
  if (flags.quick) return quickDemoCommand({ ...flags, sf: flags.sf ?? '0.01' });
  const json = flags.json === true;
  try {
    const sf = parsePositive('--sf', flags.sf ?? '0.1', false);
    const queries = parsePositive('--queries', flags.queries ?? '200', true);
    const rounds = parsePositive('--rounds', flags.rounds ?? '3', true);
    const seed = Number(flags.seed ?? '1');
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${flags.seed}"`);
    freshDir(flags.data);
    let bar: Progress | null = null;
    let current: DemoPhase | null = null;
    const report = await runDemo(flags.data, {
      sf,
      queries,
      rounds,
      seed,
      onPhase: (phase, done, total) => {
        if (phase !== current) {
          bar?.done();
          current = phase;
          bar = new Progress(PHASE_LABEL[phase].padEnd(24), json);
        }
        bar!.update(done, total);
      },
    });
    (bar as Progress | null)?.done();
    if (json) printJson(report);
    else process.stdout.write(demoText(report, flags.data));
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

const n = (x: number) => x.toLocaleString('en-US');
const p = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}%`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function demoText(r: DemoReport, dir: string): string {
  const lines = [
    `keel demo: TPC-H SF ${r.sf} in ${dir}, ${r.queries} queries replayed on the default layout and again after the advisor's changes`,
    '',
    r.changes.length
      ? formatTable(
          ['change', 'table', 'ddl', 'applied in', 'verification', 'status'],
          r.changes.map((c) => [c.id, c.table, c.ddl, c.applyMs === null ? null : s(c.applyMs), c.verdict, c.status]),
        )
      : 'The advisor proposed no change the policy allows.',
  ];
  if (r.held.length) lines.push('', 'Recommended, not applied:', ...r.held.map((h) => `  ${h.id}: ${h.reason}`));
  lines.push(
    '',
    formatTable(
      ['', 'before', 'after', 'change'],
      [
        ['workload time', s(r.before.workloadMs), s(r.after.workloadMs), p(r.changePercent.workloadMs)],
        ['bytes moved', formatBytes(r.before.bytesMoved), formatBytes(r.after.bytesMoved), p(r.changePercent.bytesMoved)],
        ['blocks scanned', n(r.before.blocksScanned), n(r.after.blocksScanned), p(r.changePercent.blocksScanned)],
        ['storage', formatBytes(r.before.storageBytes), formatBytes(r.after.storageBytes), p(r.changePercent.storageBytes)],
      ],
    )
      .split('\n')
      .slice(0, -1)
      .join('\n'),
    '',
    `time, tuned over default: ${ratioText(r.timeRatio)}, ${r.rounds} round${r.rounds === 1 ? '' : 's'} side by side${r.reverted ? `; every change was reverted: ${r.reverted}` : ''}`,
    ...viewLines(r),
    `phases: ${(Object.keys(PHASE_LABEL) as DemoPhase[]).map((k) => `${PHASE_LABEL[k]} ${s(r.timings[k] ?? 0)}`).join(', ')}; total ${s(r.elapsedMs)}`,
    `The data directory stays in ${dir}: keel advisor list --data ${dir} shows the changes and their evidence; the stream is ${r.trace}.`,
  );
  if (r.before.errors + r.after.errors > 0) lines.push(`${r.before.errors + r.after.errors} queries failed (keel log history --data ${dir} shows them).`);
  return lines.join('\n') + '\n';
}

/** The views step: the views made, and the stream on the tuned layout without and with them (or why there are none). */
function viewLines(r: DemoReport): string[] {
  const v = r.views;
  const out: string[] = [];
  if (v.created.length) out.push(`Automatic views (${v.created.length}):`, ...v.created.map((c) => `  ${c.name}: ${c.sql}`));
  if (v.before && v.after) {
    out.push(
      formatTable(
        ['', 'without views', 'with views', 'change'],
        [
          ['workload time', s(v.before.workloadMs), s(v.after.workloadMs), p(pctOf(v.after.workloadMs, v.before.workloadMs))],
          ['blocks scanned', n(v.before.blocksScanned), n(v.after.blocksScanned), p(pctOf(v.after.blocksScanned, v.before.blocksScanned))],
        ],
      )
        .split('\n')
        .slice(0, -1)
        .join('\n'),
      `${v.hits} queries of the measured rounds read a view.`,
    );
  }
  out.push(`views: ${v.verdict}`, '');
  return out;
}

const pctOf = (a: number, b: number) => (b === 0 ? 0 : Math.round(((a - b) / b) * 1000) / 10);

async function quickDemoCommand(flags: CommonOptions & { tpch?: string; sf: string }): Promise<void> {
  const tpch = flags.tpch ?? defaultTpchDir();
  const dataDir = path.join(tpch, `sf${flags.sf}`);
  if (!fs.existsSync(path.join(tpch, 'schema.sql'))) throw new UsageError(`no TPC-H material at ${tpch} (give --tpch DIR)`);
  if (!fs.existsSync(dataDir)) throw new UsageError(`no TPC-H data for --sf ${flags.sf} at ${dataDir}`);
  freshDir(flags.data);
  const json = flags.json === true;
  await withDatabase(flags, async (db: Database) => {
    await db.execute(fs.readFileSync(path.join(tpch, 'schema.sql'), 'utf8'));
    const loaded: { table: string; rows: number }[] = [];
    for (const t of TABLES) {
      const progress = new Progress(`load ${t}`, json);
      const { rows } = await db.load(t, path.join(dataDir, `${t}.tbl.gz`), { delimiter: '|' }, (_n, read, total) => progress.update(read, total));
      progress.done();
      loaded.push({ table: t, rows });
      if (!json) process.stdout.write(`loaded ${t.padEnd(9)} ${rows.toLocaleString('en-US').padStart(9)} rows\n`);
    }
    const results: unknown[] = [];
    for (const q of QUERIES) {
      const rs = await db.execute(fs.readFileSync(path.join(tpch, 'queries', q), 'utf8'));
      const r = rs[rs.length - 1]!;
      if (json) {
        results.push({ query: q, ...(resultJson(r) as object) });
        continue;
      }
      const s = r.stats;
      process.stdout.write(`\n-- ${q}: ${s.elapsedMs.toFixed(1)} ms, ${formatBytes(s.bytesMoved)} moved, ${s.blocksScanned} blocks scanned, ${s.blocksSkipped} skipped\n`);
      process.stdout.write(formatResultTable(r, { maxRows: 10 }) + '\n');
    }
    const info = await db.query('select "table", diststyle, tbl_rows, size_bytes from svv_table_info order by "table"');
    if (json) printJson({ data: db.dir, tables: loaded, queries: results, tableInfo: info.rows() });
    else process.stdout.write('\n' + formatResultTable(info) + '\n');
  });
}
