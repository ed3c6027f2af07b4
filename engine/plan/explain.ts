/**
 * EXPLAIN text: one line per step, indented under its parent, with Redshift's
 * distribution labels and the planner's estimates; with ANALYZE, what actually
 * happened per step (rows, rows and bytes moved, blocks, time).
 */
import type { NodeStats } from '../exec/context.js';
import { describeDistStyle } from '../catalog/catalog.js';
import type { PlanNode } from './physical.js';
import { childrenOf } from './physical.js';

function label(n: PlanNode): string {
  switch (n.op) {
    case 'scan': {
      const parts = [`Seq Scan on ${n.table.name}${n.alias !== n.table.name ? ` ${n.alias}` : ''} [${describeDistStyle(n.table)}]`];
      if (n.filter) parts.push('filter');
      if (n.zone.length) parts.push(`zone maps on ${[...new Set(n.zone.map((z) => n.fields[z.column]!.name))].join(', ')}`);
      return parts.join(', ');
    }
    case 'rows':
      return `Rows (${n.label})`;
    case 'filter':
      return 'Filter';
    case 'project':
      return 'Project';
    case 'join': {
      const kind = n.type === 'cross' ? 'Nested Loop' : `Hash ${n.type === 'inner' ? '' : n.type[0]!.toUpperCase() + n.type.slice(1) + ' '}Join`;
      const on = n.keyNames.length ? ` on ${n.keyNames.map((k) => `${k.left} = ${k.right}`).join(' and ')}` : '';
      return `${kind} ${n.action}${on}`;
    }
    case 'exchange':
      switch (n.mode) {
        case 'hash':
          return `Redistribute on (${n.keys.map((k) => n.fields[k]!.name).join(', ')})`;
        case 'broadcast':
          return 'Broadcast';
        case 'gather':
          return 'Gather to one slice';
        case 'return':
          return 'Return to leader';
        case 'pick':
          return 'One copy of a replicated input';
      }
      break;
    case 'aggregate':
      return `${n.mode === 'partial' ? 'Partial ' : n.mode === 'final' ? 'Final ' : ''}${n.groups.length ? 'HashAggregate' : 'Aggregate'}`;
    case 'expand':
      return `Expand to ${n.sets.length} grouping sets`;
    case 'sort':
      return n.limit !== null ? `Top-N Sort (${n.limit})` : 'Sort';
    case 'window': {
      const name = (c: number) => n.input.fields[c]!.name;
      const parts = ['Window'];
      if (n.partition.length) parts.push(`partition by (${n.partition.map(name).join(', ')})`);
      if (n.order.length) parts.push(`order by (${n.order.map((k) => `${name(k.column)}${k.desc ? ' desc' : ''}`).join(', ')})`);
      return `${parts.join(' ')}, ${n.placement}`;
    }
    case 'windowLimit': {
      const name = (c: number) => n.input.fields[c]!.name;
      const parts = [`Window Top ${n.limit}`];
      if (n.partition.length) parts.push(`per partition by (${n.partition.map(name).join(', ')})`);
      parts.push(`on ${name(n.key.column)}${n.key.desc ? ' desc' : ''}`);
      return parts.join(' ');
    }
    case 'limit':
      return `Limit${n.limit !== null ? ` ${n.limit}` : ''}${n.offset ? ` offset ${n.offset}` : ''}`;
    case 'union':
      return 'Append';
  }
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

export function explainText(root: PlanNode, stats?: ReadonlyMap<number, NodeStats>): string {
  const lines: string[] = [];
  const walk = (n: PlanNode, depth: number): void => {
    const pad = depth === 0 ? '' : '  '.repeat(depth - 1) + '->  ';
    let line = `${pad}XN ${label(n)}  (rows=${fmt(n.estRows)})`;
    const s = stats?.get(n.id);
    if (stats) {
      const parts = [`actual rows=${fmt(s?.rowsOut ?? 0)}`, `time=${(s?.ms ?? 0).toFixed(1)} ms`];
      if (n.op === 'exchange' || n.op === 'join') parts.push(`moved rows=${fmt(s?.rowsMoved ?? 0)} bytes=${fmt(s?.bytesMoved ?? 0)}`);
      if (n.op === 'scan') parts.push(`blocks scanned=${fmt(s?.blocksScanned ?? 0)} skipped=${fmt(s?.blocksSkipped ?? 0)}`);
      if (n.op === 'scan' && (s?.rowsJoinFiltered ?? 0) > 0) parts.push(`dropped by join key filter=${fmt(s!.rowsJoinFiltered)}`);
      line += `  (${parts.join(', ')})`;
    }
    lines.push(line);
    for (const c of childrenOf(n)) walk(c, depth + 1);
  };
  walk(root, 0);
  return lines.join('\n');
}
