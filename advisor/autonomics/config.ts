/**
 * The autonomics policy: one JSON file in the data directory,
 * DIR/keel.config.json (docs/autonomics.md documents every key). Missing keys
 * take their defaults; a missing file means all defaults. A bad key or value
 * is a ConfigError naming the file and the key, never a silent fallback.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import cron from 'node-cron';
import { KeelError } from '../../engine/index.js';

export const CONFIG_FILE = 'keel.config.json';

export type Kind = 'distkey' | 'diststyle' | 'sortkey' | 'encoding';
export const KINDS: readonly Kind[] = ['distkey', 'diststyle', 'sortkey', 'encoding'];
export type Metric = 'timeMs' | 'bytesMoved' | 'blocksScanned';
export type MaintenanceAction = 'vacuum delete' | 'vacuum sort' | 'analyze';
export const MAINTENANCE_ACTIONS: readonly MaintenanceAction[] = ['vacuum delete', 'vacuum sort', 'analyze'];

export interface AutonomicsConfig {
  /** Apply recommendations that change settings a user wrote in DDL (default false: recommended only). */
  readonly applyUserSet: boolean;
  /** Tables the daemon never changes (still recommended). */
  readonly excludeTables: readonly string[];
  /** Twin tables besides those the naming rule finds (t_staging, stg_t beside t), as [table, copy]: advised as one layout (advisor/twins.ts). */
  readonly twins: readonly (readonly [string, string])[];
  /** Recommendation kinds the daemon applies on its own. */
  readonly applyKinds: readonly Kind[];
  /** Cron expression of the minutes in which applies may start (default: any minute). */
  readonly maintenanceWindow: string;
  /** Largest table (encoded bytes, all slices and copies) the daemon rebuilds. */
  readonly maxTableBytes: number;
  /** Write rate cap of a background rebuild, bytes per second (null: none). */
  readonly maxBytesPerSecond: number | null;
  /** Applies start only while the 1-minute load average is below this. */
  readonly maxLoadAverage: number;
  /** Applies that fail or are interrupted are retried this many times in all. */
  readonly maxAttempts: number;
  readonly schedule: { readonly mine: string; readonly apply: string; readonly verify: string; readonly maintain: string; readonly views: string };
  /** Automatic vacuum and analyze (maintenance.ts). */
  readonly maintenance: {
    readonly enabled: boolean;
    /** The actions the daemon runs on its own. */
    readonly actions: readonly MaintenanceAction[];
    /** A vacuum delete is due when deleted rows are at least this percent of a table's rows. */
    readonly minDeletedPercent: number;
    /** A vacuum sort is due when the blocks it saves the workload over the mining window are at least this many times the blocks it writes. */
    readonly sortPayback: number;
    /** An analyze is due at this stats_off. */
    readonly analyzeStatsOff: number;
    /** Bytes one maintenance cycle may write in all. */
    readonly maxBytesPerCycle: number;
  };
  /** Automatic materialized views (advisor/matviews; docs/advisor.md, "Automatic materialized views"). */
  readonly views: {
    readonly enabled: boolean;
    /** Automatic views alive at once, at most. */
    readonly maxViews: number;
    /** Encoded bytes of all automatic views together, at most. */
    readonly maxStorageBytes: number;
    /** A view is created, and kept, only while it saves at least this many seconds of query time a day, net of its costs. */
    readonly minSecondsPerDay: number;
    /** A view is judged (kept or dropped) once it is this old (ms). */
    readonly verifyAfterMs: number;
  };
  readonly mining: {
    /** Only queries younger than this (ms) are mined. */
    readonly sinceMs: number;
    /** A mining run needs at least this many queries in that window. */
    readonly minQueries: number;
  };
  readonly verification: {
    /** Length of the windows compared, before the apply and after it (ms). */
    readonly windowMs: number;
    /** Verify early once the affected fingerprints ran this many times after the apply. */
    readonly minExecutions: number;
    /** Per metric, how much worse (0.1 = 10%) the after window may be before the change is reverted; null: not judged. */
    readonly maxRegression: Readonly<Record<Metric, number | null>>;
  };
  /** keel serve's workload management (server/wlm.ts; docs/server.md): its flags --wlm-slots and --wlm-short-ms override these. */
  readonly wlm: {
    /** Statements running at once, the others queued; 0: no queue. */
    readonly slots: number;
    /** Short query acceleration: a statement predicted to run at most this long (ms) waits in the lane served first. */
    readonly shortQueryMs: number;
  };
}

