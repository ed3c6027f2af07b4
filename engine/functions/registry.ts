/**
 * The function registry: every scalar function keel knows, by name, and every
 * implementation the compiler can call, by id. Built once from the families;
 * a name or id defined twice is a bug caught when the module loads.
 */
import { CONDITIONAL } from './conditional.js';
import { DATE_FUNCTIONS } from './date.js';
import { FORMAT } from './format.js';
import { HASH } from './hash.js';
import { MATH } from './math.js';
import { REGEX } from './regex.js';
import { STRING } from './string.js';
import type { Family, Implementation, ScalarFunction } from './types.js';

/** The families in the reference's order. */
export const FAMILIES: readonly Family[] = [STRING, MATH, DATE_FUNCTIONS, FORMAT, CONDITIONAL, REGEX, HASH];

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
