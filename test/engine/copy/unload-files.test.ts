/**
 * unloadFiles (engine/unload) below the SQL bounds: parts cut at a small
 * MAXFILESIZE, for text and Parquet, named in order and holding every row
 * once, in the result's order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFile } from '../../../engine/load/index.js';
import { batchFromRows } from '../../../engine/rows.js';
import type { ColumnDef, SqlType } from '../../../engine/types.js';
import { unloadFiles, type UnloadOptions } from '../../../engine/unload/index.js';
import { tmpDir } from './helpers.js';

const TYPES: SqlType[] = [{ id: 'integer' }, { id: 'varchar', length: 30 }];
const COLUMNS: ColumnDef[] = [
  { name: 'i', type: TYPES[0]!, notNull: false },
  { name: 's', type: TYPES[1]!, notNull: false },
];
const FIELDS = COLUMNS.map((c) => ({ name: c.name, type: c.type }));
const ROWS = Array.from({ length: 2000 }, (_, i) => [i, i % 7 === 0 ? null : `value number ${i}`]);
const BATCH = batchFromRows(TYPES, ROWS);

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function options(o: Partial<UnloadOptions>): UnloadOptions {
  return { format: 'csv', delimiter: ',', header: false, nullAs: '', parallel: false, slices: 4, maxFileSize: 1 << 30, gzip: false, allowOverwrite: false, cleanPath: false, ...o };
}

async function readBack(files: readonly string[], format: 'text' | 'parquet'): Promise<(number | string | null)[][]> {
  const out: (number | string | null)[][] = [];
  for (const f of files) {
    for await (const b of readFile(f, COLUMNS, format === 'text' ? { format, delimiter: ',', emptyAsNull: true } : { format })) {
      const [iv, sv] = b.columns;
      for (let r = 0; r < b.length; r++) {
        out.push([iv!.kind === 'i32' ? iv!.values[r]! : null, sv!.nulls?.[r] ? null : sv!.kind === 'str' ? sv!.dict[sv!.codes[r]!]! : null]);
      }
    }
  }
  return out;
}

describe('UNLOAD parts', () => {
  it('cuts CSV files at MAXFILESIZE, every file but the last full, rows in order', async () => {
    dir = tmpDir('keel-unload-files-');
    const files = await unloadFiles(path.join(dir, 'u_'), FIELDS, BATCH, options({ maxFileSize: 8192 }));
    expect(files.length).toBeGreaterThan(3);
    expect(files.map((f) => path.basename(f))).toEqual(files.map((_, k) => `u_${String(k).padStart(3, '0')}`));
    for (const f of files) expect(fs.statSync(f).size).toBeLessThanOrEqual(8192);
    expect(fs.statSync(files[0]!).size).toBeGreaterThan(8192 - 40);
    expect(await readBack(files, 'text')).toEqual(ROWS);
  });

  it('cuts Parquet by rows when a share would pass MAXFILESIZE, and names the parts per slice', async () => {
    dir = tmpDir('keel-unload-files-');
    const whole = await unloadFiles(path.join(dir, 'one', 'p_'), FIELDS, BATCH, options({ format: 'parquet', parallel: true, slices: 2 }));
    expect(whole.map((f) => path.basename(f))).toEqual(['p_0000_part_00.parquet', 'p_0001_part_00.parquet']);
    const size = fs.statSync(whole[0]!).size;
    const cut = await unloadFiles(path.join(dir, 'cut', 'p_'), FIELDS, BATCH, options({ format: 'parquet', parallel: true, slices: 2, maxFileSize: Math.floor(size / 2) }));
    const names = cut.map((f) => path.basename(f));
    expect(names.filter((n) => n.startsWith('p_0000_part_')).length).toBeGreaterThan(1);
    expect(names.filter((n) => n.startsWith('p_0001_part_')).length).toBeGreaterThan(1);
    expect(names).toEqual([...names].sort());
    expect(await readBack(cut, 'parquet')).toEqual(ROWS);
    expect(await readBack(whole, 'parquet')).toEqual(ROWS);
  });
});
