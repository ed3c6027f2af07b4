/** Walking the SQL syntax tree: an expression's direct operands, for the parser's nesting check and the binder. */
import type { Expr } from './ast.js';

/** Direct child expressions (not those inside subqueries). */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'number':
    case 'string':
    case 'boolean':
    case 'null':
    case 'typed':
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
      return e.escape ? [e.arg, e.pattern, e.escape] : [e.arg, e.pattern];
    case 'case': {
      const out: Expr[] = [];
      if (e.operand) out.push(e.operand);
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.otherwise) out.push(e.otherwise);
      return out;
    }
    case 'function':
      return e.withinGroup ? [...e.args, ...e.withinGroup.map((o) => o.expr)] : [...e.args];
  }
}
