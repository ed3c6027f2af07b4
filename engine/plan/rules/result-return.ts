/**
 * The gather under the query's final ORDER BY and LIMIT brings the result to
 * the leader, as the return of an unordered query does: it is the result
 * coming back, not rows moved between slices to compute it, so it is marked a
 * return and not counted as moved (a LIMIT or ORDER BY does not change a
 * query's bytes moved).
 */
import type { PlanNode } from '../physical.js';

export function returnAtTop(node: PlanNode): PlanNode {
  if (node.op === 'exchange') return node.mode === 'gather' ? { ...node, mode: 'return' } : node;
  if (node.op === 'limit' || node.op === 'sort' || node.op === 'project') return { ...node, input: returnAtTop(node.input) } as PlanNode;
  return node;
}
