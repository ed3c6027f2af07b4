/**
 * The files a COPY source names, as Redshift reads an S3 path: a file is that
 * file; a folder is every file under it; anything else is a prefix, every
 * file whose path starts with it (so COPY FROM 'out/sales_' loads what
 * UNLOAD TO 'out/sales_' wrote). Files are taken in name order, below
 * subfolders too; hidden files (a name starting with '.') are left out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every regular, non-hidden file under `dir` (its top-level entries those whose name starts with `prefix`), as paths relative to it. */
function filesUnder(dir: string, rel = '', prefix = ''): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || !e.name.startsWith(prefix)) continue;
    const r = rel === '' ? e.name : path.join(rel, e.name);
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** The files `source` names (see above), in load order; empty when it names none. */
export function sourceFiles(source: string): string[] {
  const abs = path.resolve(source);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(abs);
  } catch {
    st = null;
  }
  if (st?.isFile()) return [abs];
  if (st?.isDirectory()) return filesUnder(abs).sort(byName).map((r) => path.join(abs, r));
  // a prefix: the files of its folder (and below) whose path starts with its last part
  const dir = source.endsWith('/') || source.endsWith(path.sep) ? abs : path.dirname(abs);
  const prefix = dir === abs ? '' : path.basename(abs);
  return filesUnder(dir, '', prefix)
    .sort(byName)
    .map((r) => path.join(dir, r));
}

/** Code-unit order, as S3 lists keys (not the locale's). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
