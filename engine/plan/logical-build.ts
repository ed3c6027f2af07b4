/**
 * Constructors of logical plan nodes (logical.ts), for the query and subquery
 * binders: each node with its output fields derived from its inputs.
 */
import type { Batch } from '../types.js';
import type { Expr } from './expr.js';
import type { LogicalAgg, LogicalNode } from './logical.js';
import type { Field, JoinType } from './physical.js';

const ONE_ROW: Batch = { length: 1, columns: [] };

export function oneRow(): LogicalNode {
  return { op: 'rows', batches: [ONE_ROW], label: 'one row', fields: [] };
}

export function filterNode(input: LogicalNode, predicate: Expr): LogicalNode {
  return { op: 'filter', input, predicate, fields: input.fields };
}

export function projectNode(input: LogicalNode, exprs: readonly Expr[], fields: readonly Field[]): LogicalNode {
  return { op: 'project', input, exprs, fields };
}

export function joinNode(type: JoinType | 'single', left: LogicalNode, right: LogicalNode, condition: Expr | null): LogicalNode {
  const keepsRight = type !== 'semi' && type !== 'anti' && type !== 'antiNullAware';
  return { op: 'join', type, left, right, condition, fields: keepsRight ? [...left.fields, ...right.fields] : left.fields };
}

export function limitNode(input: LogicalNode, limit: number | null, offset: number): LogicalNode {
  return { op: 'limit', input, limit, offset, fields: input.fields };
}

export function aggregateNode(input: LogicalNode, groups: readonly Expr[], groupFields: readonly Field[], aggs: readonly LogicalAgg[], aggFields: readonly Field[]): LogicalNode {
  return { op: 'aggregate', input, groups, aggs, fields: [...groupFields, ...aggFields] };
}

/** All columns of a node as column expressions. */
export function allColumns(node: LogicalNode, offset = 0): Expr[] {
  return node.fields.map((f, i): Expr => ({ k: 'col', index: i + offset, type: f.type }));
}
