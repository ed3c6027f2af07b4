/**
 * Distribution recommendations: one per table whose chosen distribution
 * differs from its current one, with the DDL that applies it, the join edges
 * and fingerprints behind it, and its reason in plain words.
 */
import { describeStyle, formatBytes, type JoinGraph } from '../join-graph.js';
import type { DistributionRecommendation, EdgeEvidence } from '../recommendations/types.js';
import { choiceText, currentChoice, sameChoice, type Choice, type DistributionResult, type WhatIfResult } from './index.js';

export function ddlFor(table: string, c: Choice): string {
  const t = /^[a-z_][a-z0-9_]*$/.test(table) ? table : `"${table.replace(/"/g, '""')}"`;
  if (c.kind === 'key') return `ALTER TABLE ${t} ALTER DISTKEY ${/^[a-z_][a-z0-9_]*$/.test(c.column) ? c.column : `"${c.column.replace(/"/g, '""')}"`}`;
  return `ALTER TABLE ${t} ALTER DISTSTYLE ${c.kind.toUpperCase()}`;
}

/** The recommendations of one solved layout (not yet stored): per changed table, its benefit, evidence and reason. */
export function recommendationsOf(graph: JoinGraph, result: DistributionResult, now: Date, runId: string, firstId: number, whatIf: WhatIfResult | null = null): DistributionRecommendation[] {
  const slices = graph.getAttribute('slices');
  const before = result.current;
  const after = result.proposed;
  const cur = (t: string) => currentChoice(graph.getNodeAttributes(t));
  const changed = new Set(graph.nodes().filter((t) => !sameChoice(cur(t), result.layout.get(t)!)));
  // credit each edge's saving to the tables of it that change
  const credit = new Map<string, number>();
  const add = (t: string, x: number) => credit.set(t, (credit.get(t) ?? 0) + x);
  graph.forEachEdge((key, e) => {
    const saving = before.edges.get(key)! - after.edges.get(key)!;
    const s = changed.has(e.source);
    const t = changed.has(e.target) && e.target !== e.source;
    if (s && t) {
      add(e.source, saving / 2);
      add(e.target, saving / 2);
    } else if (s) add(e.source, saving);
    else if (t) add(e.target, saving);
  });
  const total = before.total;
  const at = now.toISOString();
  const out: DistributionRecommendation[] = [];
  let id = firstId;
  const order = [...changed].sort((a, b) => (credit.get(b) ?? 0) - allDelta(b) - ((credit.get(a) ?? 0) - allDelta(a)) || (a < b ? -1 : 1));
  function allDelta(t: string): number {
    const n = graph.getNodeAttributes(t);
    const was = cur(t).kind === 'all' ? n.allCost : 0;
    const will = result.layout.get(t)!.kind === 'all' ? n.allCost : 0;
    return will - was;
  }
  for (const t of order) {
    const node = graph.getNodeAttributes(t);
    const proposed = result.layout.get(t)!;
    const benefit = (credit.get(t) ?? 0) - allDelta(t);
    const edges: EdgeEvidence[] = graph
      .mapEdges(t, (key, e) => ({ key, e }))
      .filter(({ key }) => before.edges.get(key)! !== after.edges.get(key)!)
      .sort((a, b) => Math.abs(before.edges.get(b.key)! - after.edges.get(b.key)!) - Math.abs(before.edges.get(a.key)! - after.edges.get(a.key)!))
      .map(({ key, e }) => ({
        edge: key,
        count: e.count,
        queries: e.queries,
        bytesMoved: e.bytesMoved,
        costBefore: Math.round(before.edges.get(key)!),
        costAfter: Math.round(after.edges.get(key)!),
        fingerprints: e.evidence.map((f) => ({ fingerprint: f.fingerprint, count: f.count, bytesMoved: f.bytesMoved })),
      }));
    const fps = new Map<string, { count: number; bytesMoved: number }>();
    for (const e of edges) {
      for (const f of e.fingerprints) {
        const a = fps.get(f.fingerprint) ?? { count: 0, bytesMoved: 0 };
        a.count += f.count;
        a.bytesMoved += f.bytesMoved;
        fps.set(f.fingerprint, a);
      }
    }
    const rejectedKeys = result.model.rejected.filter((r) => r.table === t).map((r) => ({ column: r.column, reason: r.reason }));
    const copies = (c: Choice) => (c.kind === 'all' ? slices : 1);
    const applyCost = {
      rows: node.rows,
      rewriteBytes: node.bytes * copies(proposed),
      storageBytesBefore: node.bytes * copies(cur(t)),
      storageBytesAfter: node.bytes * copies(proposed),
    };
    const rec: DistributionRecommendation = {
      id: `r${id++}`,
      group: '',
      table: t,
      kind: proposed.kind === 'key' ? 'distkey' : 'diststyle',
      current: describeStyle(node),
      proposed: choiceText(proposed),
      ddl: ddlFor(t, proposed),
      // seconds per day, its error and its share of the workload are set by the run, from the cost model
      benefit: { bytes: Math.round(benefit), secondsPerDay: 0, secondsPerDayError: 0, percent: 0 },
      applyCost,
      userSet: !node.distAuto,
      reason: '',
      evidence: {
        edges,
        fingerprints: [...fps.entries()].map(([fingerprint, f]) => ({ fingerprint, ...f })).sort((a, b) => b.bytesMoved - a.bytesMoved || b.count - a.count),
        rejectedKeys,
      },
      status: 'proposed',
      statusReason: null,
      history: [{ status: 'proposed', at, reason: null }],
      createdAt: at,
      updatedAt: at,
      run: runId,
    };
    out.push({ ...rec, reason: explain(graph, rec, proposed, result, whatIf, total > 0 ? (benefit / total) * 100 : 0) });
  }
  return out;
}

