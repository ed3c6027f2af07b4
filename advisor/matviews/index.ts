/**
 * Automatic materialized views (docs/advisor.md, "Automatic materialized
 * views"): mining the log for repeated join-and-aggregate work, merging it
 * into candidate views, the benefit/cost rule, the daemon's step that
 * creates, refreshes and drops them, and the ledger behind
 * `keel advisor views` and svv_auto_mv_ledger.
 */
export { mineWorkload, changedTable, viewOfStorageTable, type MinedQuery, type MinedWorkload } from './mine.js';
export { candidatesOf, answers, selectText, type Candidate } from './candidates.js';
export { withBlocks } from './blocks.js';
export { estimate, doesNotPay, measured, stoppedPaying, type ViewEstimate, type ViewMeasure, type Measured } from './decide.js';
export { readLedger, updateLedger, patchEntry, ledgerPath, LEDGER_FORMAT, type AutoViewEntry, type AutoViewStatus, type LedgerFile } from './ledger.js';
export { ledgerRows, autoMvLedgerTable, viewHits, measureOf, refreshesSince, loggedRefreshes, refreshCost, type LedgerRow, type ViewHits } from './ledger-rows.js';
export { viewsStep, type ViewsStepResult } from './step.js';
