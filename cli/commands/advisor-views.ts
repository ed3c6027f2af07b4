/**
 * keel advisor views: the ledger of automatic materialized views
 * (advisor/matviews/ledger-rows.ts; the same rows as svv_auto_mv_ledger).
 * Every figure carries its unit in its name.
 */
import { Database } from '../../index.js';
import { loadConfig } from '../../advisor/autonomics/index.js';
import { ledgerRows, type LedgerRow } from '../../advisor/matviews/index.js';
import { formatTable, reportError } from '../output.js';
import { printJson, type CommonOptions } from '../context.js';

export interface AdvisorViewsFlags extends CommonOptions {
  active?: boolean;
}

const secs = (x: number) => `${x.toFixed(3)} s/day`;

function text(rows: readonly LedgerRow[], windowDays: number): string {
  if (rows.length === 0) return 'no automatic materialized views yet (the daemon\'s views step creates them where they pay; docs/advisor.md)\n';
  const table = formatTable(
    ['view', 'status', 'hits', 'saved', 'expected', 'build', 'refreshes', 'refresh cost', 'storage', 'rows', 'stale', 'since refresh'],
    rows.map((r) => [
      r.name,
      r.status,
      r.hits,
      secs(r.savedSecondsPerDay),
      secs(r.expectedSecondsPerDay),
      r.buildMs === null ? null : `${r.buildMs} ms`,
      `${r.refreshes} (${r.refreshMs} ms)`,
      secs(r.refreshSecondsPerDay),
      `${r.storageBytes} B`,
      r.rows,
      r.stale === null ? null : r.stale ? 'yes' : 'no',
      r.secondsSinceRefresh === null ? null : `${r.secondsSinceRefresh} s`,
    ]),
  );
  const details = rows.map((r) => {
    const served = r.queries.length ? r.queries.map((q) => `    ${q.hits} hits  ${q.fingerprint}`).join('\n') : '    (no hits in the window)';
    return `${r.name} (${r.status}): ${r.sql}\n  why: ${r.reason}\n  queries served (hits in the last ${windowDays.toFixed(1)} days):\n${served}`;
  });
  return `${table}\n\nsaved: query time the hits saved against the view's baseline, per day; expected: the net saving estimated when it was created\n\n${details.join('\n\n')}\n`;
}

export async function advisorViewsCommand(flags: AdvisorViewsFlags): Promise<void> {
  let db: Database | undefined;
  try {
    db = await Database.open(flags.data, { create: false, workloadLog: false });
    const sinceMs = loadConfig(db.dir).mining.sinceMs;
    const rows = ledgerRows(db.dir, db.catalog(), sinceMs).filter((r) => !flags.active || r.status === 'active' || r.status === 'creating');
    if (flags.json) printJson(rows);
    else process.stdout.write(text(rows, sinceMs / 86_400_000));
  } catch (e) {
    process.exitCode = reportError(e);
  } finally {
    db?.close();
  }
}
