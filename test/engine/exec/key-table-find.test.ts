/** KeyTable.find (engine/exec/key-table.ts): the ids insert gave, -1 for keys never inserted, nothing added; dense, hashed and several-column tables. */
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../../engine/exec/key-table.js';

function ids(t: KeyTable, cols: number[][], find: boolean): number[] {
  const n = cols[0]!.length;
  const out = new Int32Array(n);
  const arrays = cols.map((c) => Float64Array.from(c));
  if (find) t.find(arrays, n, out);
  else t.insert(arrays, n, out);
  return [...out];
}

describe('KeyTable.find', () => {
  it.each([
    ['dense integers', [[5, 7, 5, NaN, 9]], [[7, 6, NaN, 5, 1e6]]],
    ['hashed doubles', [[0.5, 1e12, -3.25, NaN]], [[1e12, 2.5, NaN, 0.5]]],
    ['two columns', [[1, 1, 2, NaN], [10, 20, 10, 10]], [[1, 2, 2, NaN, 1], [20, 20, 10, 10, 30]]],
  ])('%s', (_name, inserted, probed) => {
    const t = new KeyTable(inserted.length);
    const given = ids(t, inserted, false);
    const size = t.size;
    const found = ids(t, probed, true);
    expect(t.size).toBe(size);
    // expected: the id the same tuple got at insert, else -1
    const key = (cols: number[][], i: number) => JSON.stringify(cols.map((c) => (Number.isNaN(c[i]) ? 'null' : c[i])));
    const byKey = new Map(given.map((id, i) => [key(inserted, i), id]));
    expect(found).toEqual(probed[0]!.map((_, i) => byKey.get(key(probed, i)) ?? -1));
  });
});
