/**
 * Grouping sets at run time (plan/rules/grouping-sets.ts):
 *  - runExpand: each input batch once per set, the input's columns followed
 *    by the key columns (a shared all-NULL column for a key the set leaves
 *    out) and the set number. Nothing is copied per row: a batch of n rows
 *    costs one NULL vector per key and one set-number vector per set;
 *  - withEmptySets: the row an empty grouping set makes over no rows.
 */
import type { Batch, PhysicalKind, Vector } from '../../types.js';
import { physicalKind } from '../../types.js';
import type { AggregateNode, ExpandNode } from '../../plan/physical.js';
import { batchFromRows, type PhysicalValue } from '../../rows.js';
import { concatBatches, nullVector } from '../batch.js';
import { aggregateKind } from '../../functions/registry.js';

export function* runExpand(node: ExpandNode, input: Iterable<Batch>): Generator<Batch> {
  const inSet = node.sets.map((s) => node.keys.map((_, j) => s.includes(j)));
  const kinds: PhysicalKind[] = node.keys.map((c) => physicalKind(node.input.fields[c]!.type));
  // per batch length: the NULL vector of each key and the number vector of each set (batches mostly share a length)
  let length = -1;
  let nulls: Vector[] = [];
  let numbers: Vector[] = [];
  for (const batch of input) {
    const n = batch.length;
    if (n === 0) continue;
    if (n !== length) {
      length = n;
      nulls = kinds.map((k) => nullVector(k, n));
      numbers = node.sets.map((_, s) => ({ kind: 'i32', values: new Int32Array(n).fill(s), nulls: null, length: n }));
    }
    for (let s = 0; s < node.sets.length; s++) {
      const columns = batch.columns.slice();
      const keep = inSet[s]!;
      for (let j = 0; j < node.keys.length; j++) columns.push(keep[j] ? batch.columns[node.keys[j]!]! : nulls[j]!);
      columns.push(numbers[s]!);
      yield { length: n, columns };
    }
  }
}

/**
 * `out` (a grouping-sets aggregate's result on slice 0) with a row for each
 * empty set that has none: NULL keys, the set number, and each aggregate's
 * value over no rows (0 for the counts, NULL for the rest), as a GROUP BY ()
 * gives over an empty input.
 */
export function withEmptySets(node: AggregateNode, out: Batch): Batch {
  const setColumn = node.groups.length - 1;
  const seen = new Set<number>();
  if (out.length > 0) {
    const v = out.columns[setColumn]!;
    if (v.kind === 'str') throw new Error('a grouping set number column of strings');
    for (let i = 0; i < out.length; i++) seen.add(v.values[i]!);
  }
  const missing = node.grouping!.emptySets.filter((s) => !seen.has(s));
  if (missing.length === 0) return out;
  const rows: PhysicalValue[][] = missing.map((s) => [
    ...node.groups.slice(0, setColumn).map(() => null),
    s,
    ...node.aggs.map((a) => aggregateKind(a.fn).empty),
  ]);
  const extra = batchFromRows(node.fields.map((f) => f.type), rows);
  return out.length === 0 ? extra : concatBatches([out, extra], node.fields.map((f) => physicalKind(f.type)));
}
