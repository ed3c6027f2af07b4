/**
 * `keel advisor show`: what a recommendation changes, why in plain words, its
 * group (what is applied, verified and reverted with it), what the cost model
 * predicted beside what the shadow proof measured, and the evidence of its
 * kind (join edges, logged predicates and candidate keys, every codec's size
 * and decode speed), as text for a terminal.
 */
import { formatBytes } from './join-graph.js';
import { isDistribution, type Recommendation, type ShadowEvidence, type ShadowMeasure, type SortKeyRecommendation } from './recommendations/index.js';

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const width = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => '  ' + r.map((x, c) => x.padEnd(width[c]!)).join('  ').trimEnd();
  return [line(cells[0]!), line(width.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function wrap(text: string, width = 100): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

const pctOf = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const changeOf = (m: ShadowMeasure) => (m.current > 0 ? signed((m.proposed - m.current) / m.current) : m.proposed > 0 ? 'new' : '0');

/** "r6: lineitem sort key NONE -> (l_shipdate)" */
export function headline(r: Recommendation): string {
  const what =
    r.kind === 'sortkey'
      ? `sort key ${r.current} -> (${r.proposed})`
      : r.kind === 'encoding'
        ? `${r.evidence.encoding.column} ENCODE ${r.current} -> ${r.proposed}`
        : `distribution ${r.current} -> ${r.proposed}`;
  return `${r.id}: ${r.table} ${what}`;
}

/** The cost model's prediction beside the shadow's measurement, one measure a row. */
export function shadowTable(s: ShadowEvidence, layouts: readonly [string, string] = ['now', 'proposed']): string {
  const t = s.timeRatio;
  return [
    `Shadow proof (${s.at}): ${s.statements} statement(s) of the affected query shapes, ${s.rounds} rounds, each statement run on both layouts in turn, after a warm-up, on a copy of ` +
      s.tables.map((x) => `${x.table} (${x.rows.toLocaleString('en-US')} of ${x.tableRows.toLocaleString('en-US')} rows)`).join(', ') +
      ` in ${s.blockRows}-row blocks. Verdict: ${s.verdict} (${s.reason}).`,
    table(
      ['measure', 'predicted (cost model, whole log)', `shadow ${layouts[0]}`, `shadow ${layouts[1]}`, 'shadow change'],
      [
        ['query time', `${s.predicted.secondsPerDay} ± ${s.predicted.secondsPerDayError} s/day saved`, `${s.timeMs.current} ms`, `${s.timeMs.proposed} ms`, `x${t.estimate.toFixed(3)} (95%: ${t.low.toFixed(3)}-${Number.isFinite(t.high) ? t.high.toFixed(3) : 'inf'})`],
        ['blocks read', s.predicted.bytesReadSaved ? `${formatBytes(s.predicted.bytesReadSaved)} less read` : '-', s.blocksScanned.current, s.blocksScanned.proposed, changeOf(s.blocksScanned)],
        ...(s.rowsScanned ? [['rows read', '-', s.rowsScanned.current, s.rowsScanned.proposed, changeOf(s.rowsScanned)]] : []),
        ['bytes moved', s.predicted.bytesMovedSaved ? `${formatBytes(s.predicted.bytesMovedSaved)} less moved` : '-', formatBytes(s.bytesMoved.current), formatBytes(s.bytesMoved.proposed), changeOf(s.bytesMoved)],
        ['storage of the group', '-', formatBytes(s.storageBytes.current), formatBytes(s.storageBytes.proposed), changeOf(s.storageBytes)],
      ],
    ),
    '  (shadow figures: one run of each statement weighted by its executions in the log; time: the median round)',
    ...(s.measured ? [`  ${measuredSaving(s.measured)}`] : []),
  ].join('\n');
}

const perDay = (x: number) => (Number.isFinite(x) ? `${x} s/day` : 'unbounded');

/** The saving the shadow's time ratio implies, in the logged workload's seconds per day. */
export function measuredSaving(m: NonNullable<ShadowEvidence['measured']>): string {
  return `Measured saving: the affected statements take ${m.affectedSecondsPerDay} s/day in the log; at the measured time ratio that is ${perDay(m.secondsPerDay)} saved (95%: ${perDay(m.low)} to ${perDay(m.high)}; negative: slower).`;
}

/**
 * A sort-key recommendation's two styles as the shadow set them against each
 * other (its rival evidence): the compound key was the "current" copy and the
 * interleaved key the "proposed" one, whichever of them was kept.
 */
export function styleRivals(r: SortKeyRecommendation): { compound: string; interleaved: string; interleavedKept: boolean; shadow: ShadowEvidence } | null {
  const rival = r.evidence.sortKey.rival;
  if (!rival) return null;
  const interleavedKept = r.proposed.startsWith('INTERLEAVED');
  return interleavedKept
    ? { compound: rival.proposed, interleaved: r.proposed, interleavedKept, shadow: rival.shadow }
    : { compound: r.proposed, interleaved: rival.proposed, interleavedKept, shadow: rival.shadow };
}

/** The plain-words explanation of a recommendation, with its group, proof, evidence and history. */
export function explainRecommendation(r: Recommendation, group: readonly Recommendation[] = [r]): string {
  const lines = [
    `${headline(r)} (${r.status}${r.statusReason ? `: ${r.statusReason}` : ''})`,
    `  ${r.ddl}`,
    '',
    wrap(r.reason),
    '',
    `Estimated benefit: ${r.benefit.secondsPerDay} ± ${r.benefit.secondsPerDayError} s of query time per day (${r.benefit.percent}% of the logged workload's${r.benefit.percent >= 100 ? `: the model's estimate reached the workload's whole time and is capped at it` : ''}), by the cost model fitted on this machine's log; ` +
      `${formatBytes(Math.max(0, r.benefit.bytes))} ${r.kind === 'distkey' || r.kind === 'diststyle' ? 'less moved between slices' : 'less read'} over the logged workload.`,
    `Cost to apply: one rewrite of ${r.applyCost.rows.toLocaleString('en-US')} rows (${formatBytes(r.applyCost.rewriteBytes)}) for all of ${r.table}'s changes; storage ${formatBytes(r.applyCost.storageBytesBefore)} -> ${formatBytes(r.applyCost.storageBytesAfter)}.` +
      (r.userSet ? ' Set by hand: applied only when asked for by id.' : ''),
    '',
    `Group ${r.group} (applied, verified and reverted together; one rewrite per table):`,
    ...group.map((m) => `  ${m.id === r.id ? '*' : ' '} ${headline(m)}: ${m.benefit.secondsPerDay} s/day [${m.status}]`),
  ];
  if (r.evidence.shadow) lines.push('', shadowTable(r.evidence.shadow));
  if (isDistribution(r)) {
    lines.push(
      '',
      'Evidence: join edges whose cost changes',
      table(
        ['edge', 'joins', 'queries', 'bytes moved (logged)', 'cost now', 'cost after'],
        r.evidence.edges.map((e) => [e.edge, e.count, e.queries, formatBytes(e.bytesMoved), formatBytes(e.costBefore), formatBytes(e.costAfter)]),
      ),
    );
    if (r.evidence.rejectedKeys.length) lines.push('', 'Keys rejected for skew:', ...r.evidence.rejectedKeys.map((k) => `  ${k.column}: ${k.reason}`));
  } else if (r.kind === 'sortkey') {
    const s = r.evidence.sortKey;
    lines.push(
      '',
      'Evidence: logged scan predicates on this table',
      table(
        ['column', 'op', 'executions', 'distinct values', 'zone maps can use it'],
        s.predicates.map((p) => [p.column, p.op, p.count, p.literals, p.prunable ? 'yes' : 'no']),
      ),
      '',
      `Candidates judged on a sample of ${s.sample.rows.toLocaleString('en-US')} rows in ${s.sample.blocks} blocks over ${s.sample.slices} slice(s), ${s.sample.rowsPerSampleBlock} sample rows per block (current order: ${pctOf(s.before.fraction)} of blocks read)`,
      table(['key', 'blocks read (est.)', 'share of blocks'], s.candidates.map((c) => [c.style === 'interleaved' ? c.text : `(${c.key.join(', ')})`, c.blocks, pctOf(c.fraction)])),
    );
    const styles = styleRivals(r);
    if (styles) {
      const { compound, interleaved, interleavedKept, shadow } = styles;
      lines.push(
        '',
        interleavedKept
          ? `Interleaved against compound: the interleaved key is proposed only because the shadow copy measured it beating the best compound key, (${compound}), in the same group.`
          : `Interleaved against compound: the model preferred ${interleaved}, but the shadow copy did not measure it beating this compound key, so the compound key is proposed.`,
        shadowTable(shadow, [`(${compound})`, interleaved]),
      );
    }
  } else {
    const e = r.evidence.encoding;
    lines.push(
      '',
      `Evidence: the column's sample (${e.sample.blocks} block(s), ${e.sample.rows.toLocaleString('en-US')} of ${e.sample.tableRows.toLocaleString('en-US')} rows) encoded every way; cost = bytes + ${e.bytesPerNs} x decode ns x rows`,
      table(
        ['encoding', 'bytes', 'decode ns/value', 'cost'],
        [...e.sizes.map((x) => [x.encoding, x.bytes, x.decodeNs.toFixed(2), x.cost]), [`${e.current.encoding} (now)`, e.current.bytes, e.current.decodeNs.toFixed(2), '']],
      ),
      '',
      `Whole column (scaled from the sample): ${formatBytes(e.tableBytes.current)} -> ${formatBytes(e.tableBytes.proposed)}. Read by ${e.reads.scans} logged scans (${e.reads.rowsScanned.toLocaleString('en-US')} rows).` +
        (e.leadingSortKey ? ' Leading sort-key column: ZSTD not offered.' : ''),
    );
  }
  if (r.evidence.fingerprints.length) {
    lines.push(
      '',
      'Query fingerprints behind it',
      table(['count', 'bytes moved', 'fingerprint'], r.evidence.fingerprints.slice(0, 10).map((f) => [f.count, formatBytes(f.bytesMoved), f.fingerprint.replace(/\s+/g, ' ').slice(0, 100)])),
    );
  }
  lines.push('', 'History:', ...r.history.map((h) => `  ${h.at} ${h.status}${h.reason ? `: ${h.reason}` : ''}`));
  return lines.join('\n');
}
