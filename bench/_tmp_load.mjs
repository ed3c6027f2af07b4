import { Database } from '../dist/engine/index.js';
import * as fs from 'node:fs';
const dir='/tmp/keel-lt-'+process.pid; fs.rmSync(dir,{recursive:true,force:true});
const db = await Database.open(dir);
await db.execute(fs.readFileSync('../shared/tpch/schema.sql','utf8'));
let t=performance.now();
await db.load('lineitem','../shared/tpch/sf0.1/lineitem.tbl.gz',{delimiter:'|'});
console.log('load s', ((performance.now()-t)/1000).toFixed(2));
db.close(); fs.rmSync(dir,{recursive:true,force:true});
