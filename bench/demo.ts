/**
 * `npm run bench:demo`: `keel demo` (the autonomics loop end to end on
 * TPC-H) run several times, each in a fresh directory, and the median of
 * every measure: workload time, bytes moved, blocks scanned and storage
 * before and after the advisor's changes, and the whole demo's wall time
 * (which must stay under 3 minutes at SF 0.1 on 2 cores). The machine's load
 * average is recorded with the figures since the machine may be shared.
 * `--write` puts the table into docs/performance.md.
 *
 *   node dist/bench/demo.js [--sf 0.1] [--runs 3] [--queries 200] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioText, runDemo, type DemoReport } from '../advisor/autonomics/index.js';
import { formatBytes } from '../advisor/index.js';
import { updateSection } from './report.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const sf = Number(opt('--sf', '0.1'));
const runs = Number(opt('--runs', '3'));
const queries = Number(opt('--queries', '200'));
const write = args.includes('--write');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const loadBefore = os.loadavg();
const reports: DemoReport[] = [];
for (let i = 0; i < runs; i++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-demo-'));
  try {
    const r = await runDemo(path.join(dir, 'data'), { sf, queries });
    reports.push(r);
    process.stderr.write(`run ${i + 1}/${runs}: ${(r.elapsedMs / 1000).toFixed(1)} s, bytes moved ${r.changePercent.bytesMoved}%, time ${ratioText(r.timeRatio)}${r.reverted ? ' (all reverted)' : ''}; views ${r.views.created.length}: ${r.views.verdict}, load ${os.loadavg()[0]!.toFixed(2)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const loadAfter = os.loadavg();

const m = (f: (r: DemoReport) => number) => median(reports.map(f));
const pct = (a: number, b: number) => `${a - b > 0 ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
const rows: [string, number, number, (x: number) => string][] = [
  ['workload time (replay of the stream)', m((r) => r.before.workloadMs), m((r) => r.after.workloadMs), (x) => `${(x / 1000).toFixed(1)} s`],
  ['bytes moved', m((r) => r.before.bytesMoved), m((r) => r.after.bytesMoved), formatBytes],
  ['blocks scanned', m((r) => r.before.blocksScanned), m((r) => r.after.blocksScanned), (x) => x.toLocaleString('en-US')],
  ['storage', m((r) => r.before.storageBytes), m((r) => r.after.storageBytes), formatBytes],
];
const changes = new Map<string, { ddl: string; verdicts: string[] }>();
for (const r of reports) {
  for (const c of r.changes) {
    const e = changes.get(c.ddl) ?? { ddl: c.ddl, verdicts: [] };
    e.verdicts.push(`${c.verdict ?? '-'}/${c.status}`);
    changes.set(c.ddl, e);
  }
}
const body = [
  `\`keel demo\` at SF ${sf}: TPC-H generated on the default (AUTO) layout, a ${queries}-query stream (seed 1) replayed, the advisor run, its changes applied online, then the stream replayed on the tuned layout and on a copy of the default one side by side (each statement on both back to back; one warm-up and ${reports[0]?.rounds ?? 3} measured rounds), and each change verified. Median of ${runs} runs, each in a fresh directory; time per side is the median of its rounds.`,
  '',
  '```sh',
  'npm run build',
  `node dist/bench/demo.js --sf ${sf} --runs ${runs} --queries ${queries} --write`,
  '```',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores, load average ${loadBefore[0]!.toFixed(1)} at the start and ${loadAfter[0]!.toFixed(1)} at the end (the machine is shared: times are inflated by the load, but both sides alike, since they run side by side; the counters are exact).`,
  '',
  '| measure | before | after | change |',
  '|---|---:|---:|---:|',
  ...rows.map(([name, b, a, f]) => `| ${name} | ${f(b)} | ${f(a)} | ${pct(a, b)} |`),
  '',
  `Time ratio, tuned over default, per run (bootstrap 95% interval over the statements): ${reports.map((r) => ratioText(r.timeRatio)).join('; ')}.${reports.some((r) => r.reverted) ? ` Runs where the stream measured slower and every change went back: ${reports.filter((r) => r.reverted).length}.` : ''}`,
  '',
  `Whole demo (generate, warm-up replay, replay, advise, copy, apply, paired replay, verify, views, paired replay of the views): median ${(m((r) => r.elapsedMs) / 1000).toFixed(1)} s, slowest ${(Math.max(...reports.map((r) => r.elapsedMs)) / 1000).toFixed(1)} s. Phases (median): ${(['generate', 'warm-up', 'replay-before', 'advise', 'copy', 'apply', 'replay', 'verify', 'views', 'replay-views'] as const).map((p) => `${p} ${(m((r) => r.timings[p] ?? 0) / 1000).toFixed(1)} s`).join(', ')}.`,
  '',
  `Automatic views, made from the same mined stream on the tuned layout, then the stream replayed on the tuned layout without them (rewriting off) and with them side by side, as above: ${reports.map((r, i) => `run ${i + 1}: ${r.views.created.length} view${r.views.created.length === 1 ? '' : 's'}${r.views.after && r.views.before ? `, ${(r.views.before.workloadMs / 1000).toFixed(1)} s without and ${(r.views.after.workloadMs / 1000).toFixed(1)} s with, ${r.views.hits} queries read a view` : ''}; ${r.views.verdict}`).join('. ')}.`,
  ...[...new Set(reports.flatMap((r) => r.views.created.map((c) => c.sql)))].map((sql) => `- \`${sql}\``),
  '',
  'Changes applied, with the verification verdict and final status of each run:',
  '',
  ...[...changes.values()].map((c) => `- \`${c.ddl}\`: ${c.verdicts.join(', ')}`),
].join('\n');
process.stdout.write(body + '\n');
if (write) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  updateSection(path.join(root, 'docs', 'performance.md'), 'Autonomics demo', body);
}