/** A bad keel.config.json: which file, which key, what was expected. */
export class ConfigError extends KeelError {
  constructor(
    readonly file: string,
    readonly key: string,
    message: string,
  ) {
    super('USAGE', `${file}: "${key}" ${message}`);
  }
}

export function defaultConfig(): AutonomicsConfig {
  return {
    applyUserSet: false,
    excludeTables: [],
    twins: [],
    applyKinds: KINDS,
    maintenanceWindow: '* * * * *',
    maxTableBytes: 4 * 1024 ** 3,
    maxBytesPerSecond: null,
    // one busy core's worth of headroom: the machine is not saturated
    maxLoadAverage: Math.max(1, os.cpus().length - 0.5),
    maxAttempts: 3,
    schedule: { mine: '*/15 * * * *', apply: '*/5 * * * *', verify: '*/5 * * * *', maintain: '*/10 * * * *', views: '*/10 * * * *' },
    maintenance: { enabled: true, actions: MAINTENANCE_ACTIONS, minDeletedPercent: 5, sortPayback: 1, analyzeStatsOff: 10, maxBytesPerCycle: 4 * 1024 ** 3 },
    views: { enabled: true, maxViews: 10, maxStorageBytes: 1024 ** 3, minSecondsPerDay: 1, verifyAfterMs: 3_600_000 },
    mining: { sinceMs: 7 * 86_400_000, minQueries: 20 },
    verification: {
      windowMs: 3_600_000,
      minExecutions: 20,
      // a change must not leave the workload slower: time counts beyond 5% once it is also beyond its noise (verify.ts)
      maxRegression: { timeMs: 0.05, bytesMoved: 0.1, blocksScanned: 0.1 },
    },
    // no queue unless asked for; Redshift's short query acceleration starts from a few seconds, keel's prediction from one
    wlm: { slots: 0, shortQueryMs: 1000 },
  };
}

export function configPath(dataDir: string): string {
  return path.join(dataDir, CONFIG_FILE);
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNITS_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** "90s", "15m", "2h", "7d" (or a number of milliseconds). */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(v);
  return m ? Number(m[1]) * UNITS_MS[m[2]!.toLowerCase()]! : null;
}

/** "512MB", "4GB" (or a number of bytes). */
export function parseBytes(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(v);
  return m ? Math.round(Number(m[1]) * UNITS_BYTES[(m[2] ?? 'b').toLowerCase()]!) : null;
}

