import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
for (const q of process.argv.slice(2)) {
  try {
  const r = await con.runAndReadAll(q);
  console.log(q, '=>', r.columnNames(), r.columnTypes().map(String), JSON.stringify(r.getRowsJson()));
  } catch (e) { console.log(q, 'ERR', e.message); }
}
