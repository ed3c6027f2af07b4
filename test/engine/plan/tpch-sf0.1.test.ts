/** TPC-H SF 0.1 against DuckDB under three layouts (see test/helpers/tpch-suite.ts). */
import { ALL_ALL, ALL_EVEN, KEYED } from '../../helpers/keel-tpch.js';
import { tpchSuite } from '../../helpers/tpch-suite.js';

tpchSuite('0.1', [
  ['EVEN', ALL_EVEN, 4],
  ['ALL', ALL_ALL, 4],
  ['KEYED', KEYED, 4],
]);
