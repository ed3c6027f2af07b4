/** One timed `keel load` for the load benchmark: prints {rows, ms, maxRssKb} as JSON. */
import { Database } from '../engine/database.js';

const [, , dir, table, file] = process.argv;
const db = await Database.open(dir!, { create: false });
const t0 = performance.now();
const { rows } = await db.load(table!, file!, { delimiter: '|' });
const ms = performance.now() - t0;
db.close();
process.stdout.write(JSON.stringify({ rows, ms, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
