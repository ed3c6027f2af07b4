/**
 * `npm run bench:advisor-suite`: does the advisor ever make a workload slower?
 *
 *   node dist/bench/advisor-suite.js [--scale 1] [--queries 300] [--runs 3] [--seed 1] [--only NAME] [--write]
 *
 * Six generated workloads that are not TPC-H (bench/suite/workloads.ts). For
 * each: build it on its initial layout (AUTO, except `already-tuned`) and run
 * its stream once with the workload log on; on one copy of that directory run
 * the advisor and apply everything it proposes, on another apply the layout
 * an expert would write; run the stream on all three, warm and interleaved
 * statement by statement, and compare. Then replay the stream on the advised copy and run the advisor
 * again: a second round that still proposes layout changes means the first
 * one did not settle. Goals are printed PASS/FAIL; the exit status is 0
 * either way. `--write` puts the results into docs/performance.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../index.js';
import { runAdvisor, type Recommendation } from '../advisor/index.js';
import { pairedRatioInterval } from '../workload-log/index.js';
import { flag, REPO } from './args.js';
import { updateSection } from './report.js';
import { adviseAndApply, buildWorkload, measure, replay, type Measurement } from './suite/harness.js';
import { WORKLOADS, workloadByName, type SuiteWorkload } from './suite/workloads.js';

const scale = Number(flag('--scale', '1'));
const queries = Number(flag('--queries', '300'));
const runs = Number(flag('--runs', '3'));
const seed = Number(flag('--seed', '1'));
const only = flag('--only', '');
const write = process.argv.includes('--write');
const progress = (m: string) => {
  if (process.stderr.isTTY) process.stderr.write(`${m}\n`);
};

/** How much slower than before "after" may run and still count as no slower: the noise of a shared 2-core machine. */
/**
 * How much more than before "after" may move and still count as no more: a rewrite deals an EVEN table's rows
 * to slices anew, which changes by a fraction of a percent how many partial-aggregate groups each slice sends.
 * The shadow proof treats counter changes under 2% as unchanged; this is stricter.
 */
const BYTES_NOISE = 0.01;
/** How far above the expert's blocks and bytes "after" may land and still count as as good. */
const EXPERT_SLACK = 0.1;

const LAYOUT_KINDS = new Set(['distkey', 'diststyle', 'sortkey']);
const isLayout = (r: Recommendation) => LAYOUT_KINDS.has(r.kind);

interface TableRow {
  readonly name: string;
  readonly rows: number;
  readonly diststyle: string;
  readonly sortkey: string | null;
}

interface Outcome {
  readonly workload: SuiteWorkload;
  readonly tables: readonly TableRow[];
  /** Per applied group: its DDL and the shadow proof's reason. */
  readonly applied: readonly string[];
  readonly appliedCount: number;
  readonly proposed: number;
  /** Groups the shadow proof refused, with their changes and why. */
  readonly refused: readonly string[];
  readonly before: Measurement;
  readonly after: Measurement;
  readonly expert: Measurement;
  /** Layout changes (distribution, sort key) the advisor still proposes after a second replay on its own layout. */
  readonly secondRound: readonly string[];
  readonly logErrors: number;
  /** The workload's alternative layouts, measured in the same rounds. */
  readonly alternatives: readonly { readonly name: string; readonly ddl: readonly string[]; readonly m: Measurement }[];
  /** Per table with interleaved candidates: the model's best of each style and the shadow's verdict between them. */
  readonly sortStyles: readonly string[];
}

