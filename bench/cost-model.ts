/**
 * `npm run bench:cost-model`: how well the cost model predicts query time.
 * Loads TPC-H (SF 0.1 from ../shared/tpch), runs a seeded stream of the
 * workload generator with the workload log on, fits the linear and log-linear
 * models on 75% of the logged queries and scores them on the held-out 25%
 * (R² of ms and median absolute percentage error), over several random
 * splits. `--write` puts the section into docs/performance.md.
 *
 *   node dist/bench/cost-model.js [--queries 300] [--splits 5] [--write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, loadWorkload, tpchWorkload } from '../index.js';
import { evaluateCostModel, fitCostModel, holdOut, queryFeatures, FEATURES, type ModelKind } from '../advisor/index.js';
import { flag, REPO, TPCH_DIR, TPCH_TABLES } from './args.js';
import { updateSection } from './report.js';

const queries = Number(flag('--queries', '300'));
const splits = Number(flag('--splits', '5'));
const write = process.argv.includes('--write');
const progress = (m: string) => {
  if (process.stderr.isTTY) process.stderr.write(`${m}\n`);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bench-cost-'));
  try {
    const db = await Database.open(work, { workloadLog: false });
    await db.execute(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'));
    for (const t of TPCH_TABLES) {
      progress(`loading ${t}...`);
      await db.load(t, path.join(TPCH_DIR, 'sf0.1', `${t}.tbl.gz`), { delimiter: '|' });
    }
    db.close();
    const logged = await Database.open(work);
    let k = 0;
    for (const line of tpchWorkload({ queries, seed: 1, sf: 0.1 })) {
      if (++k % 25 === 0) progress(`query ${k} of ${queries}...`);
      await logged.execute(line.sql);
    }
    const catalog = logged.catalog();
    logged.close();

    const data = queryFeatures(loadWorkload(work), catalog);
    const rows: string[] = [];
    const summary: Record<ModelKind, { r2: number; ape: number }> = { linear: { r2: 0, ape: 0 }, loglinear: { r2: 0, ape: 0 } };
    for (const kind of ['linear', 'loglinear'] as const) {
      const evals = Array.from({ length: splits }, (_, s) => evaluateCostModel(data, kind, 0.25, s + 1));
      const r2 = evals.map((e) => e.r2);
      const ape = evals.map((e) => e.medianApe);
      summary[kind] = { r2: median(r2), ape: median(ape) };
      rows.push(
        `| ${kind} | ${evals[0]!.train} / ${evals[0]!.test} | ${median(r2).toFixed(3)} (${Math.min(...r2).toFixed(3)} – ${Math.max(...r2).toFixed(3)}) | ` +
          `${(median(ape) * 100).toFixed(1)}% (${(Math.min(...ape) * 100).toFixed(1)} – ${(Math.max(...ape) * 100).toFixed(1)}%) |`,
      );
    }
    // the noise floor: each held-out query predicted by the median time of its own fingerprint in the training share
    const floor = Array.from({ length: splits }, (_, s) => {
      const { train, test } = holdOut(data.y.length, 0.25, s + 1);
      const byFp = new Map<string, number[]>();
      for (const i of train) {
        const l = byFp.get(data.fingerprints[i]!) ?? [];
        l.push(data.y[i]!);
        byFp.set(data.fingerprints[i]!, l);
      }
      const ape = test.filter((i) => byFp.has(data.fingerprints[i]!) && data.y[i]! > 0).map((i) => Math.abs(median(byFp.get(data.fingerprints[i]!)!) - data.y[i]!) / data.y[i]!);
      return ape.length ? median(ape) : NaN;
    });
    const all = fitCostModel(data, 'linear');
    const unit: Record<string, string> = { blocksScanned: 'ms per block', rowsScanned: 'ms per row', bytesScanned: 'ms per byte', rowsJoined: 'ms per row', rowsMoved: 'ms per row', bytesMoved: 'ms per byte', joins: 'ms per join', scans: 'ms per scan', rowsReturned: 'ms per row', rowsFiltered: 'ms per row' };
    const body = [
      `Command: \`npm run bench:cost-model\` (TPC-H SF 0.1 from ../shared/tpch, AUTO layouts, ${queries} queries of \`keel gen workload tpch\`'s mix (seed 1), ` +
        `${data.y.length} of them with scans used; ${splits} random 75/25 splits; ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} when it finished; ${new Date().toISOString().slice(0, 10)}).`,
      '',
      'Held-out accuracy (median over the splits, range in brackets):',
      '',
      '| model | train / test queries | R² of ms | median absolute % error |',
      '|---|---|---|---|',
      ...rows,
      '',
      `Durations are wall-clock times on a shared ${os.cpus().length}-core machine, so part of the error is noise no model can explain: predicting each held-out query by the median time of the *same fingerprint* in the training share ` +
        `(which knows the query exactly) is off by ${(median(floor) * 100).toFixed(1)}% (median over the splits); the same TPC-H template with other parameters ran 3-30x apart here.`,
      `The advisor states benefits with the linear model (its weights are marginal costs); the log-linear one is the better predictor ` +
        `${summary.loglinear.ape < summary.linear.ape ? 'here' : 'on workloads spanning orders of magnitude, not here'}.`,
      '',
      'Linear weights fitted on all the queries (0 = left out: never varied, or fitted negative):',
      '',
      '| feature | weight |',
      '|---|---|',
      ...FEATURES.map((f) => `| ${f} | ${all.weights[f].toPrecision(3)} ${unit[f]} |`),
      `| intercept | ${all.intercept.toFixed(2)} ms |`,
    ].join('\n');
    process.stdout.write(body + '\n');
    if (write) updateSection(path.join(REPO, 'docs', 'performance.md'), 'Cost model', body);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