/** The recommendation in plain words: what changes, why, what it saves and what it costs. */
function explain(graph: JoinGraph, r: DistributionRecommendation, proposed: Choice, result: DistributionResult, whatIf: WhatIfResult | null, joinShare: number): string {
  const node = graph.getNodeAttributes(r.table);
  const slices = graph.getAttribute('slices');
  const parts: string[] = [];
  const execs = r.evidence.edges.reduce((s, e) => s + e.count, 0);
  const shapes = r.evidence.fingerprints.length;
  if (proposed.kind === 'key') {
    const partners = r.evidence.edges
      .filter((e) => e.costAfter < e.costBefore)
      .map((e) => e.edge.split(' and ')[0]!.split('=').find((s) => !s.startsWith(`${r.table}.`)) ?? e.edge);
    parts.push(
      `${r.table} is joined on ${proposed.column}` +
        (partners.length ? ` with ${[...new Set(partners)].join(', ')}` : '') +
        ` by ${execs} join execution${execs === 1 ? '' : 's'} of ${shapes} query shape${shapes === 1 ? '' : 's'}.` +
        ` Hashing ${r.table} on ${proposed.column} puts matching rows on the same slice, so those joins move less (DS_DIST_NONE when the other side is keyed the same way, DS_DIST_INNER/OUTER when one side still moves).`,
    );
  } else if (proposed.kind === 'all') {
    parts.push(
      `${r.table} is small (${node.rows.toLocaleString('en-US')} rows, ${formatBytes(node.bytes)}) and joined by ${execs} join execution${execs === 1 ? '' : 's'} on keys its partners are not all distributed on.` +
        ` A full copy on each of the ${slices} slices lets every such join run where the other side is (DS_DIST_ALL_NONE); the copies cost ${formatBytes(node.allCost)} in the model (${slices - 1} extra copies, made once and rewritten at each load), less than the moves they save.`,
    );
  } else {
    parts.push(
      r.evidence.rejectedKeys.length
        ? `No key of ${r.table} pays: ${r.evidence.rejectedKeys.map((k) => k.reason).join('; ')}. EVEN spreads its rows round robin.`
        : `Neither a key nor a copy on every slice of ${r.table} pays for itself against this workload; EVEN spreads its rows round robin` +
            (node.distStyle === 'all' ? ` and frees the ${slices - 1} extra copies ALL keeps.` : '.'),
    );
  }
  const overruled = whatIf?.changed.find((c) => c.table === r.table);
  if (whatIf && overruled) {
    parts.push(
      `The join graph alone prefers ${choiceText(overruled.solver)}; planning the workload's ${whatIf.shapes} query shapes again under both layouts estimates ${formatBytes(whatIf.solver)} moved with it against ${formatBytes(whatIf.chosen)} with ${choiceText(proposed)}` +
        ` (plans see what single edges do not: a query joining ${r.table} on two columns moves its intermediate result once either way, and a GROUP BY on the distribution key needs no exchange).`,
    );
  }
  parts.push(
    `Estimated benefit: ${formatBytes(Math.max(0, r.benefit.bytes))} less moved per workload window (${joinShare.toFixed(1)}% of the workload's current join traffic in the model` +
      `; the whole proposed layout saves ${formatBytes(result.current.total - result.proposed.total)}).`,
  );
  parts.push(
    `Applying it rewrites ${r.table} once (${r.applyCost.rows.toLocaleString('en-US')} rows, ${formatBytes(r.applyCost.rewriteBytes)}); storage goes from ${formatBytes(r.applyCost.storageBytesBefore)} to ${formatBytes(r.applyCost.storageBytesAfter)}.` +
      (r.userSet ? ` ${r.table}'s distribution was set by hand, so it is only applied when asked for by id.` : ''),
  );
  return parts.join(' ');
}
