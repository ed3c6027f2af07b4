/**
 * The registry itself: every SQL name reaches one entry, every entry that
 * compiles has an implementation, operators are not callable by name, every
 * aggregate and window function resolves to its entry and every kind they
 * bind to to its accumulator or evaluator, the binder, planner and executor
 * switch on no function's name, and the hash functions agree with their
 * published results.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_FAMILY,
  FAMILIES,
  WINDOW_FAMILY,
  aggregateKind,
  aggregateNames,
  functionNames,
  implementation,
  isAggregateName,
  isRefusedAggregate,
  lookupAggregate,
  lookupFunction,
  lookupOperator,
  lookupWindowFunction,
  windowEvaluator,
  windowFunctionNames,
} from '../../../engine/functions/registry.js';
import { AGGREGATE_KINDS, type AggFn } from '../../../engine/functions/aggregate-kinds.js';
import { fnvHash64 } from '../../../engine/functions/hash.js';
import { md5, sha2 } from '../../../engine/functions/hash.js';

describe('the function registry', () => {
  it('finds each function by each of its names, and each implementation by the entry\'s first name', () => {
    for (const family of FAMILIES) {
      for (const f of family.functions) {
        if (f.operator) {
          for (const n of f.names) expect(lookupOperator(n)).toBe(f);
          expect(f.names.some((n) => lookupFunction(n) !== undefined)).toBe(false);
          continue;
        }
        for (const n of f.names) expect(lookupFunction(n), n).toBe(f);
      }
      // an entry that compiles is what its first name's implementation is; one that does not (a clock read at bind time) binds to something else
      const compiled = family.functions.filter((f) => !f.operator && f.compile);
      for (const f of compiled) expect(implementation(f.names[0]!).nulls, f.names[0]).toBe(f.nulls);
      for (const id of Object.keys(family.internal ?? {})) expect(implementation(id)).toBe(family.internal![id]);
    }
  });

  it('knows the functions Redshift users reach for', () => {
    const names = new Set(functionNames());
    const wanted = [
      'date_trunc', 'date_part', 'datepart', 'dateadd', 'datediff', 'add_months', 'last_day', 'months_between', 'getdate', 'sysdate', 'current_date',
      'to_char', 'to_date', 'to_number', 'trunc', 'initcap', 'lpad', 'rpad', 'split_part',
      'regexp_substr', 'regexp_replace', 'regexp_count', 'regexp_instr', 'md5', 'sha2', 'fnv_hash', 'nvl2', 'decode',
    ];
    expect(wanted.filter((n) => !names.has(n))).toEqual([]);
  });

  it('refuses an unknown implementation as a bug, not a user error', () => {
    expect(() => implementation('no_such_function')).toThrow('function registry: no implementation no_such_function');
  });
});

describe('aggregates and window functions in the registry', () => {
  it('finds each aggregate by each of its names, and no other kind of function by them', () => {
    for (const f of AGGREGATE_FAMILY.functions) {
      for (const n of f.names) {
        expect(lookupAggregate(n), n).toBe(f);
        expect(isAggregateName(n), n).toBe(true);
        expect(isRefusedAggregate(n), n).toBe(false);
        expect(lookupFunction(n), n).toBeUndefined();
        expect(lookupWindowFunction(n), n).toBeUndefined();
      }
      expect(f.syntax.length > 0 && f.returns !== '' && f.doc !== '' && f.nulls !== '', f.names[0]).toBe(true);
    }
    expect(aggregateNames()).toEqual(AGGREGATE_FAMILY.functions.flatMap((f) => f.names));
  });

  it('refuses the aggregates keel does not compute by name, as aggregates', () => {
    expect(AGGREGATE_FAMILY.refused.length).toBeGreaterThan(0);
    for (const n of AGGREGATE_FAMILY.refused) {
      expect(isAggregateName(n), n).toBe(true);
      expect(isRefusedAggregate(n), n).toBe(true);
      expect(lookupAggregate(n), n).toBeUndefined();
    }
  });

  it('finds each window function by its name, and its evaluator by its kind', () => {
    const kinds = new Set<string>();
    for (const f of WINDOW_FAMILY) {
      for (const n of f.names) {
        expect(lookupWindowFunction(n), n).toBe(f);
        expect(isAggregateName(n), n).toBe(false);
        expect(lookupFunction(n), n).toBeUndefined();
      }
      expect(kinds.has(f.kind), f.kind).toBe(false);
      kinds.add(f.kind);
      expect(typeof windowEvaluator(f.kind), f.kind).toBe('function');
      expect(f.syntax.length > 0 && f.returns !== '' && f.doc !== '' && f.nulls !== '', f.names[0]).toBe(true);
    }
    // aggregates OVER a window have one evaluator, which runs them through their kinds
    expect(typeof windowEvaluator('aggregate')).toBe('function');
    expect(windowFunctionNames()).toEqual(WINDOW_FAMILY.flatMap((f) => f.names));
  });

  it('gives every aggregate kind an accumulator, and a frame evaluator to those that run over frames', () => {
    const ids = Object.keys(AGGREGATE_KINDS) as AggFn[];
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) {
      const k = aggregateKind(id);
      expect(k, id).toBe(AGGREGATE_KINDS[id]);
      expect(typeof k.accumulator, id).toBe('function');
      expect(k.window === 'frames' ? typeof k.frame : 'no frames', id).toBe(k.window === 'frames' ? 'function' : 'no frames');
    }
    // a kind without a partial state needs its group's rows together, as a window aggregate its partition whole
    const whole = ids.filter((id) => aggregateKind(id).partial === null);
    const split = ids.filter((id) => aggregateKind(id).partial !== null);
    expect(whole.length).toBeGreaterThan(0);
    expect(split.length).toBeGreaterThan(0);
    for (const id of whole) expect(aggregateKind(id).window, id).toBe('partition');
    for (const id of split) expect(aggregateKind(id).partial!({ id: 'integer' }, { id: 'bigint' }).length, id).toBeGreaterThan(0);
    expect(() => aggregateKind('noSuchKind' as AggFn)).toThrow('function registry: no aggregate kind noSuchKind');
    expect(() => windowEvaluator('noSuchKind' as 'rank')).toThrow('function registry: no window evaluator noSuchKind');
  });

  it('knows the aggregates and window functions Redshift users reach for', () => {
    const aggregates = ['count', 'sum', 'avg', 'min', 'max', 'listagg', 'median', 'percentile_cont', 'percentile_disc', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'bool_and', 'bool_or', 'any_value'];
    expect(aggregates.filter((n) => !lookupAggregate(n))).toEqual([]);
    expect(lookupAggregate('count')!.approximate).toBeTypeOf('function');
    const windows = ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value'];
    expect(windows.filter((n) => !lookupWindowFunction(n))).toEqual([]);
  });

  it('leaves no switch on an aggregate or window function name in the binder, the planner or the executor', () => {
    const engine = path.resolve(__dirname, '../../../engine');
    const files = ['plan', 'exec'].flatMap((d) => sources(path.join(engine, d)));
    expect(files.some((f) => f.endsWith(path.join('plan', 'bind-expr.ts')))).toBe(true);
    expect(files.some((f) => f.endsWith(path.join('plan', 'bind-window.ts')))).toBe(true);
    const names = [...aggregateNames(), ...windowFunctionNames()];
    // the kinds' ids name implementations, not SQL functions; a SQL name spelled like one ('sum', 'rank') is checked as a comparison below
    const kindIds = new Set<string>([...Object.keys(AGGREGATE_KINDS), ...WINDOW_FAMILY.map((f) => f.kind)]);
    const spelled = names.filter((n) => !kindIds.has(n));
    expect(spelled).toContain('percentile_cont');
    expect(spelled).toContain('row_number');
    const found: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const n of spelled) if (text.includes(`'${n}'`) || text.includes(`"${n}"`)) found.push(`${path.relative(engine, f)}: '${n}'`);
      // a call's name compared with a literal (GROUPING and GROUPING_ID are grouping-set constructs, bound by bind-grouping.ts)
      for (const m of text.matchAll(/\bname\s*[!=]==?\s*'([a-z_]+)'/g)) if (m[1] !== 'grouping' && m[1] !== 'grouping_id') found.push(`${path.relative(engine, f)}: name === '${m[1]}'`);
    }
    expect(found).toEqual([]);
  });
});

/** The TypeScript sources under a folder. */
function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('hashes', () => {
  it("FNV_HASH is Redshift's FNV-1a: the examples of Redshift's manual", () => {
    expect(fnvHash64([1], [4])).toBe(-5968735742475085980n);
    expect(fnvHash64(['Amazon Redshift'], [0])).toBe(7783490368944507294n);
    expect(fnvHash64(['Amazon Redshift'], [0], -5968735742475085980n)).toBe(-2202602717770968555n);
    expect(fnvHash64(['abcd'], [0])).toBe(-281581062704388899n);
    expect(fnvHash64(['cd'], [0], fnvHash64(['ab'], [0]))).toBe(-281581062704388899n);
    // one chained call is the hash of the values in turn
    expect(fnvHash64(['ab', 'cd'], [0, 0])).toBe(-281581062704388899n);
  });

  it('hashes a string as UTF-8 and an integer as its width in bytes', () => {
    expect(fnvHash64(['é'], [0])).toBe(fnvHash64([0xc3, 0xa9], [1, 1]));
    expect(fnvHash64([-1], [8])).not.toBe(fnvHash64([-1], [4]));
  });

  it('MD5 and SHA-2 are the standard digests', () => {
    expect(md5('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(sha2('abc', 256)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha2('abc', 0)).toBe(sha2('abc', 256));
  });
});
