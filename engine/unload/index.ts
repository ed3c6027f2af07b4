/**
 * UNLOAD's files: a query result written under a path prefix, named as
 * Redshift names them.
 *
 *   PARALLEL ON (default): <prefix><slice>_part_<nn>  (0000_part_00, 0001_part_00, ...)
 *   PARALLEL OFF:          <prefix><nnn>              (000, 001, ...)
 *
 * then `.parquet` for Parquet and `.gz` for GZIP. With PARALLEL ON the result
 * is cut into one contiguous share per slice (so the files, read in name
 * order, hold the rows in the query's order); a slice with no rows writes no
 * file, but an empty result still writes one. A file that would pass
 * MAXFILESIZE (counted before compression) is continued in the next part.
 *
 * Each file is written beside its name and renamed into place, so a crash
 * never leaves a partial file under a final name. Without ALLOWOVERWRITE an
 * existing file of that name is an error; CLEANPATH first removes every file
 * the prefix names (as COPY would read them), so that a later COPY from the
 * prefix reads this result only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { KeelError } from '../errors.js';
import type { Field } from '../plan/physical.js';
import type { Batch } from '../types.js';
import { sourceFiles } from '../load/files.js';
import { headerLine, writeLines, type TextFormat } from './text.js';
import type { parquetFile as ParquetFile } from './parquet.js';

export interface UnloadOptions {
  readonly format: 'text' | 'csv' | 'parquet';
  readonly delimiter: string;
  readonly header: boolean;
  readonly nullAs: string;
  readonly parallel: boolean;
  readonly slices: number;
  /** Bytes a file may hold before the next part starts. */
  readonly maxFileSize: number;
  readonly gzip: boolean;
  readonly allowOverwrite: boolean;
  readonly cleanPath: boolean;
}

/** Redshift's default MAXFILESIZE: 6.2 GB. */
export const DEFAULT_MAX_FILE_SIZE = Math.floor(6.2 * 2 ** 30);

/** A file to write: its final name and its bytes. */
interface Part {
  readonly file: string;
  readonly bytes: Uint8Array;
}

function partName(prefix: string, o: UnloadOptions, slice: number, part: number): string {
  const base = o.parallel ? `${prefix}${String(slice).padStart(4, '0')}_part_${String(part).padStart(2, '0')}` : `${prefix}${String(part).padStart(3, '0')}`;
  return base + (o.format === 'parquet' ? '.parquet' : '') + (o.gzip ? '.gz' : '');
}

/** Rows [from, to) as one or more files' bytes, cut at maxFileSize. */
function encode(fields: readonly Field[], batch: Batch, from: number, to: number, o: UnloadOptions, parquetFile: typeof ParquetFile | null): Uint8Array[] {
  if (parquetFile !== null) {
    // cut by rows, from the size of the whole share (Parquet sizes are known only once written)
    const whole = parquetFile(fields, batch, from, to);
    if (whole.length <= o.maxFileSize || to - from <= 1) return [whole];
    const pieces = Math.ceil(whole.length / o.maxFileSize) + 1;
    const step = Math.ceil((to - from) / pieces);
    const out: Uint8Array[] = [];
    for (let a = from; a < to; a += step) out.push(parquetFile(fields, batch, a, Math.min(to, a + step)));
    return out;
  }
  const f: TextFormat = { csv: o.format === 'csv', delimiter: o.delimiter, nullAs: o.nullAs };
  const header = o.header ? headerLine(fields, f) : '';
  const files: Uint8Array[] = [];
  let chunks: string[] = [header];
  let size = Buffer.byteLength(header);
  let rows = 0;
  const flush = () => {
    const text = Buffer.from(chunks.join(''));
    files.push(o.gzip ? zlib.gzipSync(text) : text);
    chunks = [header];
    size = Buffer.byteLength(header);
    rows = 0;
  };
  writeLines(fields, batch, from, to, f, (line) => {
    const n = Buffer.byteLength(line);
    if (rows > 0 && size + n > o.maxFileSize) flush();
    chunks.push(line);
    size += n;
    rows++;
  });
  flush();
  return files;
}

/** Writes the result under `prefix`; the files written, in name order. */
export async function unloadFiles(prefix: string, fields: readonly Field[], batch: Batch, o: UnloadOptions): Promise<string[]> {
  // the Parquet writer is loaded the first time it is needed (it adds to every start of the engine otherwise)
  const parquetFile = o.format === 'parquet' ? (await import('./parquet.js')).parquetFile : null;
  const target = path.resolve(prefix) + (prefix.endsWith('/') || prefix.endsWith(path.sep) ? path.sep : '');
  const parts: Part[] = [];
  const shares = o.parallel ? o.slices : 1;
  const per = Math.ceil(batch.length / shares);
  for (let s = 0; s < shares; s++) {
    const from = Math.min(batch.length, s * per);
    const to = Math.min(batch.length, from + per);
    if (to === from && !(s === 0 && batch.length === 0)) continue;
    encode(fields, batch, from, to, o, parquetFile).forEach((bytes, k) => parts.push({ file: partName(target, o, s, k), bytes }));
  }
  if (o.cleanPath) for (const f of sourceFiles(target)) fs.rmSync(f, { force: true });
  else if (!o.allowOverwrite) {
    const existing = parts.find((p) => fs.existsSync(p.file));
    if (existing) throw new KeelError('IO', `UNLOAD would overwrite ${existing.file}; add ALLOWOVERWRITE (or CLEANPATH to remove what the prefix holds first)`);
  }
  fs.mkdirSync(path.dirname(parts[0]!.file), { recursive: true });
  for (const p of parts) {
    // hidden (COPY skips it) until it is whole
    const tmp = path.join(path.dirname(p.file), `.${path.basename(p.file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, p.bytes);
    fs.renameSync(tmp, p.file);
  }
  return parts.map((p) => p.file);
}
