/**
 * keel advisor: the workload's join graph (graph), choosing distributions
 * (run), the recommendations (list, show) and applying them through ALTER
 * TABLE (apply). docs/advisor.md describes the model.
 */
import { Database } from '../../index.js';
import { UsageError } from '../../engine/index.js';
import { loadWorkload } from '../../workload-log/index.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import {
  buildJoinGraph,
  explainRecommendation,
  explainsKind,
  formatBytes,
  getRecommendation,
  graphDot,
  graphJson,
  lastRun,
  listRecommendations,
  runAdvisor,
  type Recommendation,
} from '../../advisor/index.js';
import { applyOne, candidates, describeVerification, loadConfig, revertOne } from '../../advisor/autonomics/index.js';
import { formatTable, Progress, reportError } from '../output.js';
import { ddlScript } from './advisor-script.js';
import { printJson, type CommonOptions } from '../context.js';
import { parseSince } from './log.js';

export interface AdvisorFlags extends CommonOptions {
  since?: string;
  dot?: boolean;
  method?: string;
  budget?: string;
  halfLife?: string;
  skewFactor?: string;
  skew?: boolean;
  whatIf?: boolean;
  all?: boolean;
  background?: boolean;
  dryRun?: boolean;
  dialect?: string;
}

/** Opens an existing data directory; the advisor's own statements (skew counts, ALTERs) are recorded as source "advisor". */
async function withDb(flags: CommonOptions, fn: (db: Database) => Promise<void>): Promise<void> {
  let db: Database | undefined;
  try {
    db = await Database.open(flags.data, { create: false, workloadLog: { source: 'advisor' } });
    await fn(db);
  } catch (e) {
    process.exitCode = reportError(e);
  } finally {
    db?.close();
  }
}

function num(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (!Number.isFinite(x) || x <= 0) throw new UsageError(`${name} must be a positive number, got "${text}"`);
  return x;
}

const filterOf = (flags: AdvisorFlags) => (flags.since === undefined ? {} : { since: parseSince(flags.since) });

export async function advisorGraphCommand(flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const graph = buildJoinGraph(loadWorkload(db.dir, filterOf(flags)), db.catalog(), { halfLifeMs: num(flags.halfLife, '--half-life', 168) * 3_600_000 });
    if (flags.dot) {
      process.stdout.write(graphDot(graph));
      return;
    }
    const j = graphJson(graph);
    if (flags.json) {
      printJson(j);
      return;
    }
    process.stdout.write(`Join graph of ${j.queries} queries (${j.joins} joins), ${j.slices} slices, half-life ${j.halfLifeHours} h\n\n`);
    process.stdout.write(
      formatTable(
        ['table', 'rows', 'size', 'distribution', 'ALL cost', 'candidate keys'],
        j.nodes.map((n) => [n.table, n.rows, formatBytes(n.bytes), n.diststyle, formatBytes(n.allCost), n.candidates.join(', ')]),
      ) + '\n\n',
    );
    process.stdout.write(
      formatTable(
        ['edge', 'joins', 'queries', 'fingerprints', 'weight (not co-located)', 'one side on key', 'bytes moved (logged)'],
        j.edges.map((e) => [e.key, e.count, e.queries, e.fingerprints, formatBytes(e.weight), `${formatBytes(e.costs.sourceOnKey)} / ${formatBytes(e.costs.targetOnKey)}`, formatBytes(e.bytesMoved)]),
      ) + '\n',
    );
  });
}

