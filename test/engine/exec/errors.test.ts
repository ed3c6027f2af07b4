/** Runtime errors stop the statement: no partial result, no partial write, a typed error with a stable code. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, ExecError, KeelError } from '../../../engine/index.js';

let db: Database;

beforeAll(async () => {
  db = await Database.open(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-err-')), { slices: 3 });
  await db.execute('create table t (a integer, b integer, big bigint, d decimal(6,2)) diststyle even');
  const rows = Array.from({ length: 5000 }, (_, i) => `(${i}, ${i === 4321 ? 0 : (i % 9) + 1}, ${i === 4000 ? 9007199254740000 : i}, ${(i % 100) / 4})`);
  await db.execute(`insert into t values ${rows.join(',')}`);
  await db.execute('create table out_t (x integer)');
});

afterAll(() => db?.close());

async function failure(sql: string): Promise<KeelError> {
  try {
    await db.execute(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(KeelError);
    return e as KeelError;
  }
  throw new Error(`no error from: ${sql}`);
}

describe('runtime errors', () => {
  it('division by zero', async () => {
    const e = await failure('select a / b from t');
    expect(e).toBeInstanceOf(ExecError);
    expect(e.code).toBe('DIVISION_BY_ZERO');
    expect((await failure('select sum(a % b) from t')).code).toBe('DIVISION_BY_ZERO');
    expect((await failure('select d / (b - b) from t')).code).toBe('DIVISION_BY_ZERO');
  });

  it('integer and bigint overflow', async () => {
    expect((await failure('select a * 1000000 from t')).code).toBe('OVERFLOW');
    expect((await failure('select big + big from t')).code).toBe('OVERFLOW');
    expect((await failure('select sum(big) * 2 from t')).code).toBe('OVERFLOW');
    expect((await failure('select cast(a * 100 as smallint) from t')).code).toBe('OVERFLOW');
  });

  it('a failing INSERT ... SELECT writes nothing', async () => {
    await failure('insert into out_t select a / b from t');
    await failure('insert into out_t select a * 1000000 from t');
    expect((await db.query('select count(*) from out_t')).rows()).toEqual([[0]]);
  });

  it('a bad cast names the value and the type', async () => {
    const e = await failure("select cast('12x' as integer)");
    expect(e.message).toContain('12x');
    expect(e.message.toLowerCase()).toContain('integer');
  });
});
