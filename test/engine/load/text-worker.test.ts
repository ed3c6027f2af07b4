/**
 * The built engine parses delimited text in a worker thread beside the writer
 * (engine/load/sandbox.ts); run from TypeScript sources the text is parsed on
 * the calling thread, so a child process loads the build. The rows must be the
 * ones DuckDB reads from the same file, and a bad record must still fail the
 * whole load with its file, line and column.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { TPCH_DIR, tmpDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const engine = path.resolve(here, '../../../dist/engine/index.js');
const built = path.resolve(here, '../../../dist/engine/load/load-worker.js');
const work = tmpDir('keel-text-worker-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const AGGREGATES =
  'select count(*), sum(l_orderkey), sum(l_quantity), sum(l_extendedprice), sum(l_discount), sum(l_tax), min(l_shipdate), max(l_receiptdate), ' +
  'sum(length(l_comment)), count(distinct l_comment), count(distinct l_shipmode), min(l_shipinstruct), max(l_returnflag) from lineitem';

/** Runs `body` with `db` open on a fresh database of the TPC-H schema, in a child process on the built engine; returns what it prints. */
function inBuiltEngine(body: string, nodeFlags: readonly string[] = []): unknown {
  const script = `
    const fs = await import('node:fs');
    const { Database } = await import(${JSON.stringify(engine)});
    const db = await Database.open(${JSON.stringify(path.join(work, `db-${Math.random().toString(36).slice(2)}`))}, { slices: 4 });
    await db.execute(fs.readFileSync(${JSON.stringify(path.join(TPCH_DIR, 'schema.sql'))}, 'utf8'));
    ${body}
    db.close();`;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(!fs.existsSync(built))('delimited text parsed in a worker thread (built engine)', () => {
  it('loads dbgen lineitem (SF 0.01) with the aggregates DuckDB reads from the same file', async () => {
    const file = path.join(TPCH_DIR, 'sf0.01', 'lineitem.tbl.gz');
    // batches of 997 rows: many batches cross between the threads, cut at odd places
    const keel = inBuiltEngine(`
      const { rows } = await db.load('lineitem', ${JSON.stringify(file)}, { delimiter: '|', batchRows: 997 });
      const agg = (await db.query(${JSON.stringify(AGGREGATES)})).rows()[0];
      console.log(JSON.stringify({ rows, agg }));`) as { rows: number; agg: (number | string)[] };

    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const schema = fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8');
    await con.run(schema.split(';').find((s) => /create table lineitem/.test(s))!);
    const cols = (await con.runAndReadAll("select column_name, data_type from information_schema.columns where table_name = 'lineitem' order by ordinal_position")).getRowsJson() as string[][];
    const spec = [...cols.map((r) => `'${r[0]}': '${r[1]}'`), `'extra__': 'VARCHAR'`].join(', ');
    await con.run(`insert into lineitem select * exclude (extra__) from read_csv('${file}', delim='|', header=false, quote='', escape='', columns={${spec}})`);
    const duck = (await con.runAndReadAll(AGGREGATES)).getRowsJson()[0] as (string | number)[];
    con.closeSync();
    instance.closeSync();

    expect(keel.rows).toBe(60175);
    expect(keel.agg.map(String)).toEqual(duck.map((v) => String(typeof v === 'string' && /^-?\d+\.\d+$/.test(v) ? Number(v) : v)));
  });

  it('fails a bad record with its file, line and column, and loads nothing', () => {
    const file = path.join(work, 'bad.tbl');
    const good = '1|155190|7706|1|17|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the|';
    const lines = Array.from({ length: 5000 }, () => good);
    lines[4321] = good.replace('1996-02-12', '1996-02-30');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const out = inBuiltEngine(`
      const err = await db.load('lineitem', ${JSON.stringify(file)}, { delimiter: '|', batchRows: 1000 }).catch((e) => e);
      console.log(JSON.stringify({ code: err.code, line: err.line, column: err.column, message: err.message, rows: db.catalog().tables.lineitem.rows }));`);
    expect(out).toEqual({
      code: 'LOAD_VALUE',
      line: 4322,
      column: 'l_commitdate',
      message: expect.stringContaining(`${file}, line 4322, column l_commitdate`),
      rows: 0,
    });
  });

  it('loads in a process started with a heap-size flag (a worker given one explicitly would not start)', () => {
    const file = path.join(work, 'few.tbl');
    const good = '1|155190|7706|1|17|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the|';
    fs.writeFileSync(file, Array.from({ length: 3000 }, () => good).join('\n') + '\n');
    const out = inBuiltEngine(
      `const { rows } = await db.load('lineitem', ${JSON.stringify(file)}, { delimiter: '|', batchRows: 1000 });
      console.log(JSON.stringify({ rows }));`,
      ['--max-old-space-size=2048'],
    );
    expect(out).toEqual({ rows: 3000 });
  });
});