/** Validates a parsed config object against the defaults; `file` names it in errors. */
export function parseConfig(raw: unknown, file: string): AutonomicsConfig {
  const d = defaultConfig();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, '(top level)', 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  const fail = (key: string, msg: string): never => {
    throw new ConfigError(file, key, msg);
  };
  const known = ['applyUserSet', 'excludeTables', 'twins', 'applyKinds', 'maintenanceWindow', 'maxTableBytes', 'maxBytesPerSecond', 'maxLoadAverage', 'maxAttempts', 'schedule', 'maintenance', 'views', 'mining', 'verification', 'wlm'];
  const unknownKeys = (obj: Record<string, unknown>, allowed: readonly string[], prefix: string) => {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail(prefix + k, `is not a setting (known: ${allowed.join(', ')})`);
  };
  unknownKeys(o, known, '');
  const sub = (key: string): Record<string, unknown> => {
    const v = o[key];
    if (v === undefined) return {};
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(key, 'must be an object');
    return v as Record<string, unknown>;
  };
  const bool = (key: string, v: unknown, dflt: boolean) => (v === undefined ? dflt : typeof v === 'boolean' ? v : fail(key, `must be true or false, got ${JSON.stringify(v)}`));
  const cronExpr = (key: string, v: unknown, dflt: string) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !cron.validate(v)) return fail(key, `must be a cron expression like "*/5 * * * *" (minute hour day month weekday), got ${JSON.stringify(v)}`);
    return v;
  };
  const positive = (key: string, v: unknown, dflt: number, integer = false) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) return fail(key, `must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
    return v;
  };
  const duration = (key: string, v: unknown, dflt: number) => (v === undefined ? dflt : parseDuration(v) ?? fail(key, `must be a duration like "30m", "2h" or "7d", got ${JSON.stringify(v)}`));
  const bytes = (key: string, v: unknown) => parseBytes(v) ?? fail(key, `must be a size like "512MB" or "4GB" (or bytes), got ${JSON.stringify(v)}`);

  const excludeTables = o.excludeTables === undefined ? d.excludeTables : Array.isArray(o.excludeTables) && o.excludeTables.every((t) => typeof t === 'string') ? (o.excludeTables as string[]) : fail('excludeTables', 'must be an array of table names');
  const pair = (t: unknown) => Array.isArray(t) && t.length === 2 && t.every((x) => typeof x === 'string' && x !== '') && t[0] !== t[1];
  const twins = o.twins === undefined ? d.twins : Array.isArray(o.twins) && o.twins.every(pair) ? (o.twins as [string, string][]) : fail('twins', 'must be an array of [table, copy] pairs of two different table names, like [["sales", "sales_load"]]');
  let applyKinds = d.applyKinds;
  if (o.applyKinds !== undefined) {
    if (!Array.isArray(o.applyKinds)) fail('applyKinds', `must be an array of ${KINDS.join(', ')}`);
    for (const k of o.applyKinds as unknown[]) if (!KINDS.includes(k as Kind)) fail('applyKinds', `holds ${JSON.stringify(k)}, not one of ${KINDS.join(', ')}`);
    applyKinds = o.applyKinds as Kind[];
  }
  const schedule = sub('schedule');
  unknownKeys(schedule, ['mine', 'apply', 'verify', 'maintain', 'views'], 'schedule.');
  const views = sub('views');
  unknownKeys(views, ['enabled', 'maxViews', 'maxStorageBytes', 'minSecondsPerDay', 'verifyAfter'], 'views.');
  const maint = sub('maintenance');
  unknownKeys(maint, ['enabled', 'actions', 'minDeletedPercent', 'sortPayback', 'analyzeStatsOff', 'maxBytesPerCycle'], 'maintenance.');
  let actions = d.maintenance.actions;
  if (maint.actions !== undefined) {
    if (!Array.isArray(maint.actions)) fail('maintenance.actions', `must be an array of ${MAINTENANCE_ACTIONS.map((a) => JSON.stringify(a)).join(', ')}`);
    for (const a of maint.actions as unknown[]) if (!MAINTENANCE_ACTIONS.includes(a as MaintenanceAction)) fail('maintenance.actions', `holds ${JSON.stringify(a)}, not one of ${MAINTENANCE_ACTIONS.map((x) => JSON.stringify(x)).join(', ')}`);
    actions = maint.actions as MaintenanceAction[];
  }
  const percent = (key: string, v: unknown, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !(v > 0 && v <= 100)) return fail(key, `must be a percent above 0 and at most 100, got ${JSON.stringify(v)}`);
    return v;
  };
  const wlm = sub('wlm');
  unknownKeys(wlm, ['slots', 'shortQueryTime'], 'wlm.');
  // PostgreSQL's limit for durations (INT_MAX ms), as keel serve's flags
  const slots = wlm.slots === undefined ? d.wlm.slots : typeof wlm.slots === 'number' && Number.isInteger(wlm.slots) && wlm.slots >= 0 && wlm.slots <= 0x7fffffff ? wlm.slots : fail('wlm.slots', `must be a whole number of at least 0 (0: no queue), got ${JSON.stringify(wlm.slots)}`);
  const shortQueryMs =
    wlm.shortQueryTime === undefined ? d.wlm.shortQueryMs : wlm.shortQueryTime === 0 ? 0 : (parseDuration(wlm.shortQueryTime) ?? fail('wlm.shortQueryTime', `must be a duration like "500ms" or "2s" (or a number of ms, 0 for none), got ${JSON.stringify(wlm.shortQueryTime)}`));
  const mining = sub('mining');
  unknownKeys(mining, ['since', 'minQueries'], 'mining.');
  const verification = sub('verification');
  unknownKeys(verification, ['window', 'minExecutions', 'maxRegression'], 'verification.');
  let maxRegression = d.verification.maxRegression;
  if (verification.maxRegression !== undefined) {
    const mr = verification.maxRegression;
    if (mr === null || typeof mr !== 'object' || Array.isArray(mr)) fail('verification.maxRegression', 'must be an object like {"timeMs": 0.05, "bytesMoved": 0.1, "blocksScanned": 0.1}');
    const m = mr as Record<string, unknown>;
    unknownKeys(m, ['timeMs', 'bytesMoved', 'blocksScanned'], 'verification.maxRegression.');
    const limit = (k: Metric) => {
      const v = m[k];
      if (v === undefined) return d.verification.maxRegression[k];
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return fail(`verification.maxRegression.${k}`, `must be a fraction >= 0 (0.1 is 10%) or null, got ${JSON.stringify(v)}`);
      return v;
    };
    maxRegression = { timeMs: limit('timeMs'), bytesMoved: limit('bytesMoved'), blocksScanned: limit('blocksScanned') };
  }
  return {
    applyUserSet: bool('applyUserSet', o.applyUserSet, d.applyUserSet),
    excludeTables,
    twins,
    applyKinds,
    maintenanceWindow: cronExpr('maintenanceWindow', o.maintenanceWindow, d.maintenanceWindow),
    maxTableBytes: o.maxTableBytes === undefined ? d.maxTableBytes : bytes('maxTableBytes', o.maxTableBytes),
    maxBytesPerSecond: o.maxBytesPerSecond === undefined || o.maxBytesPerSecond === null ? d.maxBytesPerSecond : bytes('maxBytesPerSecond', o.maxBytesPerSecond),
    maxLoadAverage: positive('maxLoadAverage', o.maxLoadAverage, d.maxLoadAverage),
    maxAttempts: positive('maxAttempts', o.maxAttempts, d.maxAttempts, true),
    schedule: {
      mine: cronExpr('schedule.mine', schedule.mine, d.schedule.mine),
      apply: cronExpr('schedule.apply', schedule.apply, d.schedule.apply),
      verify: cronExpr('schedule.verify', schedule.verify, d.schedule.verify),
      maintain: cronExpr('schedule.maintain', schedule.maintain, d.schedule.maintain),
      views: cronExpr('schedule.views', schedule.views, d.schedule.views),
    },
    views: {
      enabled: bool('views.enabled', views.enabled, d.views.enabled),
      maxViews: positive('views.maxViews', views.maxViews, d.views.maxViews, true),
      maxStorageBytes: views.maxStorageBytes === undefined ? d.views.maxStorageBytes : bytes('views.maxStorageBytes', views.maxStorageBytes),
      minSecondsPerDay: positive('views.minSecondsPerDay', views.minSecondsPerDay, d.views.minSecondsPerDay),
      verifyAfterMs: duration('views.verifyAfter', views.verifyAfter, d.views.verifyAfterMs),
    },
    maintenance: {
      enabled: bool('maintenance.enabled', maint.enabled, d.maintenance.enabled),
      actions,
      minDeletedPercent: percent('maintenance.minDeletedPercent', maint.minDeletedPercent, d.maintenance.minDeletedPercent),
      sortPayback: positive('maintenance.sortPayback', maint.sortPayback, d.maintenance.sortPayback),
      analyzeStatsOff: percent('maintenance.analyzeStatsOff', maint.analyzeStatsOff, d.maintenance.analyzeStatsOff),
      maxBytesPerCycle: maint.maxBytesPerCycle === undefined ? d.maintenance.maxBytesPerCycle : bytes('maintenance.maxBytesPerCycle', maint.maxBytesPerCycle),
    },
    mining: {
      sinceMs: duration('mining.since', mining.since, d.mining.sinceMs),
      minQueries: positive('mining.minQueries', mining.minQueries, d.mining.minQueries, true),
    },
    verification: {
      windowMs: duration('verification.window', verification.window, d.verification.windowMs),
      minExecutions: positive('verification.minExecutions', verification.minExecutions, d.verification.minExecutions, true),
      maxRegression,
    },
    wlm: { slots, shortQueryMs },
  };
}

/** The data directory's policy: its keel.config.json, or the defaults when there is none. */
export function loadConfig(dataDir: string): AutonomicsConfig {
  const file = configPath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw new ConfigError(file, '(file)', `cannot be read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, '(file)', `is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, file);
}

/** Whether `date` falls in a minute the maintenance window's cron expression matches. */
export function inMaintenanceWindow(config: AutonomicsConfig, date: Date): boolean {
  const task = cron.createTask(config.maintenanceWindow, () => undefined);
  try {
    // node-cron matches the second too: a 5-field expression means second 0
    return task.match(new Date(Math.floor(date.getTime() / 60_000) * 60_000));
  } finally {
    void task.destroy();
  }
}
