/** Walking the SQL syntax tree: an expression's direct operands, for the parser's nesting check and the binder. */
import type { Expr, GroupingElement, WindowSpec } from './ast.js';

/** Direct child expressions (not those inside subqueries). */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'number':
    case 'string':
    case 'boolean':
    case 'null':
    case 'typed':
    case 'param':
    case 'interval':
    case 'exists':
    case 'subquery':
      return [];
    case 'unary':
      return [e.arg];
    case 'binary':
      return [e.left, e.right];
    case 'isNull':
    case 'isBool':
    case 'cast':
    case 'extract':
      return [e.arg];
    case 'between':
      return [e.arg, e.low, e.high];
    case 'inList':
      return [e.arg, ...e.list];
    case 'inSubquery':
    case 'quantified':
      return [e.arg];
    case 'like':
    case 'match':
      return e.escape ? [e.arg, e.pattern, e.escape] : [e.arg, e.pattern];
    case 'distinctFrom':
      return [e.left, e.right];
    case 'case': {
      const out: Expr[] = [];
      if (e.operand) out.push(e.operand);
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.otherwise) out.push(e.otherwise);
      return out;
    }
    case 'function': {
      const out = [...e.args];
      if (e.withinGroup) for (const o of e.withinGroup) out.push(o.expr);
      if (e.filter) out.push(e.filter);
      if (e.over) out.push(...windowSpecChildren(e.over));
      return out;
    }
  }
}

/** Every expression written in GROUP BY grouping elements (ROLLUP, CUBE, GROUPING SETS), in order. */
export function groupingElementExprs(elements: readonly GroupingElement[]): Expr[] {
  const out: Expr[] = [];
  const stack: GroupingElement[] = [...elements].reverse();
  while (stack.length) {
    const g = stack.pop()!;
    if (g.kind === 'set') out.push(...g.exprs);
    else if (g.kind === 'groupingSets') for (let i = g.elements.length - 1; i >= 0; i--) stack.push(g.elements[i]!);
    else for (const item of g.items) out.push(...item);
  }
  return out;
}

/** The expressions of a window specification: PARTITION BY, ORDER BY and the frame's offsets. */
export function windowSpecChildren(w: WindowSpec): Expr[] {
  const out: Expr[] = [...w.partitionBy];
  for (const o of w.orderBy) out.push(o.expr);
  if (w.frame) {
    for (const b of [w.frame.start, w.frame.end]) if (b.kind === 'preceding' || b.kind === 'following') out.push(b.offset);
  }
  return out;
}
