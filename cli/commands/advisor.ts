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
  membersOf,
  formatBytes,
  getRecommendation,
  graphDot,
  graphJson,
  lastRun,
  listRecommendations,
  listRefusals,
  runAdvisor,
  type Recommendation,
  type Refusal,
} from '../../advisor/index.js';
import { applyGroup, candidates, describeVerification, groupOf, loadConfig, revertGroup } from '../../advisor/autonomics/index.js';
import { formatTable, Progress, reportError } from '../output.js';
import { ddlScript } from './advisor-script.js';
import { redshiftMigration, undoPath } from '../../advisor/migration/index.js';
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
  refusals?: boolean;
  shadow?: boolean;
  all?: boolean;
  background?: boolean;
  dryRun?: boolean;
  dialect?: string;
  out?: string;
  includeUserSet?: boolean;
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
      ...(flags.shadow === false ? { shadow: false as const } : {}),
      twins: loadConfig(db.dir).twins,
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
    if (r.rejected?.length) {
      process.stdout.write(`\nNot proposed (the shadow proof refused ${r.rejected.length === 1 ? 'it' : 'them'}):\n`);
      for (const g of r.rejected) process.stdout.write(`  ${g.changes.join('; ')}\n    ${g.reason}\n`);
    }
    if (r.reopened?.length) {
      process.stdout.write(`\nRefusals the workload has reopened (free to be proposed and measured again):\n`);
      for (const g of r.reopened) process.stdout.write(`  ${g.changes.join('; ')} (refused ${g.refusedAt.slice(0, 16).replace('T', ' ')} UTC): ${g.why}\n`);
    }
  });
}

function recommendationTable(recs: readonly Recommendation[]): string {
  return formatTable(
    ['group', 'id', 'table', 'kind', 'current', 'proposed', 'est. saving (s/day)', '% of workload time', 'shadow-measured', 'status', 'ddl'],
    recs.map((r) => [
      r.group,
      r.id,
      r.table,
      r.kind,
      r.current,
      r.proposed,
      `${r.benefit.secondsPerDay} ± ${r.benefit.secondsPerDayError}`,
      r.benefit.percent,
      r.evidence.shadow ? shadowSummary(r.evidence.shadow) : 'not run',
      r.status,
      r.ddl,
    ]),
  );
}

type Shadow = NonNullable<Recommendation['evidence']['shadow']>;

/** "blocks -41.0%, moved -80.2%": the shadow's exact counters, proposed against current. */
function shadowCounters(s: Shadow): string {
  const pct = (m: { current: number; proposed: number }) => (m.current > 0 ? `${m.proposed >= m.current ? '+' : ''}${(((m.proposed - m.current) / m.current) * 100).toFixed(1)}%` : '0');
  return `blocks ${pct(s.blocksScanned)}, moved ${pct(s.bytesMoved)}`;
}

/** "time x0.82, blocks -41.0%, moved -80.2%" for the list. */
function shadowSummary(s: Shadow): string {
  const saved = s.measured ? ` (${s.measured.secondsPerDay} s/day)` : '';
  return `time x${s.timeRatio.estimate.toFixed(2)}${saved}, ${shadowCounters(s)}`;
}

/**
 * A remembered refusal as `list --refusals --json` prints it. `list --json`
 * stays the array of recommendations DESIGN.md promises; refusals are not
 * recommendations, so they have a flag of their own.
 */
function refusalJson(r: Refusal) {
  return {
    kind: 'refusal' as const,
    status: 'refused' as const,
    tables: r.tables,
    changes: r.changes.map((c) => ({ table: c.table, kind: c.kind, current: c.current, proposed: c.proposed, ddl: c.ddl })),
    refusedAt: r.at,
    run: r.run,
    reason: r.reason,
    shadow: r.shadow,
    workload: r.workload,
  };
}

