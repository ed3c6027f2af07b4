/**
 * Test helper: renders expressions as compact s-expressions, so a test can say
 * `(or a (and b c))` instead of spelling out nested objects. Subqueries print
 * as <query>; use the tree itself when the query matters.
 */
import type { Expr, FrameBound, OrderItem, WindowSpec } from '../../../engine/sql/index.js';
import { typeName } from '../../../engine/types.js';

export function sx(e: Expr): string {
  const not = (negated: boolean): string => (negated ? 'not-' : '');
  switch (e.kind) {
    case 'column':
      return e.table ? `${e.table.name}.${e.name.name}` : e.name.name;
    case 'number':
      return e.text;
    case 'string':
      return `'${e.value}'`;
    case 'boolean':
      return String(e.value);
    case 'null':
      return 'null';
    case 'typed':
      return `(${e.type.id} '${e.value}')`;
    case 'param':
      return `$${e.index}`;
    case 'interval':
      return `(interval ${e.months} ${e.days} ${e.micros})`;
    case 'unary':
    case 'binary':
      return e.kind === 'unary' ? `(${e.op} ${sx(e.arg)})` : `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'isNull':
      return `(is-${not(e.negated)}null ${sx(e.arg)})`;
    case 'isBool':
      return `(is-${not(e.negated)}${e.value} ${sx(e.arg)})`;
    case 'between':
      return `(${not(e.negated)}between ${sx(e.arg)} ${sx(e.low)} ${sx(e.high)})`;
    case 'inList':
      return `(${not(e.negated)}in ${sx(e.arg)} (${e.list.map(sx).join(' ')}))`;
    case 'inSubquery':
      return `(${not(e.negated)}in ${sx(e.arg)} <query>)`;
    case 'exists':
      return `(${not(e.negated)}exists <query>)`;
    case 'subquery':
      return '<query>';
    case 'quantified':
      return `(${e.op} ${e.quantifier} ${sx(e.arg)} <query>)`;
    case 'like':
      return `(${not(e.negated)}${e.caseInsensitive ? 'ilike' : 'like'} ${sx(e.arg)} ${sx(e.pattern)}${e.escape ? ' ' + sx(e.escape) : ''})`;
    case 'match': {
      const op = e.syntax === 'similar' ? 'similar' : e.caseInsensitive ? '~*' : '~';
      return `(${not(e.negated)}${op} ${sx(e.arg)} ${sx(e.pattern)}${e.escape ? ' ' + sx(e.escape) : ''})`;
    }
    case 'distinctFrom':
      return `(is-${not(e.negated)}distinct-from ${sx(e.left)} ${sx(e.right)})`;
    case 'case': {
      const parts = e.whens.map((w) => `(when ${sx(w.when)} ${sx(w.then)})`);
      if (e.operand) parts.unshift(sx(e.operand));
      if (e.otherwise) parts.push(`(else ${sx(e.otherwise)})`);
      return `(case ${parts.join(' ')})`;
    }
    case 'cast':
      return `(cast ${sx(e.arg)} ${typeName(e.type)})`;
    case 'extract':
      return `(extract ${e.field} ${sx(e.arg)})`;
    case 'function': {
      const args = e.star ? ['*'] : e.args.map(sx);
      if (e.withinGroup) {
        const keys = e.withinGroup.map((o) => sx(o.expr) + (o.desc ? ' desc' : '') + (o.nullsFirst === null ? '' : o.nullsFirst ? ' nulls first' : ' nulls last'));
        args.push(`(within group ${keys.join(', ')})`);
      }
      if (e.filter) args.push(`(filter ${sx(e.filter)})`);
      if (e.ignoreNulls) args.push('ignore-nulls');
      if (e.over) args.push(sxWindow(e.over));
      return `(${e.approximate ? 'approximate ' : ''}${e.name}${e.distinct ? ' distinct' : ''}${args.length ? ' ' + args.join(' ') : ''})`;
    }
  }
}

/** A deep copy without any `pos` field, for comparing trees parsed from different text. */
export function withoutPos<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'pos' ? undefined : v))) as T;
}

function sxOrder(o: OrderItem): string {
  return sx(o.expr) + (o.desc ? ' desc' : '') + (o.nullsFirst === null ? '' : o.nullsFirst ? ' nulls first' : ' nulls last');
}

function sxBound(b: FrameBound): string {
  return b.kind === 'preceding' || b.kind === 'following' ? `${sx(b.offset)} ${b.kind}` : b.kind;
}

/** (over [base] (partition ...) (order ...) (rows|range start end)) */
export function sxWindow(w: WindowSpec): string {
  const parts = ['over'];
  if (w.base) parts.push(w.base.name);
  if (w.partitionBy.length) parts.push(`(partition ${w.partitionBy.map(sx).join(' ')})`);
  if (w.orderBy.length) parts.push(`(order ${w.orderBy.map(sxOrder).join(', ')})`);
  if (w.frame) parts.push(`(${w.frame.unit} ${sxBound(w.frame.start)}, ${sxBound(w.frame.end)})`);
  return `(${parts.join(' ')})`;
}
