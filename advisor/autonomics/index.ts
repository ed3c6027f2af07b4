/**
 * Autonomics (docs/autonomics.md): the recommendation lifecycle (apply,
 * verify, revert, resume after a crash), the policy in DIR/keel.config.json,
 * and the loop's steps the daemon schedules.
 */
export { loadConfig, parseConfig, defaultConfig, configPath, inMaintenanceWindow, parseBytes, parseDuration, ConfigError, CONFIG_FILE, KINDS, MAINTENANCE_ACTIONS, type AutonomicsConfig, type Kind, type Metric, type MaintenanceAction } from './config.js';
export { maintainStep, dueActions, blocksReadWithPredicateOn, type MaintainResult, type MaintenanceContext, type DueAction, type MaintenanceOutcomeRow } from './maintenance.js';
export { AuditLog, readAudit, auditPath, autoWorkerActionTable, type AuditRow, type AuditEvent, type AutoAction, type AutoStatus } from './audit.js';
export { applyGroup, revertGroup, groupOf, resumeInterrupted, applyingProcess, applyLockPath, type ApplyOptions, type ResumeOutcome } from './lifecycle.js';
export { verifyGroup, overlapping, measureWindow, compareWindows, windowsOf, describeVerification, type Window, type VerifyOptions, type VerifyOutcome } from './verify.js';
export { inverseDdl, snapshotOf, sameLayout, snapshotFromCurrent, statementsOf, combinedAlter, ident, type InverseDdl } from './layout.js';
export { runAlter, hasOnlineAlter, type AlterOptions, type AlterOutcome } from './engine-alter.js';
export { candidates, blockedBy, gateClosed, tableBytes } from './policy.js';
export { mineStep, applyStep, verifyStep, type MineResult, type ApplyStepResult, type VerifyStepResult, type StepContext } from './cycle.js';
export { processAlive, tryLock, withLockSync, lockHolder } from './file-lock.js';
export type { Lifecycle, LayoutSnapshot, Verification, Verdict, MetricComparison } from './types.js';
export { runDemo, ratioText, type DemoOptions, type DemoPhase, type DemoMeasure, type DemoReport } from './demo.js';
