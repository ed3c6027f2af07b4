/**
 * Joins do not spill yet: a hash join whose build side is over the memory
 * limit fails with ExecError MEMORY_LIMIT naming it, not with an
 * out-of-memory crash; under a limit it fits, it gives the unlimited run's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../../engine/index.js';
import { compareResults } from '../../../helpers/oracle.js';
import { makeFixture, spillLeft, type Fixture } from './spill-fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await makeFixture('keel-join-limit-');
}, 120_000);

afterAll(() => fx?.close());

const join = 'select a.g, count(*), sum(b.x) from t a join t b on a.id = b.g group by a.g';

describe('hash join under the memory limit', () => {
  it('a build side over the limit is a MEMORY_LIMIT error naming the join', async () => {
    const db = await Database.open(fx.dir, { workers: 0, memoryLimit: 64 * 1024 });
    try {
      await expect(db.query(join)).rejects.toMatchObject({ code: 'MEMORY_LIMIT', message: expect.stringMatching(/^hash join build side \(joins do not spill\) needs about/) });
      // the session goes on: a query that fits runs
      expect((await db.query('select count(*) from t')).rows()).toEqual([[120_000]]);
    } finally {
      db.close();
    }
    expect(spillLeft(fx.dir)).toEqual([]);
  });

  it('under a limit the build side fits, the rows are the unlimited run\'s and DuckDB\'s', async () => {
    const a = await Database.open(fx.dir, { workers: 0 });
    const b = await Database.open(fx.dir, { workers: 0, memoryLimit: 64 << 20 });
    try {
      const ra = await a.query(join);
      const rb = await b.query(join);
      expect(compareResults(rb.rows(), ra.rows(), { ordered: false })).toBeNull();
      expect(compareResults(rb.rows(), (await fx.duck.query(join)).rows, { ordered: false })).toBeNull();
    } finally {
      a.close();
      b.close();
    }
  });
});
