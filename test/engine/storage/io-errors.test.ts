/**
 * A data directory the process cannot use (a file in its place, a read-only
 * directory, a full disk) fails with a StorageError that names the path, and
 * the failed operation changes nothing. Tests run as root here, where chmod
 * does not stop a write, so the read-only directory and the full disk are
 * injected through the file-system calls: every call that would change a file
 * under the chosen path fails as the kernel would fail it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, StorageError } from '../../../engine/index.js';

/** The failure to inject, if any: which mutating call on which path, and with what code. */
const inject = vi.hoisted(() => ({
  fail: null as null | ((syscall: string, file: string) => string | null),
}));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const errno: Record<string, number> = { EACCES: -13, ENOSPC: -28 };
  const words: Record<string, string> = { EACCES: 'permission denied', ENOSPC: 'no space left on device' };
  const guard =
    <A extends unknown[], R>(syscall: string, f: (...args: A) => R, mutates: (...args: A) => boolean = () => true) =>
    (...args: A): R => {
      const file = String(args[0]);
      const code = mutates(...args) ? inject.fail?.(syscall, file) : null;
      if (code) throw Object.assign(new Error(`${code}: ${words[code]}, ${syscall} '${file}'`), { code, errno: errno[code], syscall, path: file });
      return f(...args);
    };
  const mocked = {
    ...real,
    openSync: guard('open', real.openSync as (p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => number, (_p, flags) => flags !== undefined && flags !== 'r'),
    writeFileSync: guard('open', real.writeFileSync),
    mkdirSync: guard('mkdir', real.mkdirSync as (p: fs.PathLike, o?: fs.MakeDirectoryOptions) => string | undefined),
    linkSync: guard('link', real.linkSync),
    renameSync: guard('rename', real.renameSync),
  };
  return { ...mocked, default: mocked };
});

afterEach(() => {
  inject.fail = null;
});

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'keel-io-'));
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function rejection(p: Promise<unknown>): Promise<StorageError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageError);
  return e as StorageError;
}

/** A data directory with table t (a int, b int) and one row, without the workload log (the engine's Database). */
async function dataDir(): Promise<string> {
  const dir = tmp();
  const db = await Database.open(dir, { slices: 2 });
  await db.execute('create table t (a int, b int); insert into t values (1, 2)');
  db.close();
  return dir;
}

describe('a path that is not a directory', () => {
  it('--data naming a file: NOT_A_DATA_DIR naming it, the file untouched', async () => {
    const dir = tmp();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'mine');
    for (const create of [true, false]) {
      const e = await rejection(Database.open(file, { create }));
      expect(e.code).toBe('NOT_A_DATA_DIR');
      expect(e.message).toBe(`${file} is not a directory`);
    }
    const e = await rejection(Database.create(file));
    expect(e.code).toBe('NOT_A_DATA_DIR');
    expect(e.message).toContain(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
    expect(listing(dir)).toEqual(['notes.txt']);
  });

  it('a data directory below a file: NOT_A_DATA_DIR naming the file, nothing created', async () => {
    const dir = tmp();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'mine');
    const under = path.join(file, 'wh');
    for (const open of [() => Database.open(under), () => Database.create(under)]) {
      const e = await rejection(open());
      expect(e.code).toBe('NOT_A_DATA_DIR');
      expect(e.message).toBe(`cannot create the data directory ${under}: ${file} is not a directory`);
    }
    expect(listing(dir)).toEqual(['notes.txt']);
  });
});

