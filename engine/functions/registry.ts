/**
 * The function registry: every function keel knows, by name (scalar,
 * aggregate and window functions), every implementation the compiler can
 * call, by id, and every aggregate kind and window evaluator the executor
 * runs, by id. Built once from the families; a name or id defined twice is a
 * bug caught when the module loads.
 */
import { CONDITIONAL } from './conditional.js';
import { DATE_FUNCTIONS } from './date.js';
import { FORMAT } from './format.js';
import { HASH } from './hash.js';
import { PG_CATALOG_FUNCTIONS } from './pg-catalog.js';
import { MATH } from './math.js';
import { REGEX } from './regex.js';
import { STRING } from './string.js';
import { AGGREGATES } from './aggregate.js';
import { AGGREGATE_KINDS, type AggFn, type AggregateKind } from './aggregate-kinds.js';
import { WINDOW_FUNCTIONS, evaluateAggregate } from './window.js';
import type { AggregateFamily, AggregateFunction, Family, Implementation, ScalarFunction, WindowFunction, WindowInput, WindowKind } from './types.js';
import type { WindowFunc } from '../plan/window-spec.js';
import type { Vector } from '../types.js';

/** The families in the reference's order. */
export const FAMILIES: readonly Family[] = [STRING, MATH, DATE_FUNCTIONS, FORMAT, CONDITIONAL, REGEX, HASH, PG_CATALOG_FUNCTIONS];

const byName = new Map<string, ScalarFunction>();
const byOperator = new Map<string, ScalarFunction>();
const byId = new Map<string, Implementation>();

for (const family of FAMILIES) {
  for (const f of family.functions) {
    const names = f.operator ? byOperator : byName;
    for (const name of f.names) {
      if (names.has(name)) throw new Error(`function registry: ${name} is defined twice`);
      names.set(name, f);
    }
    if (f.compile) define(f.names[0], { nulls: f.nulls, compile: f.compile.bind(f) });
  }
  for (const [id, impl] of Object.entries(family.internal ?? {})) define(id, impl);
}

function define(id: string, impl: Implementation): void {
  if (byId.has(id)) throw new Error(`function registry: implementation ${id} is defined twice`);
  byId.set(id, impl);
}

/** The function a SQL name calls, or undefined. */
export function lookupFunction(name: string): ScalarFunction | undefined {
  return byName.get(name);
}

/** The entry that binds an operator ('~', 'similar to', 'is distinct from'); an unknown one is a bug in the binder. */
export function lookupOperator(symbol: string): ScalarFunction {
  const f = byOperator.get(symbol);
  if (!f) throw new Error(`function registry: no operator ${symbol}`);
  return f;
}

/** Every SQL name of a scalar function (for "did you mean"). */
export function functionNames(): readonly string[] {
  return [...byName.keys()];
}

/** The implementation a bound FnExpr names; an unknown id is a bug in a binding rule. */
export function implementation(id: string): Implementation {
  const impl = byId.get(id);
  if (!impl) throw new Error(`function registry: no implementation ${id}`);
  return impl;
}

// ---------------------------------------------------------------- aggregates and window functions

/** The aggregate functions, in the reference's order. */
export const AGGREGATE_FAMILY: AggregateFamily = AGGREGATES;
/** The window functions that are no aggregates, in the reference's order. */
export const WINDOW_FAMILY: readonly WindowFunction[] = WINDOW_FUNCTIONS;

const aggregateByName = new Map<string, AggregateFunction>();
const refusedAggregates = new Set<string>(AGGREGATES.refused);
const windowByName = new Map<string, WindowFunction>();
const evaluators = new Map<WindowKind, (f: WindowFunc<number>, c: WindowInput) => Vector>([['aggregate', evaluateAggregate]]);

for (const f of AGGREGATES.functions) {
  for (const name of f.names) {
    if (aggregateByName.has(name) || byName.has(name) || refusedAggregates.has(name)) throw new Error(`function registry: ${name} is defined twice`);
    aggregateByName.set(name, f);
  }
}
for (const f of WINDOW_FUNCTIONS) {
  for (const name of f.names) {
    if (windowByName.has(name) || aggregateByName.has(name) || byName.has(name)) throw new Error(`function registry: ${name} is defined twice`);
    windowByName.set(name, f);
  }
  if (evaluators.has(f.kind)) throw new Error(`function registry: window kind ${f.kind} is defined twice`);
  evaluators.set(f.kind, f.evaluate.bind(f));
}

/** The aggregate function a SQL name calls, or undefined (a refused aggregate's name too). */
export function lookupAggregate(name: string): AggregateFunction | undefined {
  return aggregateByName.get(name);
}

/** Whether a call of that name is an aggregate: one keel computes, or one it refuses as unsupported. */
export function isAggregateName(name: string): boolean {
  return aggregateByName.has(name) || refusedAggregates.has(name);
}

/** Whether the name is an aggregate keel refuses (UNSUPPORTED, rather than an unknown function). */
export function isRefusedAggregate(name: string): boolean {
  return refusedAggregates.has(name);
}

/** Every SQL name of an aggregate keel computes (for "did you mean"). */
export function aggregateNames(): readonly string[] {
  return [...aggregateByName.keys()];
}

/** The aggregate kind a plan names; an unknown id is a bug in a binding rule. */
export function aggregateKind(fn: AggFn): AggregateKind {
  const k = AGGREGATE_KINDS[fn];
  if (!k) throw new Error(`function registry: no aggregate kind ${fn}`);
  return k;
}

/** The window function (not an aggregate) a SQL name calls, or undefined. */
export function lookupWindowFunction(name: string): WindowFunction | undefined {
  return windowByName.get(name);
}

/** Every SQL name of a window function that is no aggregate. */
export function windowFunctionNames(): readonly string[] {
  return [...windowByName.keys()];
}

/** The evaluator of a window function kind; an unknown one is a bug in a binding rule. */
export function windowEvaluator(kind: WindowKind): (f: WindowFunc<number>, c: WindowInput) => Vector {
  const e = evaluators.get(kind);
  if (!e) throw new Error(`function registry: no window evaluator ${kind}`);
  return e;
}
