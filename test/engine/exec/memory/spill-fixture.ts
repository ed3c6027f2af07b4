/**
 * The data the spill tests run on: one table, `t`, of ROWS rows (or as many as asked) written as
 * pipe-delimited text and loaded into a keel data directory and into DuckDB,
 * so a query's spilled result can be checked against keel without a limit
 * and against DuckDB. Strings have many distinct values (dictionaries that
 * differ from batch to batch); queries make NULLs with CASE, the same way in
 * both engines.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckOracle } from '../../../helpers/oracle.js';
import { Database } from '../../../../engine/index.js';

export const ROWS = 120_000;

export interface Fixture {
  readonly dir: string;
  readonly file: string;
  readonly duck: DuckOracle;
  close(): void;
}

export async function makeFixture(prefix: string, rows = ROWS): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 't.tbl');
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    // g: 40,000 groups; s: 30,011 distinct strings in no order; x: a double with ties across groups
    const g = (i * 7919) % 40_000;
    const k = (i * 104_729) % 30_011;
    const s = `s${k.toString(36)}-${'x'.repeat(k % 7)}`;
    const x = ((i * 31) % 1000) / 8;
    lines.push(`${i}|${g}|${s}|${x}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const data = path.join(dir, 'data');
  const db = await Database.open(data, { slices: 4, workers: 0 });
  await db.execute('create table t (id integer, g integer, s varchar(40), x double precision)');
  await db.load('t', file, { delimiter: '|' });
  db.close();
  const duck = await DuckOracle.create();
  await duck.redshiftSemantics();
  await duck.run('create table t (id integer, g integer, s varchar(40), x double precision)');
  await duck.run(`insert into t select * from read_csv('${file}', delim='|', header=false, columns={'id': 'INTEGER', 'g': 'INTEGER', 's': 'VARCHAR', 'x': 'DOUBLE'})`);
  return {
    dir: data,
    file,
    duck,
    close: () => {
      duck.con.closeSync?.();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Entries of the data directory's spill folder (none once every query ended). */
export function spillLeft(dataDir: string): string[] {
  const root = path.join(dataDir, 'spill');
  return fs.existsSync(root) ? fs.readdirSync(root) : [];
}
