/** The stored form of a record: every field survives the round trip; damage is named, not thrown. */
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../workload-log/codec.js';
import { record } from './helpers.js';

describe('record codec', () => {
  it('round-trips every field', () => {
    const r = record({
      n: 3,
      status: 'error',
      error: { code: 'DIVISION_BY_ZERO', message: 'division by zero, "really"' },
      joins: [{ left: 't.a', right: 'u.b', keys: [{ left: 't.a', right: 'u.b' }, { left: 't.c', right: 'u.d' }], type: 'left', action: 'DS_DIST_BOTH', leftRows: 5, rightRows: 6, rowsMoved: 7, bytesMoved: 8 }],
      groupBy: ['t.a'],
      orderBy: ['t.b', 't.a'],
      source: 'replay',
    });
    const withNulls = { ...r, scans: [{ ...r.scans[0]!, predicates: [{ column: 'a', op: 'other', literal: null, estSelectivity: 0.25, actualSelectivity: null }] }] };
    for (const x of [r, withNulls]) expect(decodeRecord(JSON.parse(encodeRecord(x, 'api')))).toEqual(x);
  });

  it('keeps the transaction id; reads records written before it had one', () => {
    const r = { ...record(), transactionId: 'tx-1' };
    expect(decodeRecord(JSON.parse(encodeRecord(r, 'api')))).toEqual(r);
    const without = record();
    const stored = JSON.parse(encodeRecord(without, 'api')) as unknown[];
    expect(stored[23]).toBeNull();
    // a record of the layout before transactionId: 23 fields
    const old = decodeRecord(stored.slice(0, 23));
    expect(old).toEqual(without);
    expect(old).not.toHaveProperty('transactionId');
  });

  it('keeps the user id and the queue time, each alone or both, and the records without them stay as long as before', () => {
    for (const extra of [{ userId: 101 }, { queueMs: 12.5 }, { userId: 100, queueMs: 0 }, { resultCacheHit: true as const, queueMs: 3 }]) {
      const r = { ...record(), transactionId: 'tx-1', ...extra };
      expect(decodeRecord(JSON.parse(encodeRecord(r, 'api')))).toEqual(r);
    }
    expect(JSON.parse(encodeRecord({ ...record(), transactionId: 'tx-1' }, 'api'))).toHaveLength(24);
    const stored = JSON.parse(encodeRecord({ ...record(), transactionId: 'tx-1', userId: 100 }, 'api')) as unknown[];
    expect(decodeRecord(stored.map((v, i) => (i === 25 ? 'alice' : v)))).toBe('userId is not a number');
  });

  it('adds the source a record lacks', () => {
    const { source: _source, ...engineRecord } = record();
    expect(decodeRecord(JSON.parse(encodeRecord(engineRecord, 'cli')))).toMatchObject({ source: 'cli' });
  });

  it('says what is wrong with a damaged record', () => {
    const a = JSON.parse(encodeRecord(record(), 'api')) as unknown[];
    expect(decodeRecord({ id: 'x' })).toBe('the record is not a list');
    expect(decodeRecord([2, ...a.slice(1)])).toMatch(/version 2 is newer/);
    expect(decodeRecord(a.map((v, i) => (i === 2 ? 'yesterday' : v)))).toBe('startTime is not a time');
    expect(decodeRecord(a.map((v, i) => (i === 6 ? 42 : v)))).toBe('sql is not a string');
    expect(decodeRecord(a.slice(0, 18))).toBe('scans is not a list');
  });
});
