/**
 * keel ddl export and keel advisor lock: the layout as stable text
 * (advisor/layout-export.ts), read from the catalog without changing the data
 * directory. Errors are reported by main.ts's handler.
 */
import * as fs from 'node:fs';
import { Database as EngineDatabase, UsageError } from '../../engine/index.js';
import { exportDdl, lockFile } from '../../advisor/index.js';
import { printJson, type CommonOptions } from '../context.js';

export interface DdlFlags extends CommonOptions {
  dialect?: string;
  withAutoChoices?: boolean;
  out?: string;
}

/** The text to FILE (with a line saying so) or to standard output. */
function emit(text: string, flags: DdlFlags, what: string, json: () => unknown): void {
  if (flags.out !== undefined) fs.writeFileSync(flags.out, text);
  if (flags.json) printJson(json());
  else if (flags.out !== undefined) process.stdout.write(`wrote ${what} to ${flags.out}\n`);
  else process.stdout.write(text);
}

export async function ddlExportCommand(flags: DdlFlags): Promise<void> {
  // keel's DDL is Redshift's: the one dialect there is, named so scripts can say which they expect
  if (flags.dialect !== undefined && flags.dialect !== 'redshift') throw new UsageError(`--dialect must be redshift, got "${flags.dialect}"`);
  const db = await EngineDatabase.open(flags.data, { create: false });
  try {
    const catalog = db.catalog();
    const ddl = exportDdl(catalog, { withAutoChoices: flags.withAutoChoices === true });
    emit(ddl, flags, `the DDL of ${Object.keys(catalog.tables).length} tables`, () => ({ out: flags.out ?? null, tables: Object.keys(catalog.tables).length, ddl }));
  } finally {
    db.close();
  }
}

export async function advisorLockCommand(flags: DdlFlags): Promise<void> {
  const db = await EngineDatabase.open(flags.data, { create: false });
  try {
    const text = lockFile(db.catalog());
    const choices = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
      const [table, setting, choice] = l.split('\t');
      return { table, setting, choice };
    });
    emit(text, { ...flags, out: flags.out ?? 'keel.lock' }, `${choices.length} AUTO choices`, () => ({ out: flags.out ?? 'keel.lock', choices }));
  } finally {
    db.close();
  }
}
