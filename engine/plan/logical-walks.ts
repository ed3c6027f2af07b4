/** Questions asked of a whole bound query: which tables it reads, whether it reads a system table. */
import type { TableMeta } from '../catalog/catalog.js';
import type { LogicalNode } from './logical.js';

/** The tables a bound query reads (its scans, through views), each once, in order of appearance. */
export function tablesRead(node: LogicalNode, out: TableMeta[] = []): TableMeta[] {
  switch (node.op) {
    case 'get':
      if (!out.some((t) => t.id === node.table.id)) out.push(node.table);
      return out;
    case 'rows':
    case 'system':
      return out;
    case 'join':
    case 'setop':
      tablesRead(node.left, out);
      return tablesRead(node.right, out);
    case 'union':
      for (const i of node.inputs) tablesRead(i, out);
      return out;
    default:
      return tablesRead(node.input, out);
  }
}

/** Whether a bound query reads a system table (whose rows have no version a view could record). */
export function readsSystemTable(node: LogicalNode): boolean {
  switch (node.op) {
    case 'system':
      return true;
    case 'get':
    case 'rows':
      return false;
    case 'join':
    case 'setop':
      return readsSystemTable(node.left) || readsSystemTable(node.right);
    case 'union':
      return node.inputs.some(readsSystemTable);
    default:
      return readsSystemTable(node.input);
  }
}
