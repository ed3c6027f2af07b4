/**
 * `npm run bench:advisor`: the distribution-key solvers on generated join
 * graphs (star, snowflake, chain, dense, real-world-like; 10 to 1,000
 * tables; seeded) and on TPC-H's graph. For each: the heuristic's objective
 * and time, greedy heaviest-edge-first's, and the exact solver's (branch and
 * bound after exact elimination, with a time budget) with its lower bound.
 * `--write` puts the table into docs/performance.md.
 *
 *   node dist/bench/advisor.js [--write] [--exact-budget MS] [--quick]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGraph, tpchGraph, TPCH_HAND_LAYOUTS, type GraphShape } from '../advisor/synthetic.js';
import { buildModel, choiceText, greedyHeaviestEdge, layoutCost, parseChoice, solve, type Choice } from '../advisor/index.js';
import type { JoinGraph } from '../advisor/index.js';
import { updateSection } from './report.js';

interface Case {
  name: string;
  graph: () => JoinGraph;
}

const args = process.argv.slice(2);
const write = args.includes('--write');
const quick = args.includes('--quick');
const budgetArg = args.indexOf('--exact-budget');
const exactBudget = budgetArg >= 0 ? Number(args[budgetArg + 1]) : 20_000;

const cases: Case[] = [];
const gen = (shape: GraphShape, tables: number, seed: number, edges?: number) =>
  cases.push({
    name: `${shape} ${tables}${edges ? `/${edges}` : ''} s${seed}`,
    graph: () => generateGraph({ shape, tables, seed, ...(edges ? { edges } : {}) }),
  });
const seeds = quick ? [1] : [1, 2, 3];
for (const s of seeds) {
  for (const n of [10, 100, 1000]) gen('star', n, s);
  for (const n of [10, 100, 1000]) gen('snowflake', n, s);
  for (const n of [10, 100, 1000]) gen('chain', n, s);
  for (const n of [10, 20, 30]) gen('dense', n, s);
  for (const n of [10, 30, 100, 300, 1000]) gen('realistic', n, s);
}
gen('dense', 100, 1, 1000);
gen('realistic', 1000, 1, 10_000);
gen('dense', 1000, 1, 10_000);
cases.push({ name: 'TPC-H SF 1, 200 queries', graph: () => tpchGraph({ sf: 1, queries: 200 }) });

interface Row {
  name: string;
  tables: number;
  edges: number;
  kernel: number;
  heuristic: number;
  heuristicMs: number;
  /** Until the heuristic's answer was reached (it then searched on to its budget without improving). */
  heuristicConvergedMs: number;
  greedy: number;
  exact: number | null;
  exactMs: number;
  /** Until the proof (optimal) or the best answer found. */
  exactConvergedMs: number;
  exactOptimal: boolean;
  lowerBound: number;
}

const rows: Row[] = [];
for (const c of cases) {
  const t0 = performance.now();
  const graph = c.graph();
  const buildMs = performance.now() - t0;
  const model = buildModel(graph);
  const p = model.problem;
  const greedyX = greedyHeaviestEdge(p, model.edges);
  const h = solve(p, { method: 'heuristic', budgetMs: 500, starts: [greedyX] });
  const e = solve(p, { method: 'exact', budgetMs: exactBudget, starts: [greedyX] });
  const greedy = layoutCost(graph, new Map(model.tables.map((t, i) => [t, model.labels[i]![greedyX[i]!]!] as const))).total;
  const row: Row = {
    name: c.name,
    tables: graph.order,
    edges: graph.size,
    kernel: h.stats.kernelVertices,
    heuristic: h.objective,
    heuristicMs: h.ms,
    heuristicConvergedMs: h.convergedMs,
    greedy,
    exact: e.objective,
    exactMs: e.ms,
    exactConvergedMs: e.convergedMs,
    exactOptimal: e.optimal,
    lowerBound: Math.max(e.lowerBound, h.lowerBound),
  };
  rows.push(row);
  const gap = row.exactOptimal ? (row.heuristic - row.exact!) / Math.max(1e-9, row.exact!) : null;
  process.stderr.write(
    `${c.name.padEnd(28)} ${String(row.tables).padStart(5)} tables ${String(row.edges).padStart(6)} edges  build ${buildMs.toFixed(0)} ms  ` +
      `heuristic ${row.heuristicConvergedMs.toFixed(0)} ms to its answer (ran ${row.heuristicMs.toFixed(0)})  exact ${row.exactOptimal ? 'optimal' : 'stopped'} ${row.exactMs.toFixed(0)} ms  ` +
      `gap ${gap === null ? '-' : (gap * 100).toFixed(3) + '%'}  greedy +${(((row.greedy - row.heuristic) / Math.max(1, row.heuristic)) * 100).toFixed(1)}%\n`,
  );
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const fmt = (x: number) => (x >= 1e12 ? `${(x / 1e12).toFixed(2)} T` : x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));
const lines = [
  '| graph | tables | edges | kernel | heuristic objective | vs exact optimum | heuristic ms to its answer | exact | exact ms to proof or answer | lower-bound gap | greedy vs heuristic |',
  '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
];
for (const r of rows) {
  const vsExact = r.exactOptimal ? pct((r.heuristic - r.exact!) / Math.max(1e-9, r.exact!)) : '-';
  const lbGap = r.heuristic > 0 ? pct(Math.max(0, (Math.min(r.heuristic, r.exact ?? Infinity) - r.lowerBound) / r.heuristic)) : '0.00%';
  lines.push(
    `| ${r.name} | ${r.tables} | ${r.edges} | ${r.kernel} | ${fmt(r.heuristic)} | ${vsExact} | ${r.heuristicConvergedMs.toFixed(0)} | ${r.exactOptimal ? 'optimal' : 'budget'} | ${r.exactConvergedMs.toFixed(0)} | ${r.exactOptimal ? '0' : lbGap} | +${pct((r.greedy - r.heuristic) / Math.max(1, r.heuristic))} |`,
  );
}
const solved = rows.filter((r) => r.exactOptimal);
const worst = solved.reduce((w, r) => Math.max(w, (r.heuristic - r.exact!) / Math.max(1e-9, r.exact!)), 0);
const big = rows.filter((r) => r.tables >= 1000 && r.edges >= 9_000);