/** The remembered refusals, after the recommendations: each change, when and by which run, and what the shadow measured. */
function refusalSection(refusals: readonly Refusal[]): string {
  const lines = [`Remembered refusals (measured on a shadow copy and refused; not proposed or measured again until the workload they were measured on changes):`];
  for (const r of refusals) {
    const t = r.shadow.timeRatio;
    const execs = r.workload.executions.toLocaleString('en-US');
    const rows = r.workload.rows.map((x) => `${x.table} ${x.rows.toLocaleString('en-US')} rows`).join(', ');
    lines.push(
      `  ${r.changes.map((c) => `${c.table}: ${c.kind} ${c.current} -> ${c.proposed}`).join('; ')}`,
      `    refused ${r.at.slice(0, 16).replace('T', ' ')} UTC (${r.run}): ${r.reason}`,
      `    shadow: time x${t.estimate.toFixed(2)} (95% interval ${t.low.toFixed(2)}-${t.high.toFixed(2)}), ${shadowCounters(r.shadow)}; measured on ${r.workload.fingerprints.length} query shape(s), ${execs} executions; ${rows}`,
    );
  }
  return lines.join('\n');
}

export async function advisorListCommand(flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const recs = listRecommendations(db.dir);
    const refusals = listRefusals(db.dir);
    if (flags.json) {
      printJson(flags.refusals ? refusals.map(refusalJson) : recs);
      return;
    }
    if (flags.refusals) {
      process.stdout.write(refusals.length ? `${refusalSection(refusals)}\n` : 'No remembered refusals.\n');
      return;
    }
    const run = lastRun(db.dir);
    if (run) process.stdout.write(`Last run ${run.id} at ${run.at}: model cost ${formatBytes(run.objectiveBefore)} -> ${formatBytes(run.objectiveAfter)}\n\n`);
    process.stdout.write(recs.length ? recommendationTable(recs) + '\n' : 'No recommendations (run keel advisor run).\n');
    if (refusals.length) process.stdout.write(`\n${refusalSection(refusals)}\n`);
  });
}

