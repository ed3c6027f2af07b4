/**
 * Fuzzing at scale (npm run build, then node dist/bench/fuzz.js): every input
 * kind keel reads, thrown at it many times (bench/fuzz/: SQL, CSV, Arrow,
 * Parquet, trace lines, Redshift query histories, segment files, catalogs),
 * each input ending in a result or a KeelError with its code; reports inputs
 * per kind, errors by code and failures (crashes, wrong answers, hangs) with
 * the smallest input found for each. --write puts the report into
 * docs/performance.md ("Fuzzing").
 *
 *   node dist/bench/fuzz.js [--sql 20000] [--csv 5000] [--segment 1000] ... [--seed 1] [--timeout 15000] [--only sql,csv] [--write]
 *
 * Each kind runs in a child process, inputs numbered from 0: input i of a
 * kind is made from the seed and i alone, so any failure can be made again
 * (KEEL_FUZZ_SEED, or --seed here). A child's watchdog kills it when one
 * input keeps it busy past twice the time limit; the parent records the hang
 * with its input and starts a new child after it. A child that dies any other
 * way (out of memory, a native crash) is a crash of the input it was on.
 */
import { fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCampaign } from './fuzz/campaign.js';
import { Tally, type Outcome } from './fuzz/outcome.js';
import { DESCRIPTIONS, TARGETS } from './fuzz/targets.js';
import { HANG_MARK, Watchdog } from './fuzz/watchdog.js';
import { flag, REPO } from './args.js';
import { updateSection } from './report.js';

const here = fileURLToPath(import.meta.url);

/** Inputs per kind by default: what the issue asks for, and as many of the rest as run in minutes. */
const DEFAULTS: Readonly<Record<string, number>> = {
  sql: 20_000,
  'sql-tlp': 2_000,
  'sql-oracle': 3_000,
  csv: 5_000,
  arrow: 1_000,
  parquet: 1_000,
  trace: 1_000,
  'log-import': 1_000,
  segment: 1_000,
  'segment-forged': 1_000,
  catalog: 2_000,
};

interface InputReport {
  readonly i: number;
  readonly outcome: Outcome;
  readonly shown: string | null;
  readonly checked: boolean;
  readonly codes: readonly string[];
}

// ------------------------------------------------------------------ child

