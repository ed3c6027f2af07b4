/**
 * TIMESTAMPTZ end to end: text loaded with and without offsets, stored under
 * every encoding and a sort key (zone maps prune), results as Arrow
 * timestamps in 'UTC', and an Arrow IPC file of a result loaded back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableToIPC, Type, type Timestamp } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../engine/index.js';

let dir: string;
let db: Database;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-tstz-'));
  db = await Database.open(path.join(dir, 'db'), { slices: 2, blockRows: 1000, workers: 0 });
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const TEXT = [
  '1|2024-03-10 12:00:00+02',
  '2|2024-03-10 06:59:59.5Z',
  '3|2024-11-03 01:30:00-04:00',
  '4|2024-01-01 00:00:00',
  '5|',
  '6|1999-12-31T23:00:00.000001-0530',
].join('\n');

const EXPECTED = [
  [1, '2024-03-10 10:00:00+00'],
  [2, '2024-03-10 06:59:59.5+00'],
  [3, '2024-11-03 05:30:00+00'],
  [4, '2024-01-01 00:00:00+00'],
  [5, null],
  [6, '2000-01-01 04:30:00.000001+00'],
];

describe('TIMESTAMPTZ', () => {
  it('loads text with offsets as UTC instants and prints them in UTC', async () => {
    fs.writeFileSync(path.join(dir, 'tz.tbl'), TEXT + '\n');
    await db.execute('create table tz_text (id int, t timestamptz)');
    expect((await db.load('tz_text', path.join(dir, 'tz.tbl'), { delimiter: '|' })).rows).toBe(6);
    const r = await db.query('select id, t from tz_text order by id');
    expect(r.columns.map((c) => c.type)).toEqual(['integer', 'timestamp with time zone']);
    expect(r.rows()).toEqual(EXPECTED);
  });

  it('gives Arrow timestamps in UTC, and an Arrow file of a result loads back unchanged', async () => {
    const r = await db.query('select id, t, cast(t as timestamp) as plain from tz_text order by id');
    const tz = r.table.schema.fields[1]!.type as Timestamp;
    const plain = r.table.schema.fields[2]!.type as Timestamp;
    expect([tz.typeId, tz.timezone, plain.typeId, plain.timezone ?? null]).toEqual([Type.Timestamp, 'UTC', Type.Timestamp, null]);
    // Arrow JS reads a microsecond timestamp as milliseconds since the epoch
    expect(r.table.getChild('t')!.get(0)).toBe(Date.UTC(2024, 2, 10, 10));
    const file = path.join(dir, 'result.arrow');
    fs.writeFileSync(file, tableToIPC(r.table, 'file'));
    await db.execute('create table tz_back (id int, t timestamptz, plain timestamptz)');
    await db.load('tz_back', file);
    const back = await db.query('select id, t, plain from tz_back order by id');
    expect(back.rows()).toEqual(EXPECTED.map(([id, t]) => [id, t, t]));
  });

  it('keeps every value under every encoding and prunes blocks by the sort key', async () => {
    const encodings = ['raw', 'az64', 'delta', 'runlength', 'zstd', 'bytedict'];
    await db.execute(`create table tz_enc (k int, ${encodings.map((e) => `t_${e} timestamptz encode ${e}`).join(', ')}) sortkey(t_raw)`);
    // 20,000 rows a second apart from 1995-01-01 UTC, written with a +05 offset
    await db.execute('create table digits (x int)');
    await db.execute('insert into digits values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)');
    const k = 'a.x + 10 * b.x + 100 * c.x + 1000 * d.x + 10000 * e.x';
    await db.execute(
      `insert into tz_enc select k, ${encodings.map(() => `dateadd(second, k, timestamptz '1995-01-01 05:00:00+05')`).join(', ')}
       from (select ${k} as k from digits a, digits b, digits c, digits d, digits e where e.x < 2) q`,
    );
    const all = await db.query(`select count(*), count(distinct t_raw), min(t_raw), max(t_raw) from tz_enc`);
    expect(all.rows()).toEqual([[20000, 20000, '1995-01-01 00:00:00+00', '1995-01-01 05:33:19+00']]);
    const same = await db.query(`select count(*) from tz_enc where ${encodings.map((e) => `t_${e} = t_raw`).join(' and ')}`);
    expect(same.rows()).toEqual([[20000]]);
    const range = await db.query(`select count(*) from tz_enc where t_raw >= '1995-01-01 05:00:00+05' and t_raw < timestamptz '1995-01-01 00:10:00+00'`);
    expect(range.rows()).toEqual([[600]]);
    expect(range.stats.blocksSkipped).toBeGreaterThan(0);
  });
});
