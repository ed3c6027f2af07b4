/** The real thing: dbgen's lineitem (SF 0.01) read with the TPC-H schema, checked against DuckDB. */
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { readFile } from '../../../engine/load/index.js';
import type { F64Vector, I32Vector } from '../../../engine/types.js';
import { TPCH_DIR, tpchColumns } from './helpers.js';

describe('TPC-H lineitem sf0.01', () => {
  it('loads 60,175 rows whose sums agree with DuckDB', async () => {
    const file = path.join(TPCH_DIR, 'sf0.01', 'lineitem.tbl.gz');
    const columns = tpchColumns('lineitem');
    expect(columns).toHaveLength(16);
    const idx = (name: string) => columns.findIndex((c) => c.name === name);
    const sums = { orderkey: 0, quantity: 0, extendedprice: 0, discount: 0, tax: 0, shipdate: 0, receiptdate: 0, commentLength: 0 };
    const flags = new Set<string>();
    const modes = new Set<string>();
    let rows = 0;
    let lastBytes = 0;
    let total = 0;
    for await (const b of readFile(file, columns)) {
      rows += b.length;
      const num = (name: string) => (b.columns[idx(name)] as I32Vector | F64Vector).values;
      const str = (name: string) => b.columns[idx(name)] as { codes: Uint32Array; dict: readonly string[] };
      for (let i = 0; i < b.length; i++) {
        sums.orderkey += num('l_orderkey')[i]!;
        sums.quantity += num('l_quantity')[i]!;
        sums.extendedprice += num('l_extendedprice')[i]!;
        sums.discount += num('l_discount')[i]!;
        sums.tax += num('l_tax')[i]!;
        sums.shipdate += num('l_shipdate')[i]!;
        sums.receiptdate += num('l_receiptdate')[i]!;
        const c = str('l_comment');
        sums.commentLength += c.dict[c.codes[i]!]!.length;
        const f = str('l_returnflag');
        const s = str('l_linestatus');
        flags.add(f.dict[f.codes[i]!]! + s.dict[s.codes[i]!]!);
        const m = str('l_shipmode');
        modes.add(m.dict[m.codes[i]!]!);
      }
      for (const v of b.columns) expect(v.nulls).toBeNull();
      expect(b.bytesRead).toBeGreaterThanOrEqual(lastBytes);
      lastBytes = b.bytesRead;
      total = b.totalBytes;
    }
    expect(rows).toBe(60_175);
    expect(lastBytes).toBe(total);

    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    try {
      const spec = columns.map((c) => `'${c.name}': '${c.type.id === 'decimal' ? 'DECIMAL(15,2)' : c.type.id === 'date' ? 'DATE' : c.type.id === 'integer' ? 'INTEGER' : 'VARCHAR'}'`);
      const ref = (
        await duck.runAndReadAll(`
          SELECT count(*)::DOUBLE, sum(l_orderkey)::DOUBLE, (sum(l_quantity) * 100)::DOUBLE, (sum(l_extendedprice) * 100)::DOUBLE,
                 (sum(l_discount) * 100)::DOUBLE, (sum(l_tax) * 100)::DOUBLE,
                 sum(l_shipdate - DATE '1970-01-01')::DOUBLE, sum(l_receiptdate - DATE '1970-01-01')::DOUBLE,
                 sum(length(l_comment))::DOUBLE, count(DISTINCT l_returnflag || l_linestatus)::DOUBLE, count(DISTINCT l_shipmode)::DOUBLE
          FROM read_csv('${file}', delim = '|', header = false, quote = '', columns = {${spec.join(', ')}, 'trailing': 'VARCHAR'})`)
      ).getRowsJS()[0]!;
      expect([rows, sums.orderkey, sums.quantity, sums.extendedprice, sums.discount, sums.tax, sums.shipdate, sums.receiptdate, sums.commentLength, flags.size, modes.size]).toEqual(ref);
    } finally {
      duck.closeSync();
      instance.closeSync();
    }
  });
});
