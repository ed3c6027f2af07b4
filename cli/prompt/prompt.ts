/**
 * keel sql's interactive prompt (docs/cli.md). Statements end with ';' and
 * may span lines; each is one history entry, kept across sessions
 * (history.ts). They run on a session thread (session.ts), so this thread
 * keeps reading the terminal: Ctrl-C cancels the running statement (its work
 * stops at the next batch, on every thread of the query) or, when none runs,
 * clears what is typed; the prompt stays. Ctrl-D (end of input) and \q quit.
 * Meta-commands (input.ts) list and describe the schema through the system
 * views, and set how results print (display.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { KeelError, UsageError } from '../../engine/index.js';
import { reportError, setNullDisplay } from '../output.js';
import { keelVersion } from '../version.js';
import { HELP, isMetaCommand, parseMetaCommand, statementComplete, type MetaCommand } from './input.js';
import { History, historyFile } from './history.js';
import { renderResult, timingLine, type Display, type Result } from './display.js';
import { Session } from './session.js';
import type { WireResult } from './wire.js';

export interface PromptOptions {
  readonly data: string;
  readonly json?: boolean;
  readonly csv?: boolean;
  /** The session's memory limit in bytes (--memory-limit), else the default (KEEL_MEMORY_LIMIT or none). */
  readonly memoryLimit?: number;
}

const PROMPT = 'keel> ';
const CONTINUE = '   -> ';

function asResult(r: WireResult): Result {
  return { columns: r.columns, stats: r.stats, command: r.command, rowCount: r.rowCount, rows: () => r.rows, textRows: () => r.textRows };
}

