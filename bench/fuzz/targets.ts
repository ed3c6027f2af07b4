/** Every fuzz target by the kind of input it makes, in the order reports list them. */
import type { Target } from './campaign.js';
import { importTarget, traceTarget } from './targets-log.js';
import { arrowTarget, csvTarget, parquetTarget } from './targets-load.js';
import { oracleTarget, sqlTarget, tlpTarget } from './targets-sql.js';
import { catalogTarget, forgedSegmentTarget, segmentTarget } from './targets-storage.js';

export const TARGETS: readonly Target<any, any>[] = [
  sqlTarget,
  tlpTarget,
  oracleTarget,
  csvTarget,
  arrowTarget,
  parquetTarget,
  traceTarget,
  importTarget,
  segmentTarget,
  forgedSegmentTarget,
  catalogTarget,
];

/** What each kind of input is, for reports. */
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  sql: 'generated statements (queries, EXPLAIN, DDL/INSERT/ALTER/views on scratch tables), a third mutated as text',
  'sql-tlp': 'P / NOT P / P IS NULL must partition the rows of a generated FROM',
  'sql-oracle': 'queries of the subset keel and DuckDB must answer alike, compared',
  csv: 'delimited files, valid (loaded values checked) or damaged, random options, some gzip',
  arrow: 'Arrow IPC files and streams with damaged bytes',
  parquet: 'Parquet files (DuckDB-written, four compressions) with damaged bytes',
  trace: 'replay trace files of valid, damaged and nonsense JSON lines',
  'log-import': 'SYS_QUERY_HISTORY CSV exports (keel log import), damaged',
  segment: 'segment files with damaged bytes (answers checked: CORRUPT or the undamaged answer)',
  'segment-forged': 'segment footers edited, or block bytes changed, with checksums recomputed',
  catalog: 'catalog.json damaged, or edited and resealed with its checksum; the KEEL marker damaged',
};
