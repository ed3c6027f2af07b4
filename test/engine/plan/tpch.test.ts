/** TPC-H SF 0.01 against DuckDB under four layouts (see test/helpers/tpch-suite.ts). */
import { ALL_ALL, ALL_EVEN, KEYED } from '../../helpers/keel-tpch.js';
import { tpchSuite } from '../../helpers/tpch-suite.js';

tpchSuite('0.01', [
  ['EVEN', ALL_EVEN, 4],
  ['ALL', ALL_ALL, 4],
  ['KEYED', KEYED, 4],
  ['KEYED, 3 slices', KEYED, 3],
]);
