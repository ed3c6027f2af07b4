/**
 * Window functions that are no aggregates: ranking (ROW_NUMBER ... NTILE) and
 * the ones that return another row's value (LAG, LEAD, FIRST_VALUE,
 * LAST_VALUE, NTH_VALUE). Each binds its call to one WindowFunc of its kind
 * (plan/window-spec.ts) and evaluates that kind over a window node whose rows
 * are sorted once (exec/ops/window*.ts). Aggregates OVER a window are the
 * aggregate entries (aggregate.ts); `evaluateAggregate` runs them through their
 * kinds (aggregate-kinds.ts): over frames, or over whole partitions.
 *
 * What every window call shares plan/bind-window.ts checks before `bind`: OVER
 * clause, nesting, FILTER, DISTINCT, `*`, WITHIN GROUP, IGNORE NULLS for
 * entries that do not take it.
 */
import type { Vector } from '../types.js';
import type { Expr } from '../plan/expr.js';
import type { WindowFunc } from '../plan/window-spec.js';
import { BIGINT, DOUBLE, INTEGER, isInteger, lit, shortName } from '../plan/coerce.js';
import { GroupState } from '../exec/ops/accumulators.js';
import { ranking } from '../exec/ops/window-rank.js';
import { frameValue, lagLead, pickValues } from '../exec/ops/window-value.js';
import { partitionAggregate, partitionSpec, type AggFunc } from '../exec/ops/window-aggregate.js';
import { AGGREGATE_KINDS } from './aggregate-kinds.js';
import type { WindowFunction, WindowInput, WindowKind } from './types.js';

type Of<K extends WindowKind> = Extract<WindowFunc<number>, { kind: K }>;

const rank = (f: WindowFunc<number>, c: WindowInput): Vector => ranking(f as Of<'rowNumber' | 'rank' | 'denseRank' | 'percentRank' | 'cumeDist' | 'ntile'>, c.layout);

/** A ranking function without arguments. */
function ranked(name: string, kind: 'rowNumber' | 'rank' | 'denseRank' | 'percentRank' | 'cumeDist', double: boolean, doc: string): WindowFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}()`],
    returns: double ? 'DOUBLE PRECISION' : 'BIGINT',
    doc,
    nulls: 'no arguments',
    ignoreNulls: false,
    kind,
    bind(w) {
      w.argc(0, 0);
      return { kind, type: double ? DOUBLE : BIGINT };
    },
    evaluate: rank,
  };
}

const NTILE: WindowFunction = {
  names: ['ntile'],
  syntax: ['NTILE(n)'],
  returns: 'BIGINT',
  doc: 'Buckets 1..n of (nearly) equal size, the first ones one row larger; n a positive constant.',
  nulls: 'NULL n: NULL on every row',
  ignoreNulls: false,
  kind: 'ntile',
  bind(w) {
    w.argc(1, 1);
    const buckets = w.constantInteger(0, 'the argument of NTILE');
    if (buckets !== null && buckets <= 0) throw w.rules.error('INVALID_VALUE', 'argument of ntile must be greater than zero', w.argPos(0));
    return { kind: 'ntile', buckets, type: BIGINT };
  },
  evaluate: rank,
};

/** LAG and LEAD: x on the row `offset` rows before (after), else the fallback on the current row. */
function shifted(name: 'lag' | 'lead'): WindowFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(x [, offset [, default]])`],
    returns: "x's type (unified with default's)",
    doc: `x on the row \`offset\` (default 1) rows ${name === 'lag' ? 'before' : 'after'} in the partition, else \`default\` (evaluated on the current row; NULL when absent); the offset may be read per row, and a negative one looks the other way.`,
    nulls: 'IGNORE NULLS skips rows whose x is NULL; a NULL offset gives NULL',
    ignoreNulls: true,
    kind: name,
    bind(w) {
      w.argc(1, 3);
      let x = w.value(0);
      let offset: Expr = lit(1, INTEGER);
      if (w.count >= 2) {
        offset = w.arg(1);
        if (w.rules.isUnknown(offset)) offset = w.rules.castTo(offset, INTEGER, 'implicit', w.argPos(1));
        if (!isInteger(offset.type)) throw w.rules.error('TYPE_MISMATCH', `the offset of ${name} must be an integer, not ${shortName(offset.type)}`, w.argPos(1));
      }
      let fallback: Expr | null = null;
      if (w.count === 3) {
        [x, fallback] = w.rules.unify([x, w.arg(2)], [w.argPos(0), w.argPos(2)], name.toUpperCase()) as [Expr, Expr];
      }
      // a constant offset is the function's; any other is read per row, as an argument column
      const constant = w.rules.fold(offset);
      const fixed = constant.k === 'lit' ? (constant.value as number | null) : null;
      const perRow = constant.k === 'lit' ? null : offset;
      return { kind: name, arg: x, offset: fixed, offsetArg: perRow, fallback, ignoreNulls: w.ignoreNulls, type: x.type };
    },
    evaluate(fn, c) {
      const f = fn as Of<'lag' | 'lead'>;
      const arg = c.batch.columns[f.arg]!;
      const fallback = f.fallback === null ? null : c.batch.columns[f.fallback]!;
      const offsets = f.offsetArg === null ? null : c.batch.columns[f.offsetArg]!;
      return pickValues(arg, lagLead(f, arg, offsets, fallback !== null, c.layout), fallback);
    },
  };
}