interface Goal {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

const pct = (a: number, b: number) => (a === 0 ? (b === 0 ? '0.0%' : '+inf') : `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const MB = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const count = (n: number) => n.toLocaleString('en-US');

/** After over before, statement by statement (both measured in the same rounds), with its bootstrap 95% interval. */
function timeRatio(o: Outcome): { estimate: number; low: number; high: number } {
  return pairedRatioInterval(o.before.statementMs, o.after.statementMs);
}

const ratioDetail = (r: { estimate: number; low: number; high: number }) => `x${r.estimate.toFixed(3)}, ${r.low.toFixed(3)}-${r.high.toFixed(3)}`;

function goals(o: Outcome): Goal[] {
  const { before, after, expert } = o;
  const nearExpert = (a: number, e: number) => a <= e * (1 + EXPERT_SLACK);
  return [
    // slower beyond noise fails: the paired statements' bootstrap interval of after/before lies wholly above 1
    { name: 'time not slower (95%)', pass: timeRatio(o).low <= 1, detail: ratioDetail(timeRatio(o)) },
    { name: 'blocks <= before', pass: after.blocksScanned <= before.blocksScanned, detail: pct(before.blocksScanned, after.blocksScanned) },
    { name: `bytes <= before (+${BYTES_NOISE * 100}%)`, pass: after.bytesMoved <= before.bytesMoved * (1 + BYTES_NOISE), detail: pct(before.bytesMoved, after.bytesMoved) },
    { name: 'blocks <= expert +10%', pass: nearExpert(after.blocksScanned, expert.blocksScanned), detail: pct(expert.blocksScanned, after.blocksScanned) },
    { name: 'bytes <= expert +10%', pass: nearExpert(after.bytesMoved, expert.bytesMoved), detail: pct(expert.bytesMoved, after.bytesMoved) },
    { name: 'second round: no layout change', pass: o.secondRound.length === 0, detail: `${o.secondRound.length} proposed` },
  ];
}

async function tablesOf(db: Database): Promise<TableRow[]> {
  const rows = (await db.query('select "table", tbl_rows, diststyle, sortkey1 from svv_table_info order by "table"')).rows();
  return rows.map((r) => ({ name: String(r[0]), rows: Number(r[1]), diststyle: String(r[2]), sortkey: r[3] === null ? null : String(r[3]) }));
}

async function withDb<T>(dir: string, log: boolean | { readonly source: string }, f: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(dir, { workloadLog: log });
  try {
    return await f(db);
  } finally {
    db.close();
  }
}

/** The directory each measured layout lives in. */
const COPIES = { before: 'source', after: 'advised', expert: 'expert' } as const;

async function runWorkload(w: SuiteWorkload, work: string): Promise<Outcome> {
  const dir = (name: string) => path.join(work, w.name, name);
  const stream = w.stream(scale, queries, seed);
  progress(`${w.name}: building at scale ${scale}`);
  const db = await buildWorkload(dir('source'), w, scale);
  let logErrors: number;
  try {
    progress(`${w.name}: the ${queries}-query stream, logged`);
    logErrors = (await replay(db, stream)).errors;
  } finally {
    db.close();
  }
  fs.cpSync(dir('source'), dir('advised'), { recursive: true });
  fs.cpSync(dir('source'), dir('expert'), { recursive: true });
  progress(`${w.name}: advisor`);
  // the advisor's own statements (sampling, skew counts, ALTERs) logged as the CLI logs them, with source "advisor", which mining leaves
  // out: logged as the workload's, the second round would mine them as new query shapes on the tables they read
  const { applied, appliedCount, proposed, refused, sortStyles } = await withDb(dir('advised'), { source: 'advisor' }, adviseAndApply);
  const layouts: [string, readonly string[]][] = [['expert', w.expert], ...(w.alternatives ?? []).map((a): [string, readonly string[]] => [`alt-${a.name}`, a.ddl])];
  for (const [copy, ddl] of layouts) {
    if (copy !== 'expert') fs.cpSync(dir('source'), dir(copy), { recursive: true });
    await withDb(dir(copy), true, async (e) => {
      for (const sql of ddl) await e.execute(sql);
    });
  }

  const open: Record<string, Database> = {};
  let m: Record<string, Measurement>;
  let tables: TableRow[];
  const copies: Record<string, string> = { ...COPIES, ...Object.fromEntries((w.alternatives ?? []).map((a) => [`alt-${a.name}`, `alt-${a.name}`])) };
  try {
    for (const [name, copy] of Object.entries(copies)) open[name] = await Database.open(dir(copy), { workloadLog: false });
    tables = await tablesOf(open.before!);
    progress(`${w.name}: measuring ${Object.keys(copies).join(', ')} (${runs} rounds after a warm-up)`);
    m = await measure(open, stream, runs, (i) => progress(`${w.name}:   round ${i}`));
  } finally {
    for (const d of Object.values(open)) d.close();
  }

  progress(`${w.name}: second round on the advised layout`);
  const secondRound = await withDb(dir('advised'), true, async (a) => {
    await replay(a, stream);
    const out = await runAdvisor(a);
    return out.recommendations.filter(isLayout).map((r) => r.ddl);
  });
  fs.rmSync(path.join(work, w.name), { recursive: true, force: true });
  const alternatives = (w.alternatives ?? []).map((a) => ({ ...a, m: m[`alt-${a.name}`]! }));
  return { workload: w, tables, applied, appliedCount, proposed, refused, before: m.before!, after: m.after!, expert: m.expert!, secondRound, logErrors, alternatives, sortStyles };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function workloadReport(o: Outcome): string {
  const { before, after, expert } = o;
  const metric = (name: string, f: (x: Measurement) => number, fmt: (n: number) => string) => [name, fmt(f(before)), fmt(f(after)), fmt(f(expert)), pct(f(before), f(after)), pct(f(expert), f(after))];
  const errors = before.errors + after.errors + expert.errors + o.logErrors;
  return [
    `### ${o.workload.name}`,
    '',
    `${o.workload.description}. Tables: ${o.tables.map((t) => `${t.name} ${count(t.rows)} rows, ${t.diststyle}${t.sortkey ? `, sorted on ${t.sortkey}` : ''}`).join('; ')}.`,
    '',
    `Advisor applied (${o.appliedCount} of ${o.proposed} proposed): ${o.applied.length ? o.applied.join('; ') : 'nothing'}.`,
    ...(o.refused.length ? [`Refused by the shadow proof: ${o.refused.join(' | ')}.`] : []),
    `Expert: ${o.workload.expert.length ? o.workload.expert.map((d) => `\`${d}\``).join(', ') : 'the initial DDL, unchanged'}.`,
    `Second round: ${o.secondRound.length ? o.secondRound.map((d) => `\`${d}\``).join(', ') : 'no layout change proposed'}.${errors ? ` **${errors} statements failed.**` : ''}`,
    '',
    table(
      ['', 'before', 'after', 'expert', 'after vs before', 'after vs expert'],
      [
        metric('stream time (median)', (x) => x.ms, secs),
        metric('blocks scanned', (x) => x.blocksScanned, count),
        metric('rows scanned', (x) => x.rowsScanned, count),
        metric('bytes moved', (x) => x.bytesMoved, MB),
        metric('storage', (x) => x.storageBytes, MB),
      ],
    ),
    '',
    ...(o.alternatives.length
      ? [
          '',
          `Other layouts, measured in the same rounds: ${o.alternatives.map((a) => `*${a.name}* ${a.ddl.map((d) => `\`${d}\``).join(', ')}`).join('; ')}.`,
          '',
          table(
            ['layout', 'stream time (median)', 'blocks scanned', 'rows scanned', 'bytes moved', 'storage'],
            [['after', after] as const, ['expert', expert] as const, ...o.alternatives.map((a) => [a.name, a.m] as const)].map(([name, x]) => [name, secs(x.ms), count(x.blocksScanned), count(x.rowsScanned), MB(x.bytesMoved), MB(x.storageBytes)]),
          ),
        ]
      : []),
    ...(o.sortStyles.length ? ['', ...o.sortStyles.map((l) => `Sort-key styles, ${l}.`)] : []),
    '',
    `Rounds: ${(['before', 'after', 'expert'] as const).map((k) => `${k} ${o[k].rounds.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`).join('; ')}.`,
    '',
    goals(o)
      .map((g) => `${g.pass ? 'PASS' : 'FAIL'} ${g.name} (${g.detail})`)
      .join('; ') + '.',
  ].join('\n');
}