async function child(kind: string, seed: number, from: number, to: number, timeoutMs: number): Promise<void> {
  const target = TARGETS.find((t) => t.kind === kind)!;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `keel-fuzz-${kind}-`));
  const watchdog = new Watchdog(timeoutMs * 2);
  try {
    await runCampaign(target, {
      seed,
      from,
      to,
      work,
      timeoutMs,
      watchdog,
      minimizeBudget: 400,
      onInput: (i, outcome, shown, checked, codes) => {
        const report: InputReport = { i, outcome, shown: outcome.kind === 'ok' || outcome.kind === 'error' ? null : shown, checked, codes };
        process.send!(report);
      },
    });
  } finally {
    await watchdog.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ parent

/** Runs inputs [0, count) of a kind in children, a new child after each one that dies. */
async function campaign(kind: string, count: number, seed: number, timeoutMs: number): Promise<Tally> {
  const tally = new Tally(kind);
  const started = performance.now();
  let next = 0;
  let lastLog = 0;
  while (next < count) {
    const from = next;
    const { died, hang } = await new Promise<{ died: string | null; hang: { input: string; ms: number } | null }>((resolve) => {
      const c = fork(here, ['--child', kind, String(seed), String(from), String(count), String(timeoutMs)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      c.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
        if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
      });
      c.on('message', (m: InputReport) => {
        tally.add(m.outcome, m.i, m.shown ?? '', m.checked, m.codes);
        next = m.i + 1;
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          process.stderr.write(`  ${kind}: ${next.toLocaleString('en-US')} of ${count.toLocaleString('en-US')}, ${tally.failureCount} failures\n`);
        }
      });
      c.on('exit', (code, signal) => {
        const mark = stderr.split('\n').find((l) => l.startsWith(HANG_MARK));
        const h = mark ? (JSON.parse(mark.slice(HANG_MARK.length)) as { ms: number; input: string }) : null;
        resolve({ died: code === 0 ? null : `exit ${code ?? signal}: ${stderr.split('\n').filter((l) => l.trim()).slice(-5).join(' | ').slice(0, 600)}`, hang: h });
      });
    });
    if (died === null) break;
    // the child died on input `next`: a hang its watchdog caught, or a crash of the process
    const outcome: Outcome = hang ? { kind: 'hang', ms: hang.ms } : { kind: 'crash', error: `the process died: ${died}`, signature: `process died: ${died.slice(0, 80)}` };
    tally.add(outcome, next, hang?.input ?? `${kind} input #${next} (seed ${seed})`);
    next++;
  }
  tally.elapsedMs = performance.now() - started;
  return tally;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Which code was measured: "at <commit>, <date>", and whether the working tree had changes of its own. */
function treeText(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout.trim();
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  const date = new Date().toISOString().slice(0, 10);
  return head ? `at ${head}${dirty ? ' with uncommitted changes' : ''}, ${date}` : `on ${date}`;
}

function reportText(tallies: readonly Tally[], seed: number, timeoutMs: number): string {
  const lines: string[] = [];
  const total = tallies.reduce((a, t) => a + t.inputs, 0);
  const failures = tallies.reduce((a, t) => a + t.failureCount, 0);
  lines.push(
    `\`${['node dist/bench/fuzz.js', ...process.argv.slice(2)].join(' ')}\` (bench/fuzz/, seed ${seed}, ${timeoutMs / 1000} s per input) ${treeText()}: ${n(total)} inputs, ` +
      `**${n(failures)} ${failures === 1 ? 'failure' : 'failures'}** (a crash: a thrown value that is not a KeelError; a wrong answer; a hang). ` +
      'Every other input ended in a result or a KeelError with its stable code. ' +
      'The same targets run in CI with a fixed seed and a few hundred inputs each (test/fuzz/*.test.ts; KEEL_FUZZ_RUNS and KEEL_FUZZ_SEED run more).',
    '',
    '| input | what is thrown | inputs | results | checked | typed errors | failures | time |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const t of tallies) {
    const errors = [...t.errors.values()].reduce((a, b) => a + b, 0);
    lines.push(`| ${t.kind} | ${DESCRIPTIONS[t.kind] ?? ''} | ${n(t.inputs)} | ${n(t.ok)} | ${n(t.checked)} | ${n(errors)} | ${n(t.failureCount)} | ${(t.elapsedMs / 1000).toFixed(0)} s |`);
  }
  lines.push('', '"checked": results compared with something independent (DuckDB, the partition identity, the values a generated file holds, the undamaged answer).', '');
  const codes = [...new Set(tallies.flatMap((t) => [...t.errors.keys(), ...t.inner.keys()]))].sort();
  lines.push(
    'Typed errors by code (an input that ended in one; for traces, the replayed queries that failed, the replay itself ending well, and BAD_LINE for a line that is no trace line):',
    '',
    '| code | count | of which |',
    '|---|---:|---|',
  );
  for (const c of codes) {
    const by = [
      ...tallies.filter((t) => t.errors.has(c)).map((t) => `${t.kind} ${n(t.errors.get(c)!)}`),
      ...tallies.filter((t) => t.inner.has(c)).map((t) => `${t.kind} queries ${n(t.inner.get(c)!)}`),
    ];
    lines.push(`| \`${c}\` | ${n(tallies.reduce((a, t) => a + (t.errors.get(c) ?? 0) + (t.inner.get(c) ?? 0), 0))} | ${by.join(', ')} |`);
  }
  const groups = tallies.flatMap((t) => [...t.failures.values()]);
  lines.push('');
  if (groups.length === 0) lines.push('No crashes, no wrong answers, no hangs.');
  else {
    lines.push('Failures (the smallest input found for each):', '');
    for (const g of groups) lines.push(`- ${g.kind}: ${g.signature} (${n(g.count)} inputs, first #${g.first}): ${g.detail.split('\n')[0]}`, '', '  ```', ...g.input.split('\n').map((l) => `  ${l}`), '  ```');
  }
  lines.push('', ...FOUND);
  return lines.join('\n');
}

/** What the fuzzers found while they were written, and where each is fixed (each has a regression test in test/fuzz/regressions.test.ts). */
const FOUND = [
  'Found by these fuzzers and fixed, each with its smallest input as a regression test (test/fuzz/regressions.test.ts):',
  '',
  '- **Wrong answer** (DuckDB oracle): `3 NOT IN (SELECT x ...)`, a constant on the left, ignored a NULL in the subquery and kept every row instead of none: the planner filtered the subquery by `3 = x`, which drops its NULLs. A constant against the inner side is now the null-aware anti join\'s key (engine/plan/rules/outer-join.ts, planOuterJoin).',
  '- **Wrong answer** (TLP): a condition over an aggregate without GROUP BY went below it: `select * from (select max(a) from t) x where false` returned the row, since a constant condition names no group column. Without GROUP BY nothing moves below the aggregate now (engine/plan/rules/filter-pushdown.ts, pushFilter).',
  '- **Wrong answer** (DuckDB oracle): `NOT (x IN (NULL, 10))` was TRUE where x is not 10, in a filter over rows without NULLs: the NULL-free fast path took the IN for a plain boolean and dropped the NULL in the list (engine/exec/compile.ts, directBool).',
  '- **Wrong answer** (DuckDB oracle): a CASE (COALESCE, NVL2, DECODE, GREATEST, LEAST) of INTEGER and BIGINT values took the type of its first value, so an INTEGER first branch wrapped the BIGINT values to 32 bits (-78201000000 came out as -891588672). The values now all take the common type (engine/plan/bind-expr.ts, unify).',
  '- **Wrong answer, crash**: date and timestamp arithmetic past what a date can hold (`date \'2019-08-06\' + interval \'1000000 years\'`, `d + 2000000000`, `add_months(d, 100000000)`) gave `0NaN-NaN-NaN`, or 1970-01-01 through a cast or LAST_DAY, and a RangeError turning the result into Arrow. Now `OVERFLOW` (engine/exec/compile.ts, rangeCheck for DATE and TIMESTAMP; ADD_MONTHS and interval additions checked).',
  '- **Crash**: `repeat(\'a\', h)` with a large h was `RangeError: Invalid string length`; REPEAT, LPAD and RPAD past 65,535 characters are now `INVALID_VALUE`, as LISTAGG is (engine/exec/runtime.ts).',
  '- **Crash**: `right(\'\', -1)` generated the code `--1`, a SyntaxError: negative constants are parenthesized in generated code (engine/exec/compile.ts, numberLiteral).',
  '- **Hang**: loading an Arrow IPC file with one byte missing near its start never ended (apache-arrow\'s reader re-read the same 4 bytes forever). A load\'s reads are now bounded by the file\'s size: `LOAD_FORMAT` naming the file (engine/load/arrow-ipc.ts, guardReads).',
  '- **Crash (the process)**: a Parquet file with one bit flipped in a page header (a page of 41 values in a column chunk of 9) made hyparquet build an array V8 cannot hold: "Fatal JavaScript invalid size error", the process gone. keel now checks each row group\'s row count and each column chunk\'s page headers (inside the chunk, value counts within the chunk\'s, at most 100,000,000) before hyparquet reads them: `LOAD_FORMAT` (engine/load/parquet.ts, checkRowGroup, checkPages).',
  '- **Crash (the process)**: an Arrow IPC stream with two bytes missing in its schema made apache-arrow build fields without end: JavaScript heap out of memory. The built engine now reads Parquet and Arrow files in a worker thread with a heap of its own (32 times the file, at least 256 MB, kept for the next file): a reader that runs out ends the worker, and the load fails `LOAD_FORMAT` naming the file (engine/load/sandbox.ts, load-worker.ts). A schema or record batch that decodes damaged (fields without names, missing columns) is `LOAD_FORMAT` too, where it was a TypeError (engine/load/arrow-ipc.ts).',
  '- **Crash**: a segment footer whose content is wrong under a checksum that matches (written wrong, or edited with the checksum recomputed) reached the readers: TypeError, RangeError (negative lengths, NaN positions), "unknown encoding". Footers are now validated when a segment is opened (blocks inside the file, known encodings, equal block groups, NULL counts and bitmaps, rows adding up, the placement\'s fields): `CORRUPT` naming the file (engine/storage/segment.ts, validateFooter); a block whose encoding cannot hold its column\'s values (FOR on strings) is `CORRUPT` where it was "Error: FOR does not decode strings", and a decoder\'s `CORRUPT` names file, column and block.',
  '- **Lost record**: `keel log import` of a row whose `returned_rows` is `1e309` wrote a record with an infinite row count, which JSON cannot hold, so the log skipped it on every read. A count that is not a count is now 0 (workload-log/redshift.ts).',
];

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const [kind, seed, from, to, timeout] = process.argv.slice(childAt + 1);
    await child(kind!, Number(seed), Number(from), Number(to), Number(timeout));
    process.exit(0);
  }
  const seed = Number(flag('--seed', '1'));
  const timeoutMs = Number(flag('--timeout', '15000'));
  const only = flag('--only', '');
  const kinds = TARGETS.map((t) => t.kind).filter((k) => !only || only.split(',').includes(k));
  const tallies: Tally[] = [];
  for (const kind of kinds) {
    const count = Number(flag(`--${kind}`, String(DEFAULTS[kind] ?? 1000)));
    if (!(count > 0)) continue;
    process.stderr.write(`${kind}: ${n(count)} inputs\n`);
    const t = await campaign(kind, count, seed, timeoutMs);
    tallies.push(t);
    process.stderr.write(`${kind}: ${n(t.inputs)} inputs, ${n(t.ok)} results, ${n(t.failureCount)} failures, ${(t.elapsedMs / 1000).toFixed(0)} s\n`);
    for (const g of t.failures.values()) process.stderr.write(`  FAIL ${g.signature} x${g.count}: ${g.detail.split('\n')[0]}\n    ${g.input.replace(/\n/g, '\n    ')}\n`);
  }
  const text = reportText(tallies, seed, timeoutMs);
  process.stdout.write(text + '\n');
  fs.writeFileSync(path.join(os.tmpdir(), 'keel-fuzz-report.json'), JSON.stringify(tallies.map((t) => t.toJSON()), null, 1));
  if (process.argv.includes('--write')) updateSection(path.join(REPO, 'docs', 'performance.md'), 'Fuzzing', text);
  if (tallies.some((t) => t.failures.size > 0)) process.exitCode = 1;
}

await main();
