/**
 * Built-in data generators (`keel gen ...`). Each returns tables ready to load:
 * DDL, column definitions, exact row counts and deterministic physical batches.
 */
export type { GeneratedTable } from './table.js';
export { BATCH_ROWS } from './table.js';
export { tpchTables, TPCH_MAX_SCALE_FACTOR } from './tpch.js';
export { releaseTextPool as releaseTpchTextPool } from './tpch-text.js';