function summary(outcomes: readonly Outcome[]): string {
  const names = goals(outcomes[0]!).map((g) => g.name);
  return table(
    ['workload', ...names],
    outcomes.map((o) => [o.workload.name, ...goals(o).map((g) => `${g.pass ? 'PASS' : '**FAIL**'} (${g.detail})`)]),
  );
}

function overview(outcomes: readonly Outcome[]): string {
  const cells = (o: Outcome, f: (x: Measurement) => number, fmt: (n: number) => string) => [fmt(f(o.before)), fmt(f(o.after)), fmt(f(o.expert))];
  return table(
    ['workload', 'time before', 'after', 'expert', 'blocks before', 'after', 'expert', 'bytes before', 'after', 'expert', 'storage before', 'after', 'expert'],
    outcomes.map((o) => [
      o.workload.name,
      ...cells(o, (x) => x.ms, secs),
      ...cells(o, (x) => x.blocksScanned, count),
      ...cells(o, (x) => x.bytesMoved, MB),
      ...cells(o, (x) => x.storageBytes, MB),
    ]),
  );
}

const selected = only ? [workloadByName(only)] : WORKLOADS;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-advisor-suite-'));
const loadAtStart = os.loadavg()[0]!;
const outcomes: Outcome[] = [];
try {
  for (const w of selected) outcomes.push(await runWorkload(w, work));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
const loadAtEnd = os.loadavg()[0]!;

const args = `--scale ${scale} --queries ${queries} --runs ${runs} --seed ${seed}${only ? ` --only ${only}` : ''}`;
const head = [
  `Command: \`npm run bench:advisor-suite -- ${args}\` (\`node dist/bench/advisor-suite.js ${args} --write\`), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}, 4 slices, in-process. Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end.`,
  '',
  `Each workload (bench/suite/workloads.ts) is built on its initial layout (AUTO, except already-tuned, whose DDL sets its keys) and its ${queries}-query stream (seed ${seed}) run once with the workload log on. *after* is a copy on which the advisor ran and every recommendation it proposed was applied; *expert* a copy with the hand-written layout. The stream then ran on the three, warm (one replay each first), ${runs} rounds interleaved statement by statement in a rotating order: time is the median round, blocks, rows and bytes are the engine's counters (the same in every round). Rows scanned are there because a rewrite merges the small blocks that many small appends leave into full ones: fewer blocks, each of more rows. Storage is svv_table_info's size_bytes (an ALL table once per copy). The second round replays the stream on *after* and runs the advisor again. Goals: time not slower than before beyond noise (after over before, each statement's median time over the rounds paired with its own on the other layout, a bootstrap 95% interval over the statements: fails when the whole interval lies above 1), blocks no more than before, bytes no more than ${BYTES_NOISE * 100}% above before (a rewrite deals an EVEN table's rows to the slices anew, which changes how many partial-aggregate groups each slice sends by a fraction of a percent), blocks and bytes no more than ${EXPERT_SLACK * 100}% above the expert's, no layout change in the second round.`,
].join('\n');
const body = [head, '', overview(outcomes), '', summary(outcomes), '', ...outcomes.flatMap((o) => [workloadReport(o), ''])].join('\n');
process.stdout.write(`${body}\n`);
if (write) updateSection(path.join(REPO, 'docs', 'performance.md'), 'Advisor on unseen workloads', body);