export async function advisorRunCommand(flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const method = flags.method ?? 'auto';
    if (method !== 'auto' && method !== 'exact' && method !== 'heuristic') throw new UsageError(`--method must be auto, exact or heuristic, got "${method}"`);
    const out = await runAdvisor(db, {
      filter: filterOf(flags),
      method,
      budgetMs: num(flags.budget, '--budget', 2000),
      halfLifeMs: num(flags.halfLife, '--half-life', 168) * 3_600_000,
      skewFactor: num(flags.skewFactor, '--skew-factor', 1.5),
      skewCheck: flags.skew !== false,
      ...(flags.whatIf === false ? { whatIf: false as const } : {}),
    });
    if (flags.json) {
      printJson({ run: out.run, recommendations: out.recommendations, rejectedKeys: out.rejected.map((r) => ({ table: r.table, column: r.column, reason: r.reason })) });
      return;
    }
    const r = out.run;
    const saved = r.objectiveBefore - r.objectiveAfter;
    process.stdout.write(
      `Advisor ${r.id}: ${r.queries} queries, ${r.tables} tables, ${r.edges} join edges.\n` +
        `Model cost now ${formatBytes(r.objectiveBefore)}, proposed ${formatBytes(r.objectiveAfter)} (${r.objectiveBefore > 0 ? ((saved / r.objectiveBefore) * 100).toFixed(1) : '0.0'}% less); ` +
        `${r.optimal ? 'solver proven optimal' : `solver's gap to the lower bound ${(r.gap * 100).toFixed(2)}%`} (${r.method}, ${r.solveMs} ms); greedy heaviest-edge-first: ${formatBytes(r.greedyObjective)}.\n` +
        (r.whatIf
          ? `What-if planning of ${r.whatIf.shapes} query shapes (${r.whatIf.observed} run once for their row counts, ${r.whatIf.plans} plans, ${r.whatIf.ms} ms): estimated bytes moved now ${formatBytes(r.whatIf.before)}, ` +
            `with the solver's layout ${formatBytes(r.whatIf.solver)}, proposed ${formatBytes(r.whatIf.after)}` +
            (r.whatIf.changed.length ? `; changed from the solver's: ${r.whatIf.changed.join(', ')}.\n` : '; the solver\'s layout kept.\n')
          : '') +
        '\n',
    );
    process.stdout.write(recommendationTable(out.recommendations) + '\n');
    for (const rej of out.rejected) process.stdout.write(`rejected ${rej.table}.${rej.column}: ${rej.reason}\n`);
  });
}

function recommendationTable(recs: readonly Recommendation[]): string {
  return formatTable(
    ['id', 'table', 'kind', 'current', 'proposed', 'benefit', '% of workload', 'status', 'ddl'],
    recs.map((r) => [r.id, r.table, r.kind, r.current, r.proposed, formatBytes(r.benefit.bytes), r.benefit.percent, r.status, r.ddl]),
  );
}

export async function advisorListCommand(flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const recs = listRecommendations(db.dir);
    if (flags.json) {
      printJson(recs);
      return;
    }
    const run = lastRun(db.dir);
    if (run) process.stdout.write(`Last run ${run.id} at ${run.at}: model cost ${formatBytes(run.objectiveBefore)} -> ${formatBytes(run.objectiveAfter)}\n\n`);
    process.stdout.write(recs.length ? recommendationTable(recs) + '\n' : 'No recommendations (run keel advisor run).\n');
  });
}