describe('a read-only data directory (EACCES injected)', () => {
  it('create table fails with IO naming the directory and changes nothing', async () => {
    const dir = await dataDir();
    const catalog = fs.readFileSync(path.join(dir, 'catalog.json'));
    const before = listing(dir);
    inject.fail = (_syscall, file) => (inside(dir, file) ? 'EACCES' : null);
    const db = await Database.open(dir);
    const e = await rejection(db.execute('create table u (a int)'));
    expect(e.code).toBe('IO');
    expect(e.message).toMatch(new RegExp(`^cannot change the data directory ${dir}: permission denied \\(EACCES: open ${dir}/write\\.lock\\.`));
    // reads still work
    expect((await db.query('select count(*) from t')).rows()).toEqual([[1]]);
    db.close();
    inject.fail = null;
    expect(fs.readFileSync(path.join(dir, 'catalog.json'))).toEqual(catalog);
    expect(listing(dir)).toEqual(before);
  });

  it('load fails with IO naming the directory and changes nothing', async () => {
    const dir = await dataDir();
    const csv = path.join(tmp(), 'rows.csv');
    fs.writeFileSync(csv, '3,4\n5,6\n');
    const catalog = fs.readFileSync(path.join(dir, 'catalog.json'));
    const before = listing(dir);
    inject.fail = (_syscall, file) => (inside(dir, file) ? 'EACCES' : null);
    const db = await Database.open(dir);
    const e = await rejection(db.load('t', csv, { delimiter: ',' }));
    expect(e.code).toBe('IO');
    expect(e.message).toContain(`cannot change the data directory ${dir}: permission denied (EACCES`);
    db.close();
    inject.fail = null;
    expect(fs.readFileSync(path.join(dir, 'catalog.json'))).toEqual(catalog);
    expect(listing(dir)).toEqual(before);
  });

  it('a failure midway through a load (the table files) leaves the catalog, the rows and the lock as they were', async () => {
    const dir = await dataDir();
    const csv = path.join(tmp(), 'rows.csv');
    fs.writeFileSync(csv, '3,4\n5,6\n');
    const catalog = fs.readFileSync(path.join(dir, 'catalog.json'));
    inject.fail = (_syscall, file) => (inside(path.join(dir, 'tables'), file) ? 'ENOSPC' : null);
    const db = await Database.open(dir);
    const e = await rejection(db.load('t', csv, { delimiter: ',' }));
    expect(e.code).toBe('IO');
    expect(e.message).toMatch(new RegExp(`^cannot change the data directory ${dir}: no space left on device \\(ENOSPC: (open|mkdir) ${dir}/tables/`));
    inject.fail = null;
    expect(fs.readFileSync(path.join(dir, 'catalog.json'))).toEqual(catalog);
    expect(fs.existsSync(path.join(dir, 'write.lock'))).toBe(false);
    expect((await db.query('select count(*), sum(a) from t')).rows()).toEqual([[1, 1]]);
    // and the directory works again once the disk does
    await db.load('t', csv, { delimiter: ',' });
    expect((await db.query('select count(*), sum(a) from t')).rows()).toEqual([[3, 9]]);
    db.close();
  });
});

describe('creating a data directory that cannot be written', () => {
  it('a new directory: IO naming it, and nothing is left behind', async () => {
    const parent = tmp();
    const dir = path.join(parent, 'wh');
    inject.fail = (syscall, file) => (syscall === 'open' && path.basename(file).startsWith('catalog.json') ? 'ENOSPC' : null);
    const e = await rejection(Database.open(dir));
    expect(e.code).toBe('IO');
    expect(e.message).toMatch(new RegExp(`^cannot create the data directory ${dir}: no space left on device \\(ENOSPC: open ${dir}/catalog\\.json`));
    expect(listing(parent)).toEqual([]);
  });

  it('an empty directory that was there: left empty', async () => {
    const dir = tmp();
    inject.fail = (syscall, file) => (syscall === 'open' && path.basename(file).startsWith('KEEL') ? 'ENOSPC' : null);
    const e = await rejection(Database.create(dir));
    expect(e.code).toBe('IO');
    expect(e.message).toContain(`cannot create the data directory ${dir}: no space left on device (ENOSPC: open ${dir}/KEEL`);
    expect(listing(dir)).toEqual([]);
  });

  it('a parent the process may not write: IO naming the path', async () => {
    const parent = tmp();
    const dir = path.join(parent, 'wh');
    inject.fail = (_syscall, file) => (inside(parent, file) ? 'EACCES' : null);
    const e = await rejection(Database.create(dir));
    expect(e.code).toBe('IO');
    expect(e.message).toBe(`cannot create the data directory ${dir}: permission denied (EACCES: mkdir ${dir}/tables)`);
    expect(listing(parent)).toEqual([]);
  });
});
