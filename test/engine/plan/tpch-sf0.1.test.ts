/**
 * TPC-H SF 0.1 against DuckDB (see test/helpers/tpch-suite.ts): at a scale
 * where every table spans many blocks and batches, under the layouts whose
 * joins move rows between slices (every table EVEN: every join
 * redistributes; KEYED: co-located, broadcast and redistributed joins).
 * Every table ALL moves nothing and holds a full copy per slice, the most
 * costly layout to load; tpch.test.ts proves it at SF 0.01, and KEEL_SLOW=1
 * adds it here.
 */
import { ALL_ALL, ALL_EVEN, KEYED, type Layout } from '../../helpers/keel-tpch.js';
import { tpchSuite } from '../../helpers/tpch-suite.js';

const layouts: [string, Layout, number][] = [
  ['EVEN', ALL_EVEN, 4],
  ['KEYED', KEYED, 4],
];
if (process.env.KEEL_SLOW === '1') layouts.push(['ALL', ALL_ALL, 4]);

tpchSuite('0.1', layouts);