/** FIRST_VALUE, LAST_VALUE, NTH_VALUE: x on a row of the frame. */
const frameValues = (fn: WindowFunc<number>, c: WindowInput): Vector => {
  const f = fn as Of<'firstValue' | 'lastValue' | 'nthValue'>;
  const arg = c.batch.columns[f.arg]!;
  return pickValues(arg, frameValue(f, arg, c.bounds(f.frame), c.layout), null);
};

function edge(name: 'first_value' | 'last_value', kind: 'firstValue' | 'lastValue'): WindowFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(x)`],
    returns: "x's type",
    doc: `x on the frame's ${kind === 'firstValue' ? 'first' : 'last'} row (NULL for an empty frame).`,
    nulls: 'IGNORE NULLS skips rows whose x is NULL',
    ignoreNulls: true,
    kind,
    bind(w) {
      w.argc(1, 1);
      const x = w.value(0);
      return { kind, arg: x, frame: w.frame, ignoreNulls: w.ignoreNulls, type: x.type };
    },
    evaluate: frameValues,
  };
}

const NTH_VALUE: WindowFunction = {
  names: ['nth_value'],
  syntax: ['NTH_VALUE(x, n)'],
  returns: "x's type",
  doc: "x on the frame's n-th row; n a positive constant.",
  nulls: 'IGNORE NULLS skips rows whose x is NULL; a NULL n gives NULL',
  ignoreNulls: true,
  kind: 'nthValue',
  bind(w) {
    w.argc(2, 2);
    const x = w.value(0);
    const nth = w.constantInteger(1, 'the second argument of NTH_VALUE');
    if (nth !== null && nth <= 0) throw w.rules.error('INVALID_VALUE', 'argument of nth_value must be greater than zero', w.argPos(1));
    return { kind: 'nthValue', arg: x, n: nth, frame: w.frame, ignoreNulls: w.ignoreNulls, type: x.type };
  },
  evaluate: frameValues,
};

export const WINDOW_FUNCTIONS: readonly WindowFunction[] = [
  ranked('row_number', 'rowNumber', false, "1, 2, ... in the partition's order (rows that tie are numbered in no particular order)."),
  ranked('rank', 'rank', false, "1 + the rows before the row's peer group."),
  ranked('dense_rank', 'denseRank', false, "1 + the peer groups before the row's."),
  ranked('percent_rank', 'percentRank', true, '(RANK − 1) / (rows − 1), 0 for a partition of one row.'),
  ranked('cume_dist', 'cumeDist', true, "The rows up to the row's last peer / the partition's rows."),
  NTILE,
  shifted('lag'),
  shifted('lead'),
  edge('first_value', 'firstValue'),
  edge('last_value', 'lastValue'),
  NTH_VALUE,
];

/**
 * An aggregate OVER a window, through its kind: over each row's frame in O(n)
 * for the partition, or (the kinds that need their partition whole) the GROUP
 * BY accumulator with one group per partition.
 */
export function evaluateAggregate(fn: WindowFunc<number>, c: WindowInput): Vector {
  const f = fn as AggFunc;
  const kind = AGGREGATE_KINDS[f.fn];
  const argType = f.arg !== null ? c.fields[f.arg]!.type : null;
  if (kind.window === 'frames') {
    if (!kind.frame) throw new Error(`window aggregate ${f.fn} has no frame evaluator`);
    return kind.frame({ f, arg: f.arg !== null ? c.batch.columns[f.arg]! : null, argType, layout: c.layout, bounds: c.bounds(f.frame) });
  }
  const acc = kind.accumulator({ spec: partitionSpec(f), argType, mode: 'complete', state: new GroupState() });
  return partitionAggregate(f, c.batch, c.layout, acc);
}