export async function advisorShowCommand(id: string, flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const r = getRecommendation(db.dir, id);
    if (flags.json) {
      printJson(r);
      return;
    }
    if (explainsKind(r.kind)) {
      process.stdout.write(explainRecommendation(r) + '\n');
      return;
    }
    const lines = [
      `${r.id}: ${r.table} ${r.current} -> ${r.proposed} (${r.status}${r.statusReason ? `: ${r.statusReason}` : ''})`,
      `  ${r.ddl}`,
      '',
      wrap(r.reason, 100),
      '',
      `Estimated benefit: ${formatBytes(r.benefit.bytes)} (${r.benefit.percent}% of the workload's join cost in the model)${r.benefit.secondsPerDay !== undefined ? `, about ${r.benefit.secondsPerDay} s of query time per day` : ''}.`,
      `Cost to apply: one rewrite of ${r.applyCost.rows.toLocaleString('en-US')} rows (${formatBytes(r.applyCost.rewriteBytes)}); storage ${formatBytes(r.applyCost.storageBytesBefore)} -> ${formatBytes(r.applyCost.storageBytesAfter)}.`,
      '',
      'Evidence: join edges whose cost changes',
      formatTable(
        ['edge', 'joins', 'queries', 'bytes moved (logged)', 'cost now', 'cost after'],
        r.evidence.edges.map((e) => [e.edge, e.count, e.queries, formatBytes(e.bytesMoved), formatBytes(e.costBefore), formatBytes(e.costAfter)]),
      ),
      '',
      'Query fingerprints behind them',
      formatTable(
        ['count', 'bytes moved', 'fingerprint'],
        r.evidence.fingerprints.slice(0, 10).map((f) => [f.count, formatBytes(f.bytesMoved), f.fingerprint.replace(/\s+/g, ' ').slice(0, 100)]),
      ),
    ];
    if (r.evidence.rejectedKeys.length) lines.push('', 'Keys rejected for skew:', ...r.evidence.rejectedKeys.map((k) => `  ${k.column}: ${k.reason}`));
    lines.push('', 'History:', ...r.history.map((h) => `  ${h.at} ${h.status}${h.reason ? `: ${h.reason}` : ''}`));
    const lc = r.lifecycle;
    if (lc?.revertDdl) lines.push('', `Undone by: ${lc.revertDdl}`);
    if (lc?.verification) lines.push(`Verification (${lc.verification.verdict}): ${describeVerification(lc.verification)}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
}

/** The recommendations `apply` acts on: the one named, or with --all the proposed ones the policy allows (the rest with why not). */
function selectForApply(db: Database, id: string | undefined, flags: AdvisorFlags): { ids: string[]; held: { id: string; reason: string }[] } {
  if (flags.all) {
    if (id) throw new UsageError('give a recommendation id or --all, not both');
    const all = listRecommendations(db.dir);
    // a script for another warehouse carries every proposed change; this directory's policy governs what runs here
    if (flags.dialect === 'redshift') return { ids: all.filter((r) => r.status === 'proposed').map((r) => r.id), held: [] };
    const c = candidates(all, db.catalog(), loadConfig(db.dir));
    return { ids: c.allowed.map((r) => r.id), held: c.held };
  }
  if (!id) throw new UsageError('give a recommendation id (keel advisor list shows them) or --all');
  getRecommendation(db.dir, id); // a clear error for an unknown id
  return { ids: [id], held: [] };
}

export async function advisorApplyCommand(id: string | undefined, flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const dialect = flags.dialect;
    if (dialect !== undefined && dialect !== 'redshift') throw new UsageError(`--dialect must be redshift, got "${dialect}"`);
    const { ids, held } = selectForApply(db, id, flags);
    if (flags.dryRun || dialect) {
      const recs = ids.map((i) => getRecommendation(db.dir, i));
      if (flags.json) printJson(recs.map((r) => ({ id: r.id, table: r.table, kind: r.kind, ddl: r.ddl, dialect: dialect ?? 'keel' })));
      else process.stdout.write(ddlScript(recs, { dialect: dialect ?? 'keel', source: db.dir }));
      return;
    }
    if (flags.background) {
      if (ids.length === 0) throw new UsageError('nothing to apply');
      const script = process.argv[1];
      if (!script) throw new UsageError('cannot find the keel script to run the apply with');
      const logFile = path.join(db.dir, 'advisor', 'apply.log');
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      const out = fs.openSync(logFile, 'a');
      // a detached keel process of its own, so this command returns while the rebuild runs
      const child = spawn(process.execPath, [script, 'advisor', 'apply', ...(flags.all ? ['--all'] : [id!]), '--data', db.dir, '--json'], { detached: true, stdio: ['ignore', out, out] });
      fs.closeSync(out);
      child.unref();
      if (flags.json) printJson({ background: true, pid: child.pid, ids, log: logFile });
      else process.stdout.write(`applying ${ids.join(', ')} in the background (pid ${child.pid}); keel advisor list shows their status, ${logFile} the outcome\n`);
      return;
    }
    const done: Recommendation[] = [];
    const progress = new Progress('apply', flags.json === true);
    for (const [k, i] of ids.entries()) {
      progress.update(k, ids.length, i);
      done.push(await applyOne(db, i, { by: 'user' }));
    }
    progress.done();
    if (flags.json) {
      printJson(done);
    } else {
      process.stdout.write(
        done.length
          ? formatTable(['id', 'table', 'ddl', 'status', 'reason'], done.map((r) => [r.id, r.table, r.ddl, r.status, r.statusReason])) + '\n'
          : 'Nothing to apply.\n',
      );
      if (held.length) process.stdout.write(`\nNot applied by --all (keel advisor apply ID applies one anyway):\n${held.map((h) => `  ${h.id}: ${h.reason}`).join('\n')}\n`);
    }
    if (done.some((r) => r.status === 'failed')) process.exitCode = 1;
  });
}

export async function advisorRevertCommand(id: string, flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const r = await revertOne(db, id, 'reverted by hand (keel advisor revert)');
    if (flags.json) printJson(r);
    else process.stdout.write(`${r.id}: ${r.table} reverted (${r.lifecycle?.revertDdl ?? ''})\n`);
  });
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out.join('\n');
}
