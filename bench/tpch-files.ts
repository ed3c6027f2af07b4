/** TPC-H as dbgen-style .tbl files for benchmarks: the shared dbgen files, or keel's generator (identical to dbgen at seed 0) written out. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tpchTables } from '../engine/gen/index.js';
import { formatDate, type Batch } from '../engine/types.js';
import { TPCH_DIR, TPCH_TABLES } from './args.js';

/** Writes rows as dbgen writes them: '|' after every field. */
export function writeTbl(file: string, batches: Iterable<Batch>, types: readonly { id: string; scale?: number }[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const b of batches) {
      const lines: string[] = new Array(b.length);
      for (let i = 0; i < b.length; i++) {
        let line = '';
        for (let c = 0; c < b.columns.length; c++) {
          const v = b.columns[c]!;
          const t = types[c]!;
          if (v.kind === 'str') line += v.dict[v.codes[i]!]!;
          else if (t.id === 'date') line += formatDate(v.values[i]!);
          else if (t.id === 'decimal') line += (v.values[i]! / 10 ** (t.scale ?? 0)).toFixed(t.scale ?? 0);
          else line += String(v.values[i]);
          line += '|';
        }
        lines[i] = line;
      }
      fs.writeSync(fd, lines.join('\n') + '\n');
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The .tbl(.gz) file of each table at this scale: shipped ones when ../shared has them, else generated into `work`. */
export function tpchFiles(sf: string, work: string): Map<string, string> {
  const files = new Map<string, string>();
  const shipped = path.join(TPCH_DIR, `sf${sf}`);
  if (fs.existsSync(shipped)) {
    for (const t of TPCH_TABLES) files.set(t, path.join(shipped, `${t}.tbl.gz`));
    return files;
  }
  process.stderr.write(`writing TPC-H SF ${sf} as .tbl text with keel's generator (dbgen's data at seed 0)...\n`);
  for (const g of tpchTables(Number(sf), 0)) {
    const file = path.join(work, `${g.name}.tbl`);
    writeTbl(file, g.batches(), g.columns.map((c) => c.type));
    files.set(g.name, file);
  }
  return files;
}