export async function advisorShowCommand(id: string, flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const r = getRecommendation(db.dir, id);
    if (flags.json) {
      printJson(r);
      return;
    }
    const lines = [explainRecommendation(r, membersOf(listRecommendations(db.dir), r.id))];
    const lc = r.lifecycle;
    if (lc?.revertDdl) lines.push('', `Undone by: ${lc.revertDdl}`);
    if (lc?.verification) lines.push(`Verification (${lc.verification.verdict}): ${describeVerification(lc.verification)}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
}

/** The recommendations `apply` acts on: the group of the one named, or with --all the proposed groups the policy allows (the rest with why not). */
function selectForApply(db: Database, id: string | undefined, flags: AdvisorFlags): { ids: string[]; held: { id: string; reason: string }[] } {
  if (flags.all) {
    if (id) throw new UsageError('give a recommendation or group id, or --all, not both');
    const all = listRecommendations(db.dir);
    // a script for another warehouse carries every proposed change; this directory's policy governs what runs here
    if (flags.dialect === 'redshift') return { ids: all.filter((r) => r.status === 'proposed').map((r) => r.id), held: [] };
    const c = candidates(all, db.catalog(), loadConfig(db.dir));
    return { ids: c.allowed.map((r) => r.id), held: c.held };
  }
  if (!id) throw new UsageError('give a recommendation or group id (keel advisor list shows them) or --all');
  // a recommendation is applied with its whole group: its table's other changes and the tables co-located with it
  return { ids: groupOf(db.dir, id).map((r) => r.id), held: [] };
}

/** Groups applied and not yet verified: an apply now falls in their verification windows. */
function underVerification(db: Database, groups: ReadonlySet<string>): string[] {
  const open = new Map<string, Set<string>>();
  for (const r of listRecommendations(db.dir)) {
    if (r.status !== 'applied' || groups.has(r.group)) continue;
    open.set(r.group, (open.get(r.group) ?? new Set()).add(r.table));
  }
  return [...open.entries()].map(([g, t]) => `${g} (${[...t].sort().join(', ')})`);
}

export async function advisorApplyCommand(id: string | undefined, flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const dialect = flags.dialect;
    if (dialect !== undefined && dialect !== 'redshift') throw new UsageError(`--dialect must be redshift, got "${dialect}"`);
    const { ids, held } = selectForApply(db, id, flags);
    if (dialect === 'redshift') {
      // a script for the cluster (docs/redshift.md, "A migration script"): this directory is only read
      const script = redshiftMigration(ids.map((i) => getRecommendation(db.dir, i)), { source: db.dir, includeUserSet: flags.includeUserSet === true });
      const undo = flags.out ? undoPath(flags.out) : null;
      if (flags.out) {
        fs.writeFileSync(flags.out, script.forward);
        fs.writeFileSync(undo!, script.inverse);
      }
      if (flags.json) printJson({ script: flags.out ?? null, undo, groups: script.groups, statements: script.statements, inverseStatements: script.inverseStatements, advice: script.advice });
      else if (flags.out) process.stdout.write(`wrote ${flags.out} (${script.statements.length} statements in ${script.groups.length} groups, ${script.advice.length} listed as advice) and its inverse ${undo}\n`);
      else process.stdout.write(script.forward);
      return;
    }
    if (flags.dryRun) {
      const recs = ids.map((i) => getRecommendation(db.dir, i));
      if (flags.json) printJson(recs.map((r) => ({ id: r.id, table: r.table, kind: r.kind, ddl: r.ddl, dialect: 'keel' })));
      else process.stdout.write(ddlScript(recs, { source: db.dir }));
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
    const recs = ids.map((i) => getRecommendation(db.dir, i));
    const groups = [...new Set(recs.map((r) => r.group))];
    const overlap = underVerification(db, new Set(groups));
    if (overlap.length) {
      process.stderr.write(
        `warning: ${overlap.join(', ')} ${overlap.length === 1 ? 'is' : 'are'} applied and not yet verified; their verification will leave out the queries that also read the tables this apply changes\n`,
      );
    }
    const done: Recommendation[] = [];
    const progress = new Progress('apply', flags.json === true);
    for (const [k, g] of groups.entries()) {
      progress.update(k, groups.length, g);
      done.push(...(await applyGroup(db, g, { by: 'user' })));
    }
    progress.done();
    const failed = done.filter((r) => r.status === 'failed');
    if (flags.json) {
      // a failure is an error object, as every --json failure is; the recommendations beside it
      if (failed.length) printJson({ error: { code: 'APPLY_FAILED', message: failed.map((r) => `${r.id} (${r.table}) failed: ${r.statusReason ?? 'no reason recorded'}`).join('; ') }, recommendations: done });
      else printJson(done);
    } else {
      process.stdout.write(
        done.length
          ? formatTable(['group', 'id', 'table', 'ddl', 'status', 'reason'], done.map((r) => [r.group, r.id, r.table, r.ddl, r.status, r.statusReason])) + '\n'
          : 'Nothing to apply.\n',
      );
      if (held.length) process.stdout.write(`\nNot applied by --all (keel advisor apply ID applies one anyway):\n${held.map((h) => `  ${h.id}: ${h.reason}`).join('\n')}\n`);
    }
    if (failed.length) process.exitCode = 1;
  });
}

export async function advisorRevertCommand(id: string, flags: AdvisorFlags): Promise<void> {
  await withDb(flags, async (db) => {
    const recs = await revertGroup(db, id, 'reverted by hand (keel advisor revert)');
    if (flags.json) printJson(recs);
    else for (const r of recs) process.stdout.write(`${r.id}: ${r.table} reverted (${r.lifecycle?.revertDdl ?? ''})\n`);
  });
}
