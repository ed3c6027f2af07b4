/**
 * `keel advisor show` for sort-key and encoding recommendations: what changes,
 * why in plain words, what it is estimated to save, and the evidence (logged
 * predicates and fingerprints, the candidates judged on the sample, every
 * codec's size and decode speed), as text for a terminal.
 */
import { formatBytes } from './join-graph.js';
import type { Recommendation } from './recommendations/index.js';

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const width = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => '  ' + r.map((x, c) => x.padEnd(width[c]!)).join('  ').trimEnd();
  return [line(cells[0]!), line(width.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

function wrap(text: string, width = 100): string {
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

/** Whether explainRecommendation renders this kind (the distribution kinds have their own rendering in the CLI). */
export function explainsKind(kind: string): boolean {
  return kind === 'sortkey' || kind === 'encoding';
}

/** The plain-words explanation of a sort-key or encoding recommendation, with its evidence and history. */
export function explainRecommendation(r: Recommendation): string {
  const what = r.kind === 'sortkey' ? `sort key ${r.current} -> (${r.proposed})` : `${r.evidence.encoding?.column ?? ''} ENCODE ${r.current} -> ${r.proposed}`;
  const lines = [
    `${r.id}: ${r.table} ${what} (${r.status}${r.statusReason ? `: ${r.statusReason}` : ''})`,
    `  ${r.ddl}`,
    '',
    wrap(r.reason),
    '',
    `Estimated benefit: ${formatBytes(Math.max(0, r.benefit.bytes))} less read over the logged workload (${r.benefit.percent}% ${r.kind === 'sortkey' ? "of the blocks its scans of this table read" : "smaller column"}), about ${r.benefit.secondsPerDay ?? 0} s of query time per day.`,
    `Cost to apply: one rewrite of ${r.applyCost.rows.toLocaleString('en-US')} rows (${formatBytes(r.applyCost.rewriteBytes)}); storage ${formatBytes(r.applyCost.storageBytesBefore)} -> ${formatBytes(r.applyCost.storageBytesAfter)}.` +
      (r.userSet ? ' Set by hand: applied only when asked for by id.' : ''),
  ];
  const s = r.evidence.sortKey;
  if (s) {
    lines.push(
      '',
      'Evidence: logged scan predicates on this table',
      table(
        ['column', 'op', 'executions', 'distinct values', 'zone maps can use it'],
        s.predicates.map((p) => [p.column, p.op, p.count, p.literals, p.prunable ? 'yes' : 'no']),
      ),
      '',
      `Candidates judged on a sample of ${s.sample.rows.toLocaleString('en-US')} rows in ${s.sample.blocks} blocks over ${s.sample.slices} slice(s), ${s.sample.rowsPerSampleBlock} sample rows per block (current order: ${pctOf(s.before.fraction)} of blocks read)`,
      table(['key', 'blocks read (est.)', 'share of blocks'], s.candidates.map((c) => [`(${c.key.join(', ')})`, c.blocks, pctOf(c.fraction)])),
    );
  }
  const e = r.evidence.encoding;
  if (e) {
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
    lines.push('', 'Query fingerprints behind it', table(['count', 'fingerprint'], r.evidence.fingerprints.slice(0, 10).map((f) => [f.count, f.fingerprint.replace(/\s+/g, ' ').slice(0, 100)])));
  }
  lines.push('', 'History:', ...r.history.map((h) => `  ${h.at} ${h.status}${h.reason ? `: ${h.reason}` : ''}`));
  return lines.join('\n');
}
