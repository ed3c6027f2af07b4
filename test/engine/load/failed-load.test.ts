/**
 * A load that fails (a bad value, or the consumer giving up, as keel load does
 * on Ctrl-C) leaves the data directory exactly as it was: no segment files and
 * no table folder the writer made for it, the catalog unchanged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, LoadError } from '../../../engine/index.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('a failed load', () => {
  it('leaves no trace: the folder its writer made is removed with the files', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-failed-load-'));
    made.push(root);
    const dir = path.join(root, 'wh');
    const db = await Database.open(dir, { slices: 2, workers: 0 });
    try {
      await db.execute('create table t (a int, s varchar(10)) diststyle even');
      const before = listing(dir);
      const catalog = fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8');
      const bad = path.join(root, 'bad.csv');
      fs.writeFileSync(bad, Array.from({ length: 5000 }, (_, i) => `${i},s${i}`).join('\n') + '\nnot-a-number,x\n');
      await expect(db.load('t', bad)).rejects.toBeInstanceOf(LoadError);
      // the consumer stopping the load (keel load's Ctrl-C): the progress callback throws
      const good = path.join(root, 'good.csv');
      fs.writeFileSync(good, Array.from({ length: 5000 }, (_, i) => `${i},s${i}`).join('\n') + '\n');
      await expect(
        db.load('t', good, { batchRows: 1000 }, (rows) => {
          if (rows >= 3000) throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect(listing(dir)).toEqual(before);
      expect(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')).toBe(catalog);
      expect((await db.query('select count(*) from t')).rows()).toEqual([[0]]);
    } finally {
      db.close();
    }
  });
});
