/**
 * The registry itself: every SQL name reaches one entry, every entry that
 * compiles has an implementation, operators are not callable by name, and the
 * hash functions agree with their published results.
 */
import { describe, expect, it } from 'vitest';
import { FAMILIES, functionNames, implementation, lookupFunction, lookupOperator } from '../../../engine/functions/registry.js';
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
