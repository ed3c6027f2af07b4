/** keel replay TRACE: runs a trace (JSON Lines) and prints what it cost. */
import * as fs from 'node:fs';
import { UsageError } from '../../engine/index.js';
import { replayTrace, type Pace, type ReplayProblem, type ReplaySummary } from '../../workload-log/index.js';
import { formatBytes } from '../../advisor/index.js';
import { formatTable, Progress } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';
import { parsePositive } from './gen.js';

export interface ReplayFlags extends CommonOptions {
  pace: string;
  speed: string;
  concurrency: string;
  stopOnError?: boolean;
}

/** Problems printed as they happen; the rest are only counted. */
const SHOWN_PROBLEMS = 20;

export async function replayCommand(trace: string, flags: ReplayFlags): Promise<void> {
  if (!fs.existsSync(trace) || !fs.statSync(trace).isFile()) throw new UsageError(`${trace}: no such trace file`);
  if (flags.pace !== 'max' && flags.pace !== 'recorded') throw new UsageError(`--pace must be "max" or "recorded", got "${flags.pace}"`);
  const speed = parsePositive('--speed', flags.speed, false);
  const concurrency = parsePositive('--concurrency', flags.concurrency, true);
  if (concurrency > 1024) throw new UsageError(`--concurrency must be at most 1024, got ${concurrency}`);
  const json = flags.json === true;
  let summary: ReplaySummary | undefined;
  await withDatabase(
    flags,
    async (db) => {
      const progress = new Progress('replay', json);
      let shown = 0;
      const onProblem = (p: ReplayProblem) => {
        if (shown++ >= SHOWN_PROBLEMS) return;
        progress.done();
        process.stderr.write(`${trace}:${p.line}: ${p.kind === 'bad-line' ? 'bad line' : 'query failed'}: ${p.code ? `${p.code}: ` : ''}${p.message.split('\n')[0]}\n`);
      };
      summary = await replayTrace(
        db,
        trace,
        {
          pace: flags.pace as Pace,
          speed,
          concurrency,
          stopOnError: flags.stopOnError === true,
          onProblem,
          onProgress: (p) => progress.update(p.bytesRead, p.totalBytes, `${p.done.toLocaleString('en-US')} queries, ${p.errors} errors`),
        },
        fs.statSync(trace).size,
      );
      progress.done();
      const problems = summary.errors + summary.badLines;
      if (problems > SHOWN_PROBLEMS) process.stderr.write(`... ${problems - SHOWN_PROBLEMS} more problems (all are in --json's "problems", up to 1000)\n`);
    },
    undefined,
    'replay',
  );
  if (!summary) return; // the error was reported
  const stop = summary.stopped ? summary.problems[summary.problems.length - 1] : undefined;
  const stopMessage = `replay stopped at the first error (--stop-on-error)${stop ? `: ${trace}:${stop.line}: ${stop.message.split('\n')[0]}` : ''}`;
  // --json: a stopped replay is a failure, so the summary carries the error object every failure has
  if (json) printJson(summary.stopped ? { ...summary, error: { code: stop?.code ?? (stop?.kind === 'bad-line' ? 'BAD_LINE' : 'STOPPED'), message: stopMessage } } : summary);
  else printSummary(summary);
  if (summary.stopped) {
    if (!json) process.stderr.write(stopMessage + '\n');
    process.exitCode = 1;
  }
}

function printSummary(s: ReplaySummary): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows: [string, string | number][] = [
    ['queries', n(s.queries)],
    ['errors', n(s.errors)],
    ['bad lines', n(s.badLines)],
    ['elapsed', `${(s.elapsedMs / 1000).toFixed(2)} s`],
    ['latency p50', `${s.p50Ms.toFixed(1)} ms`],
    ['latency p95', `${s.p95Ms.toFixed(1)} ms`],
    ['latency p99', `${s.p99Ms.toFixed(1)} ms`],
    ['rows returned', n(s.rowsReturned)],
    ['rows moved', n(s.rowsMoved)],
    ['bytes moved', formatBytes(s.bytesMoved)],
    ['blocks scanned', n(s.blocksScanned)],
    ['blocks skipped', n(s.blocksSkipped)],
  ];
  const pace = s.pace === 'recorded' ? `recorded pace x${s.speed}` : 'as fast as possible';
  process.stdout.write(`replayed ${s.trace} (${pace}, concurrency ${s.concurrency})\n`);
  process.stdout.write(formatTable(['', 'value'], rows).split('\n').slice(0, -1).join('\n') + '\n');
}
