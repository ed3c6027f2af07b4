/** Opening what is not a healthy keel data directory fails with a clear StorageError and writes nothing. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, StorageError } from '../../../engine/index.js';
import { sealCatalog } from '../../../engine/storage/integrity.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'keel-dir-'));
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

async function openError(dir: string): Promise<StorageError> {
  try {
    const db = await Database.open(dir, { create: false });
    db.close();
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error('open succeeded');
}

describe('data directory', () => {
  it('refuses a foreign, non-empty directory without touching it', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const before = listing(dir);
    const e = await openError(dir);
    expect(e.code).toBe('NOT_A_DATA_DIR');
    expect(e.message).toContain(dir);
    expect(listing(dir)).toEqual(before);
  });

  it('reports a damaged catalog', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2 });
    await db.execute('create table t (a int)');
    db.close();
    fs.writeFileSync(path.join(dir, 'catalog.json'), '{"format":1, "tab');
    const e = await openError(dir);
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(/catalog\.json/);
  });

  it('reports a directory of another format', async () => {
    const dir = tmp();
    (await Database.open(dir)).close();
    fs.writeFileSync(path.join(dir, 'KEEL'), 'keel data directory\nformat 99\n');
    expect((await openError(dir)).code).toBe('VERSION');
  });

  it('reports a damaged segment file when a query reads it', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 1 });
    await db.execute("create table t (a int, s varchar(10)) diststyle even; insert into t values (1, 'x'), (2, 'y')");
    db.close();
    const tables = path.join(dir, 'tables');
    const [id] = fs.readdirSync(tables);
    const seg = path.join(tables, id!, fs.readdirSync(path.join(tables, id!))[0]!);
    const bytes = fs.readFileSync(seg);
    bytes[10] = bytes[10]! ^ 0xff;
    fs.writeFileSync(seg, bytes);
    const again = await Database.open(dir, { create: false });
    await expect(again.query('select sum(a), max(s) from t')).rejects.toMatchObject({ code: 'CORRUPT' });
    again.close();
  });

  it('keeps committed rows across reopen, with the slices it was created with', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 3 });
    await db.execute("create table t (a int, s varchar(10)); insert into t values (1, 'x'), (2, null), (3, 'z')");
    db.close();
    const again = await Database.open(dir, { slices: 8 });
    expect(again.catalog().slices).toBe(3);
    expect((await again.query('select count(*), sum(a), count(s) from t')).rows()).toEqual([[3, 6, 2]]);
    again.close();
  });
});

describe('files a change made obsolete', () => {
  it('stay readable for other processes for a grace period, then the next writer removes them', async () => {
    const dir = tmp();
    const db = await Database.open(dir, { slices: 2 });
    await db.execute('create table t (a int) diststyle even; insert into t values (1), (2), (3)');
    const oldFiles = db.catalog().tables['t']!.segments.map((s) => db.store.segmentPath(db.catalog().tables['t']!, s.file));
    await db.execute('alter table t alter diststyle all');
    for (const f of oldFiles) expect(fs.existsSync(f)).toBe(true);
    const retired = db.catalog().retired ?? [];
    expect(retired.map((r) => path.join(dir, r.file)).sort()).toEqual([...oldFiles].sort());
    db.close();
    // age the retirement past the grace period: the next change sweeps the files
    const catalogPath = path.join(dir, 'catalog.json');
    const catalog = JSON.parse(fs.readFileSync(catalogPath, 'utf8'));
    catalog.retired = catalog.retired.map((r: { file: string; at: number }) => ({ ...r, at: 0 }));
    // with a recomputed checksum: a plain edit of catalog.json reads as CORRUPT (catalog-integrity.test.ts)
    fs.writeFileSync(catalogPath, sealCatalog(catalog));
    const again = await Database.open(dir, { create: false });
    await again.execute('insert into t values (4)');
    for (const f of oldFiles) expect(fs.existsSync(f)).toBe(false);
    expect(again.catalog().retired).toEqual([]);
    expect((await again.query('select sum(a) from t')).rows()).toEqual([[10]]);
    again.close();
  });
});
