/**
 * The layout as stable text (advisor/layout-export.ts): `keel ddl export`
 * writes AUTO where the engine chooses, so the DDL stays the same when AUTO
 * chooses again; `--with-auto-choices` and `keel advisor lock` show the
 * choices. The exported DDL runs on keel and gives the same settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import type { TableMeta } from '../../engine/index.js';
import { exportDdl, lockFile } from '../../advisor/index.js';

let work: string;
let db: Database;

const settings = (t: TableMeta) => ({
  dist: [t.distStyle === 'key' ? t.distKey : null, t.distAuto],
  sort: [t.sortKey, t.sortStyle ?? 'compound', t.sortAuto],
  columns: t.columns.map((c) => [c.name, c.type, c.notNull, c.encodingExplicit ? c.encoding : 'auto']),
});

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ddl-export-'));
  db = await Database.open(path.join(work, 'a'), { slices: 4, workloadLog: false });
  await db.execute(`
    create table events (id integer not null, day date, note varchar(40) encode zstd, amount decimal(12,2));
    create table users (u_id integer, name varchar(20)) diststyle key distkey (u_id) compound sortkey (name);
    create table "Odd Name" (x bigint) diststyle all interleaved sortkey (x);`);
});
afterAll(() => {
  db.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('keel ddl export and keel advisor lock', () => {
  it('keeps the DDL the same when AUTO chooses again; the choices show with --with-auto-choices and in the lock', async () => {
    const ddl = exportDdl(db.catalog());
    const chosen = exportDdl(db.catalog(), { withAutoChoices: true });
    const lock = lockFile(db.catalog());
    expect(lock.split('\n')).toContain('events\tdiststyle\tALL');
    expect(lock.split('\n')).toContain('events\tsortkey\tNONE');
    // users' and "Odd Name"'s settings are the user's: nothing to lock
    expect(lock.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[0])).toEqual(['events', 'events']);
    // past the small-table rule's limit AUTO places events EVEN
    await db.execute(`insert into events values ${Array.from({ length: 11000 }, (_, x) => `(${x}, date '2024-01-01' + ${x % 30}, 'n${x}', ${x / 100})`).join(', ')}`);
    expect(db.catalog().tables.events!.distStyle).toBe('even');
    expect(exportDdl(db.catalog())).toBe(ddl);
    expect(exportDdl(db.catalog(), { withAutoChoices: true })).not.toBe(chosen);
    expect(exportDdl(db.catalog(), { withAutoChoices: true })).toContain('DISTSTYLE EVEN');
    expect(chosen).toMatch(/CREATE TABLE events \([\s\S]*?\)\nDISTSTYLE ALL;/);
    expect(lockFile(db.catalog()).split('\n')).toContain('events\tdiststyle\tEVEN');
    expect(ddl).toMatch(/CREATE TABLE events \([\s\S]*?\)\nDISTSTYLE AUTO\nSORTKEY AUTO;/);
    expect(ddl).toContain('DISTSTYLE KEY DISTKEY (u_id)\nCOMPOUND SORTKEY (name);');
    expect(ddl).toContain('CREATE TABLE "Odd Name" (\n  x bigint\n)\nDISTSTYLE ALL\nINTERLEAVED SORTKEY (x);');
    expect(ddl).toContain('note varchar(40) ENCODE ZSTD');
  });

  it('runs on keel and gives the same settings', async () => {
    const other = await Database.open(path.join(work, 'b'), { slices: 4, workloadLog: false });
    try {
      await other.execute(exportDdl(db.catalog()));
      for (const name of Object.keys(db.catalog().tables)) {
        const t = other.catalog().tables[name]!;
        const want = settings(db.catalog().tables[name]!);
        expect([name, settings(t).sort, settings(t).columns, settings(t).dist[1]]).toEqual([name, want.sort, want.columns, want.dist[1]]);
        // an explicit key comes back as written; an AUTO table is exported as DISTSTYLE AUTO, and AUTO puts a new, empty table on no key
        expect(settings(t).dist[0]).toEqual(want.dist[1] ? null : want.dist[0]);
      }
    } finally {
      other.close();
    }
  });
});
