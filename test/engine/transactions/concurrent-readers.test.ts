/**
 * Readers during long transactions: a writer moves money between accounts in
 * blocks of many statements (each UPDATE alone breaks the total; the block as
 * a whole keeps it, and adds one audit row). Readers on other handles query
 * all the while: every query must see a state some COMMIT left (the total
 * right, the audit rows a whole number of blocks), and a reader's own block
 * must see one snapshot throughout, though the writer commits meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../../engine/index.js';
import { rng } from '../../helpers/random.js';

const ACCOUNTS = 50;
const BLOCKS = 6;
const TRANSFERS = 5; // per block, two UPDATEs each

let work: string;
let dir: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-txn-readers-'));
  dir = path.join(work, 'data');
  const db = await Database.open(dir, { slices: 3, blockRows: 16, workers: 0 });
  await db.execute('create table acct (id int not null, bal bigint not null) diststyle key distkey (id); create table audit (block int not null, n int not null)');
  await db.query(`insert into acct values ${Array.from({ length: ACCOUNTS }, (_, i) => `(${i}, 1000)`).join(', ')}`);
  db.close();
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const TOTAL = ACCOUNTS * 1000;
/** Lets the other handles' statements run: a statement on the calling thread never leaves the microtask queue by itself. */
const tick = () => new Promise((resolve) => setImmediate(resolve));
const STATE = 'select (select sum(bal) from acct), (select count(*) from acct), (select count(*) from audit), (select coalesce(sum(n), 0) from audit)';

describe('concurrent readers during long transactions', () => {
  it('see only committed states, and one snapshot per reader block', async () => {
    const writer = await Database.open(dir, { workers: 0 });
    const readers = [await Database.open(dir, { workers: 0 }), await Database.open(dir, { workers: 0 })];
    const snapshotReader = await Database.open(dir, { workers: 0 });
    let writing = true;
    const observed = new Set<number>();
    const write = async () => {
      const r = rng(7);
      try {
        for (let b = 0; b < BLOCKS; b++) {
          await writer.query('begin');
          for (let k = 0; k < TRANSFERS; k++) {
            const from = Math.floor(r() * ACCOUNTS);
            const to = (from + 1 + Math.floor(r() * (ACCOUNTS - 1))) % ACCOUNTS;
            const amount = 1 + Math.floor(r() * 50);
            await writer.query(`update acct set bal = bal - ${amount} where id = ${from}`);
            await tick();
            // the block's own reads see its half-done transfer
            expect(Number((await writer.query('select sum(bal) from acct')).rows()[0]![0])).toBe(TOTAL - amount);
            await writer.query(`update acct set bal = bal + ${amount} where id = ${to}`);
            await tick();
          }
          await writer.query(`insert into audit values (${b}, ${TRANSFERS})`);
          await writer.query('commit');
          await tick();
        }
      } finally {
        writing = false;
      }
    };
    const read = async (db: Database) => {
      let queries = 0;
      while (writing || queries === 0) {
        const [sum, count, blocks, transfers] = (await db.query(STATE)).rows()[0]!.map(Number);
        expect(sum).toBe(TOTAL);
        expect(count).toBe(ACCOUNTS);
        expect(transfers).toBe(blocks! * TRANSFERS);
        observed.add(blocks!);
        queries++;
        await tick();
      }
      return queries;
    };
    const readInBlocks = async () => {
      let blocksRead = 0;
      while (writing) {
        await snapshotReader.query('begin');
        const first = (await snapshotReader.query(STATE)).rows();
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          expect((await snapshotReader.query(STATE)).rows()).toEqual(first);
        }
        await snapshotReader.query('commit');
        blocksRead++;
      }
      return blocksRead;
    };
    try {
      const [, q1, q2, snapshots] = await Promise.all([write(), read(readers[0]!), read(readers[1]!), readInBlocks()]);
      expect(q1 + q2).toBeGreaterThan(BLOCKS);
      expect(snapshots).toBeGreaterThan(0);
      // the readers saw the writer's progress, not only the states before and after it
      expect(observed.size).toBeGreaterThan(2);
      const [sum, , blocks] = (await readers[0]!.query(STATE)).rows()[0]!.map(Number);
      expect([sum, blocks]).toEqual([TOTAL, BLOCKS]);
    } finally {
      for (const db of [writer, ...readers, snapshotReader]) db.close();
    }
  }, 120_000);
});