// TPC-H: the chosen layout against the documented hand-written ones
const tg = tpchGraph({ sf: 1, queries: 200 });
const tm = buildModel(tg);
const ts = solve(tm.problem, { method: 'auto', budgetMs: 5000 });
const chosen = new Map(tm.tables.map((t, i) => [t, tm.labels[i]![ts.x[i]!]!] as const));
const describe = (l: ReadonlyMap<string, Choice>) =>
  [...l].map(([t, c]) => `${t} ${c.kind === 'key' ? `KEY(${c.column})` : c.kind.toUpperCase()}`).join(', ');
const tpchLines = [`| layout | objective (bytes moved + ALL's cost, 200 queries at SF 1) |`, '|---|---:|'];
tpchLines.push(`| advisor (${ts.optimal ? 'optimal' : 'best found'}): ${describe(chosen)} | ${fmt(layoutCost(tg, chosen).total)} |`);
for (const [name, spec] of Object.entries(TPCH_HAND_LAYOUTS)) {
  const l = new Map(Object.entries(spec).map(([t, c]) => [t, parseChoice(c)] as const));
  tpchLines.push(`| ${name}: ${describe(l)} | ${fmt(layoutCost(tg, l).total)} |`);
}
const even = new Map(tg.nodes().map((t) => [t, { kind: 'even' } as Choice] as const));
tpchLines.push(`| all EVEN | ${fmt(layoutCost(tg, even).total)} |`);
tpchLines.push('', `These are the join graph's objectives (the graph alone gives orders ${choiceText(chosen.get('orders') ?? { kind: 'even' })}); on a database, \`keel advisor run\` then re-plans the workload's query shapes under candidate layouts (docs/advisor.md, *What-if refinement*), which can change that: *Advisor end to end* below measures the outcome.`);

const body = [
  'The distribution-key solvers (advisor/distkey, docs/advisor.md) on seeded generated join graphs and on TPC-H\'s.',
  '"heuristic" is elimination plus local search with star moves and iterated kicks (500 ms budget; its time is until it reached the answer it returns, after which it searched on to the budget without improving);',
  `"exact" is elimination plus branch and bound (${(exactBudget / 1000).toFixed(0)} s budget), "optimal" when it proved it;`,
  '"kernel" counts the tables left after exact elimination of tables with at most two neighbours;',
  '"lower-bound gap" is how far the best objective found may be above the optimum where the exact search did not finish;',
  '"greedy" is heaviest-edge-first. Objectives are decayed bytes moved plus ALL\'s replication cost.',
  '',
  `Command: \`npm run bench:advisor\` (node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} when it finished: times on a loaded machine stretch accordingly).`,
  '',
  ...lines,
  '',
  `Exact optimum proven on ${solved.length} of ${rows.length} graphs; there the heuristic is at most ${pct(worst)} above it.`,
  `1,000 tables with 10,000 edges: the heuristic reached its answer in ${big.map((r) => `${r.heuristicConvergedMs.toFixed(0)} ms (${r.name}; the solve ran ${r.heuristicMs.toFixed(0)} ms)`).join(', ')}.`,
  '',
  'TPC-H (the graph of the 22 queries\' join predicates, weighted by the workload mix of `keel gen workload tpch`, 4 slices):',
  '',
  ...tpchLines,
].join('\n');
process.stdout.write(body + '\n');
if (write) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  updateSection(path.join(root, 'docs', 'performance.md'), 'Distribution-key advisor', body);
}
