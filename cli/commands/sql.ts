/** keel sql: one statement, a file of statements (-f), SQL on standard input, or an interactive prompt. */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Database, QueryResult } from '../../engine/index.js';
import { UsageError } from '../../engine/index.js';
import { formatTable, reportError } from '../output.js';
import { printJson, withDatabase, type CommonOptions } from '../context.js';

export interface SqlOptions extends CommonOptions {
  file?: string;
}

/** The machine form of a result (DESIGN.md): columns, rows and stats. */
export function resultJson(r: QueryResult): unknown {
  const s = r.stats;
  return {
    columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: r.rows(),
    stats: {
      elapsedMs: Math.round(s.elapsedMs * 1000) / 1000,
      rowsReturned: s.rowsReturned,
      rowsMoved: s.rowsMoved,
      bytesMoved: s.bytesMoved,
      blocksScanned: s.blocksScanned,
      blocksSkipped: s.blocksSkipped,
      blocksTotal: s.blocksTotal,
      rowsScanned: s.rowsScanned,
    },
  };
}

export function printResult(r: QueryResult, json: boolean): void {
  if (json) {
    printJson(resultJson(r));
    return;
  }
  if (r.columns.length === 0) {
    process.stdout.write(`${r.command}${r.command === 'INSERT' || r.rowCount ? ` ${r.rowCount}` : ''}\n`);
    return;
  }
  if (r.columns.length === 1 && r.columns[0]!.name === 'QUERY PLAN') {
    process.stdout.write(r.rows().map((row) => String(row[0])).join('\n') + '\n');
    return;
  }
  process.stdout.write(formatTable(r.columns.map((c) => c.name), r.rows()) + '\n');
  if (process.stderr.isTTY) {
    const s = r.stats;
    process.stderr.write(`Time: ${s.elapsedMs.toFixed(1)} ms, bytes moved ${s.bytesMoved}, blocks scanned ${s.blocksScanned}, skipped ${s.blocksSkipped}\n`);
  }
}

async function runScript(db: Database, sql: string, json: boolean): Promise<void> {
  await db.execute(sql, (r) => printResult(r, json));
}

export async function sqlCommand(query: string | undefined, opts: SqlOptions): Promise<void> {
  if (query !== undefined && opts.file !== undefined) throw new UsageError('give either a statement or -f FILE, not both');
  let script: string | undefined = query;
  if (opts.file !== undefined) {
    if (!fs.existsSync(opts.file)) throw new UsageError(`-f ${opts.file}: no such file`);
    script = fs.readFileSync(opts.file, 'utf8');
  } else if (script === undefined && !process.stdin.isTTY) {
    script = fs.readFileSync(0, 'utf8');
  }
  await withDatabase(opts, async (db) => {
    if (script !== undefined) await runScript(db, script, opts.json === true);
    else await repl(db, opts.json === true);
  });
}

/** An interactive prompt: statements end with ';'; errors are shown and the prompt goes on. */
async function repl(db: Database, json: boolean): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'keel> ' });
  process.stdout.write(`keel: data directory ${db.dir}; end statements with ';', quit with \\q or Ctrl-D\n`);
  let buffer = '';
  rl.prompt();
  for await (const line of rl) {
    if (buffer === '' && /^\s*\\q\s*$/.test(line)) break;
    buffer += line + '\n';
    if (/;\s*$/.test(line)) {
      try {
        await runScript(db, buffer, json);
      } catch (e) {
        reportError(e);
      }
      buffer = '';
    }
    rl.setPrompt(buffer ? '   -> ' : 'keel> ');
    rl.prompt();
  }
  rl.close();
}
