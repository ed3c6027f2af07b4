import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run(`create table region (r_regionkey integer not null, r_name char(25) not null, r_comment varchar(152))`);
await con.run(`insert into region select * exclude (extra) from read_csv('/work/shared/tpch/sf0.01/region.tbl.gz', delim='|', header=false, quote='', escape='', columns={'a':'VARCHAR','b':'VARCHAR','c':'VARCHAR','extra':'VARCHAR'})`);
const r = await con.runAndReadAll(`select *, 1.5::decimal(15,2) d, 10::bigint b, date '2020-01-01' dt from region`);
console.log(r.columnTypes().map(String), r.getRowsJson().slice(0,2), r.getRows().slice(0,1));