/** A name as \d was given it, as the catalog has it: "Quoted" as written, else lower case. */
function catalogName(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length > 1 ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

class Prompt {
  /** The lines of the statement being typed. */
  private statement: string[] = [];
  private readonly display: Display;
  private readonly history: History;
  private readonly rl: readline.Interface;
  private readonly terminal: boolean;
  /** Ctrl-D or the end of the input closed the reader: nothing more is read or prompted for. */
  private closed = false;

  constructor(
    private session: Session,
    private readonly data: string,
    private readonly opts: PromptOptions,
  ) {
    this.display = { mode: opts.json ? 'json' : opts.csv ? 'csv' : 'table', expanded: false, timing: process.stdout.isTTY === true };
    this.history = new History(historyFile(), (m) => process.stderr.write(m + '\n'));
    // the history is ours: one entry per statement, not per line (historySize 0: readline adds none itself)
    this.rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: PROMPT, history: this.history.entries, historySize: 0 });
    this.terminal = (this.rl as unknown as { terminal: boolean }).terminal === true;
  }

  async run(): Promise<void> {
    const interrupt = () => this.interrupt();
    this.rl.on('SIGINT', interrupt); // Ctrl-C on a terminal (raw mode: a key, not a signal)
    this.rl.on('close', () => (this.closed = true));
    process.on('SIGINT', interrupt); // a signal: piped input, kill -INT
    process.stdout.write(`keel ${keelVersion()}: data directory ${this.session.dir}; end statements with ';', \\? for help, \\q or Ctrl-D to quit\n`);
    try {
      this.rl.prompt();
      read: for await (const input of this.rl) {
        // a history entry recalled on a terminal comes back as one line holding the statement's line breaks
        for (const line of input.split('\n')) if (await this.line(line)) break read;
        // after Ctrl-D (or the end of piped input) the lines already read still run, unprompted: prompting
        // would start reading the input again, and keel would not exit
        if (this.closed) continue;
        this.rl.setPrompt(this.statement.length ? CONTINUE : PROMPT);
        this.rl.prompt();
      }
      if (this.terminal) process.stdout.write('\n');
    } finally {
      process.off('SIGINT', interrupt);
      this.rl.close();
      process.stdin.pause();
      await this.session.close();
    }
  }

  /** Ctrl-C: cancels the running statement, else drops what is typed; never quits. */
  private interrupt(): void {
    if (this.session.cancel()) {
      process.stderr.write('Cancel request sent\n');
      return;
    }
    this.statement = [];
    if (this.closed) return;
    const rl = this.rl as unknown as { clearLine?: () => void };
    if (this.terminal && typeof rl.clearLine === 'function') rl.clearLine();
    else process.stdout.write('\n');
    this.rl.setPrompt(PROMPT);
    this.rl.prompt();
  }

  /** One line typed; true to quit. */
  private async line(line: string): Promise<boolean> {
    if (this.statement.length === 0 && line.trim() === '') return false;
    // a backslash command within a statement runs (\q quits) and the statement stays as typed
    if (isMetaCommand(line, this.statement.join('\n'))) {
      this.remember(line.trim());
      return this.meta(parseMetaCommand(line));
    }
    this.statement.push(line);
    const text = this.statement.join('\n');
    if (!statementComplete(text)) return false;
    this.statement = [];
    this.remember(text.trim());
    await this.sql(text);
    return false;
  }

  private remember(entry: string): void {
    this.history.add(entry);
    // readline reads the same array; assigned again in case it keeps a copy
    (this.rl as unknown as { history: string[] }).history = this.history.entries;
  }

  private print(r: WireResult, timing = this.display.timing): void {
    const result = asResult(r);
    if (r.notice !== null) process.stderr.write(`WARNING:  ${r.notice}\n`);
    const text = renderResult(result, this.display);
    if (text !== '') process.stdout.write(text + '\n');
    if (timing) process.stdout.write(timingLine(result) + '\n');
  }

  /** Runs SQL, printing each statement's result as it completes and the first error; returns the results, or null after an error. */
  private async sql(text: string, opts: { timing?: boolean; collect?: boolean } = {}): Promise<WireResult[] | null> {
    const results: WireResult[] = [];
    try {
      await this.session.run(text, (r) => (opts.collect ? results.push(r) : this.print(r, opts.timing)));
      return results;
    } catch (e) {
      await this.failed(e);
      return null;
    }
  }

  /** Reports an error; a session thread that died (a bug) is replaced, so the prompt goes on. */
  private async failed(e: unknown): Promise<void> {
    reportError(e);
    if (!this.session.dead) return;
    try {
      this.session = await Session.open(this.data, this.opts.memoryLimit);
      process.stderr.write('keel: the session was restarted\n');
    } catch (again) {
      reportError(again);
    }
  }

  private async meta(c: MetaCommand): Promise<boolean> {
    const d = this.display;
    switch (c.kind) {
      case 'quit':
        return true;
      case 'help':
        process.stdout.write(HELP + '\n');
        return false;
      case 'list': {
        const where = c.only === 'tables' ? " where t.table_type = 'BASE TABLE'" : c.only === 'views' ? " where t.table_type = 'VIEW'" : '';
        await this.sql(
          "select t.table_name as name, case when t.table_type = 'VIEW' then 'view' else 'table' end as type, i.tbl_rows as rows, i.diststyle, i.sortkey1, i.size_bytes" +
            ` from information_schema.tables t left join svv_table_info i on i."table" = t.table_name${where} order by type, name;`,
          { timing: false },
        );
        return false;
      }
      case 'describe':
        await this.describe(c.name);
        return false;
      case 'tables':
        await this.sql('show tables;', { timing: false });
        return false;
      case 'database':
        await this.database();
        return false;
      case 'schema':
        await this.schema(c.name);
        return false;
      case 'timing':
        d.timing = c.on ?? !d.timing;
        process.stdout.write(`Timing is ${d.timing ? 'on' : 'off'}.\n`);
        return false;
      case 'expanded':
        d.expanded = c.on ?? !d.expanded;
        process.stdout.write(`Expanded display is ${d.expanded ? 'on' : 'off'}.\n`);
        return false;
      case 'format':
        d.mode = c.mode;
        if (c.expanded) d.expanded = true;
        process.stdout.write(`Output format is ${c.mode}${c.expanded ? ', expanded' : ''}.\n`);
        return false;
      case 'null':
        setNullDisplay(c.text);
        process.stdout.write(`Null display is "${c.text}".\n`);
        return false;
      case 'include':
        await this.include(c.file);
        return false;
      case 'usage':
        reportError(new UsageError(c.message));
        return false;
    }
  }

  /** \d NAME: DESCRIBE, and under a table its distribution, sort key and rows. */
  private async describe(name: string): Promise<void> {
    const described = await this.sql(`describe ${name};`, { collect: true });
    if (!described || described.length === 0) return;
    const cols = described[0]!;
    this.print(cols, false);
    // the footers go under a table only
    if (this.display.mode !== 'table' || this.display.expanded) return;
    const info = await this.sql(`select diststyle, tbl_rows from svv_table_info where "table" = ${sqlString(catalogName(name))};`, { collect: true });
    const row = info?.[0]?.textRows[0];
    if (!row) return;
    const sortCol = cols.columns.findIndex((c) => c.name === 'sortkey');
    const keyed = cols.textRows.map((r) => ({ name: r[0]!, pos: Number(r[sortCol]) })).filter((k) => k.pos !== 0);
    const interleaved = keyed.some((k) => k.pos < 0);
    const sortKey = keyed.sort((a, b) => Math.abs(a.pos) - Math.abs(b.pos)).map((k) => k.name);
    process.stdout.write(`Distribution: ${row[0]}\n`);
    process.stdout.write(`Sort key: ${sortKey.length ? `${interleaved ? 'interleaved' : 'compound'} (${sortKey.join(', ')})` : 'none'}\n`);
    process.stdout.write(`Rows: ${row[1]}\n`);
  }

  private async database(): Promise<void> {
    try {
      const i = await this.session.info();
      const v = (name: string, type: string) => ({ name, type });
      const r: WireResult = {
        columns: [v('name', 'varchar(128)'), v('directory', 'varchar(4096)'), v('slices', 'integer'), v('block_rows', 'integer'), v('tables', 'integer'), v('views', 'integer'), v('rows', 'bigint'), v('size_bytes', 'bigint')],
        rows: [[i.name, i.dir, i.slices, i.blockRows, i.tables, i.views, i.rows, i.bytes]],
        textRows: [[i.name, path.resolve(i.dir), String(i.slices), String(i.blockRows), String(i.tables), String(i.views), String(i.rows), String(i.bytes)]],
        command: 'SELECT',
        rowCount: 1,
        stats: { elapsedMs: 0, rowsReturned: 1, rowsMoved: 0, bytesMoved: 0, blocksScanned: 0, blocksSkipped: 0, blocksTotal: 0, rowsScanned: 0, bytesSpilled: 0, spillFiles: 0 },
        notice: null,
      };
      this.print(r, false);
    } catch (e) {
      await this.failed(e);
    }
  }

  private async schema(name: string | null): Promise<void> {
    try {
      const text = await this.session.schema(name === null ? null : catalogName(name));
      if (text === null) throw new KeelError('UNKNOWN_TABLE', `relation "${catalogName(name!)}" does not exist`);
      if (text !== '') process.stdout.write(text + '\n');
    } catch (e) {
      await this.failed(e);
    }
  }

  /** \i FILE: its statements in order, results printed as they complete; stops at the first error, as -f does. */
  private async include(file: string): Promise<void> {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(file), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      reportError(new KeelError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'IO', `\\i ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : ((e as Error).message ?? code)}`));
      return;
    }
    await this.sql(text);
  }
}

/** Runs the prompt on the data directory until \q or end of input. */
export async function runPrompt(opts: PromptOptions): Promise<void> {
  let session: Session;
  try {
    session = await Session.open(opts.data, opts.memoryLimit);
  } catch (e) {
    process.exitCode = reportError(e);
    return;
  }
  await new Prompt(session, opts.data, opts).run();
}
