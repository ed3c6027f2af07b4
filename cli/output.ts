/** Terminal output: aligned tables, progress bars that only draw on a terminal, error printing. */
import * as fs from 'node:fs';
import { KeelError, LoadError, SqlError } from '../engine/errors.js';
import { integerText } from '../engine/result.js';
import { isEnvironmentError, storageErrorOf } from '../engine/index.js';

export type Cell = number | string | boolean | null;

/** How NULL prints in tables and CSV (psql's \pset null); empty by default, as in psql. JSON always has null. */
let nullText = '';

/** Sets how NULL prints in tables and CSV: `keel sql --null STR`, and the prompt's \pset null. */
export function setNullDisplay(text: string): void {
  nullText = text;
}

/** How NULL prints in tables and CSV now. */
export function nullDisplay(): string {
  return nullText;
}

/**
 * A JS number (a count, a time) as text: integers with all their digits,
 * fractions rounded to 6 places; never exponent form. SQL values come to
 * the CLI as exact text (QueryResult.textRows) and are printed as they are.
 */
function numberText(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return integerText(v);
  const r = Math.round(v * 1e6) / 1e6;
  if (Math.abs(r) >= 1e21) return integerText(Math.round(r));
  // toFixed never uses exponent form below 1e21; the zeros it pads with go
  return r.toFixed(6).replace(/\.?0+$/, '');
}

function cellText(v: Cell): string {
  if (v === null) return nullText;
  if (typeof v === 'number') return numberText(v);
  return String(v);
}

/** The width of the screen when standard output is a terminal; undefined when it is piped (nothing is cut then). */
export function terminalWidth(): number | undefined {
  return process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}

/** Columns a character takes on a terminal: 0 for combining marks, 2 for wide (East Asian, emoji), else 1. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns `s` takes on a terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** `s` cut to at most `width` columns, ending in an ellipsis when cut. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

const padEnd = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
const padStart = (s: string, w: number) => ' '.repeat(Math.max(0, w - displayWidth(s))) + s;

export interface TableOptions {
  /** Rows shown (default 1000); the footer says how many there were. */
  readonly maxRows?: number;
  /**
   * Columns the table may take: wider rows are fitted by cutting the widest
   * text columns (with an ellipsis; numbers are never cut). Default: the
   * terminal's width on a terminal, none when piped (terminalWidth()).
   */
  readonly width?: number;
  /** Per column: right-aligned (numbers). Default: columns whose cells are all numbers or NULL. */
  readonly rightAlign?: readonly boolean[];
  /** The "(n rows)" line (default true). */
  readonly footer?: boolean;
}

/** Text columns are not cut below this many columns (or their natural width). */
const MIN_CUT_WIDTH = 6;

/**
 * The widths that fit `natural` into `width` (with `sep` columns between
 * them): the widest cuttable columns are narrowed to a common cap, no column
 * below MIN_CUT_WIDTH; when even that does not fit, the rows stay wider.
 */
export function fitWidths(natural: readonly number[], cuttable: readonly boolean[], width: number, sep = 3): number[] {
  const total = (ws: readonly number[]) => ws.reduce((a, b) => a + b, 0) + sep * Math.max(0, ws.length - 1);
  if (total(natural) <= width) return [...natural];
  const capped = (cap: number) => natural.map((w, i) => (cuttable[i] ? Math.min(w, Math.max(cap, Math.min(w, MIN_CUT_WIDTH))) : w));
  let lo = MIN_CUT_WIDTH;
  let hi = Math.max(...natural);
  if (total(capped(lo)) > width) return capped(lo);
  // the largest cap that fits
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(capped(mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return capped(lo);
}

/**
 * A psql-like table: header, rule, rows; numbers right-aligned; NULL as
 * nullDisplay(). The third argument is the options, or the number of rows
 * shown (maxRows).
 */
export function formatTable(columns: readonly string[], rows: readonly (readonly Cell[])[], options: number | TableOptions = {}): string {
  const opts: TableOptions = typeof options === 'number' ? { maxRows: options } : options;
  const maxRows = opts.maxRows ?? 1000;
  const width = 'width' in opts ? opts.width : terminalWidth();
  const shown = rows.slice(0, maxRows);
  const texts = shown.map((r) => r.map(cellText));
  const right = opts.rightAlign ?? columns.map((_, i) => shown.length > 0 && shown.every((r) => r[i] === null || typeof r[i] === 'number'));
  const natural = columns.map((c, i) => Math.max(displayWidth(c), ...texts.map((r) => displayWidth(r[i]!))));
  const widths = width === undefined ? natural : fitWidths(natural, right.map((r) => !r), width);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const t = displayWidth(c) > widths[i]! ? truncate(c, widths[i]!) : c;
        return right[i] ? padStart(t, widths[i]!) : padEnd(t, widths[i]!);
      })
      .join(' | ');
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...texts.map(line)];
  if (opts.footer === false) return out.join('\n');
  const more = rows.length > shown.length ? `\n(${rows.length} rows, first ${shown.length} shown)` : `\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  return out.join('\n') + more;
}

/** What a SQL result table needs: column names and types, and the values as exact text (QueryResult). */
export interface TextResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  textRows(): (string | null)[][];
}

/** A SQL result as a table: exact values (QueryResult.textRows), numbers right-aligned, NULL as nullDisplay(). */
export function formatResultTable(r: TextResult, options: Omit<TableOptions, 'rightAlign'> = {}): string {
  const rightAlign = r.columns.map((c) => kindOfType(c.type) === 'exact' || kindOfType(c.type) === 'float');
  return formatTable(
    r.columns.map((c) => c.name),
    r.textRows(),
    { ...options, rightAlign },
  );
}

/** A CSV field: quoted when it holds the delimiter, a quote, a line break, outer blanks, or reads as the NULL marker. */
/** Statements whose tag always carries the rows they changed, as psql prints it (DELETE 0). */
const COUNTED = new Set(['INSERT', 'DELETE', 'UPDATE', 'MERGE', 'COPY', 'UNLOAD']);

/** The command tag of a statement that returns no rows: CREATE TABLE, INSERT 3, DELETE 0. */
export function commandTag(r: { readonly command: string; readonly rowCount: number }): string {
  return `${r.command}${COUNTED.has(r.command) || r.rowCount ? ` ${r.rowCount}` : ''}`;
}

function csvField(text: string): string {
  if (text === nullText || /[",\r\n]/.test(text) || /^\s|\s$/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/**
 * CSV (RFC 4180) of a result's text rows: a header line, then one line per row.
 * NULL is nullDisplay() unquoted (empty by default), and a string that reads
 * like it is quoted: NULL and '' differ (,, and ,"",).
 */
export function formatCsv(columns: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const line = (cells: readonly (string | null)[]) => cells.map((c) => (c === null ? nullText : csvField(c))).join(',');
  return [columns.map(csvField).join(','), ...rows.map(line)].join('\n');
}

/** How a SQL type's values print in JSON and align in tables. */
export type ValueKind = 'exact' | 'float' | 'boolean' | 'text';

/** The kind of a result column's type, as ResultColumn.type names it (integer, decimal(12,2), double precision, ...). */
export function kindOfType(type: string): ValueKind {
  const t = type.toLowerCase();
  if (/^(smallint|integer|bigint|decimal|numeric)\b/.test(t)) return 'exact';
  if (/^(real|double|float)/.test(t)) return 'float';
  if (t === 'boolean') return 'boolean';
  return 'text';
}

/**
 * One row's cells as JSON text: exact numbers (integers, DECIMAL) as number
 * literals with all their digits and the DECIMAL's scale (12.50: a JSON
 * number, parsed to 12.5 by JSON.parse, its digits exact for parsers that keep
 * them), DOUBLE/REAL as numbers (NaN and ±Infinity, which JSON has no number
 * for, as the strings "NaN", "Infinity", "-Infinity"), booleans as true/false,
 * everything else as strings; NULL as null.
 */
export function jsonRowText(kinds: readonly ValueKind[], row: readonly (string | null)[]): string {
  const cells = row.map((t, i) => {
    if (t === null) return 'null';
    switch (kinds[i]) {
      case 'exact':
      case 'boolean':
        return t;
      case 'float':
        return /^-?(Infinity|NaN)$/.test(t) ? JSON.stringify(t) : t;
      default:
        return JSON.stringify(t);
    }
  });
  return `[${cells.join(',')}]`;
}

/** JSON text that printJson writes as it is (number literals JSON.stringify cannot make, such as 12.50). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, with every RawJson written as its text. */
export function stringifyJson(value: unknown): string {
  const raw: string[] = [];
  // a placeholder no value holds: a fresh random tag per call
  const tag = `@keel-raw-json-${Math.random().toString(36).slice(2)}-`;
  const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof RawJson ? `${tag}${raw.push(v.text) - 1}` : v));
  if (raw.length === 0) return text;
  return text.replace(new RegExp(`"${tag}(\\d+)"`, 'g'), (_m, n: string) => raw[Number(n)]!);
}

/** The progress line drawn on the terminal now, if any: ended before an error or a message is printed. */
let drawn: Progress | null = null;

/** Ends the progress line on the terminal, if one is drawn, so that what is printed next starts on a clean line. */
export function endProgressLine(): void {
  drawn?.done();
}

/** A progress bar on stderr, drawn only when stderr is a terminal and output is not --json. */
export class Progress {
  private readonly enabled: boolean;
  private last = 0;
  private readonly started = Date.now();

  constructor(private readonly label: string, quiet: boolean) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(done: number, total: number, detail = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = ((now - this.started) / 1000).toFixed(1);
    if (drawn !== null && drawn !== this) drawn.done();
    drawn = this;
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${detail} ${secs}s\x1b[K`);
  }

  /** Clears the line (printing `message` in its place); a no-op when nothing is drawn and there is no message. */
  done(message?: string): void {
    if (!this.enabled) return;
    if (drawn !== this && !message) return;
    if (drawn === this) drawn = null;
    process.stderr.write(`\r\x1b[K${message ? message + '\n' : ''}`);
  }
}

/** --json: errors are printed as a JSON object on standard output; set from the command's flags (main.ts). */
let jsonErrors = false;

/** Errors as JSON on standard output (--json) or as text on standard error. */
export function setJsonErrors(on: boolean): void {
  jsonErrors = on;
}

/** A failure of the command line itself, with its own code and exit code (an interrupted load: INTERRUPTED, 130). */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ErrorJson {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** Where in the SQL text (1-based), when the error has a position. */
    readonly line?: number;
    readonly column?: number;
    /** A load error: the file, its line (or row), and the table column. */
    readonly file?: string;
    readonly field?: string;
  };
}

/** The user's error `e` is (a KeelError, an environment error as the StorageError it means, a CliError), or null for a bug. */
function userError(e: unknown): KeelError | CliError | null {
  if (e instanceof KeelError || e instanceof CliError) return e;
  if (isEnvironmentError(e)) return storageErrorOf(e) as KeelError;
  return null;
}

/** The JSON form of an error: {"error": {"code", "message", "line", "column"}}; a bug is code INTERNAL. */
export function errorJson(e: unknown): ErrorJson {
  const u = userError(e);
  if (u === null) return { error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
  if (u instanceof SqlError && u.position) return { error: { code: u.code, message: u.message, line: u.position.line, column: u.position.column } };
  if (u instanceof LoadError) {
    // LoadError's message names the file, line and column as its text does
    return { error: { code: u.code, message: u.message, file: u.file, ...(u.line === undefined ? {} : { line: u.line }), ...(u.column === undefined ? {} : { field: u.column }) } };
  }
  return { error: { code: u.code, message: u.message } };
}

/**
 * Prints an error and returns the exit code: a user error as one line (no
 * stack; exit 1, a CliError its own), a bug with its stack (exit 2). With
 * --json (setJsonErrors) the error is a JSON object on standard output
 * (errorJson), a bug's stack still on standard error. A progress line on the
 * terminal is ended first.
 */
export function reportError(e: unknown): number {
  endProgressLine();
  if (jsonErrors) {
    const j = errorJson(e);
    process.stdout.write(JSON.stringify(j) + '\n');
    if (j.error.code !== 'INTERNAL') return e instanceof CliError ? e.exitCode : 1;
    process.stderr.write(`internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
  if (e instanceof CliError) {
    process.stderr.write(`${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof SqlError) {
    process.stderr.write(`error: ${e.describe()}\n`);
    return 1;
  }
  if (e instanceof KeelError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  // the environment's doing (permissions, a full disk) wherever it surfaced: the problem and the path, no stack
  if (isEnvironmentError(e)) {
    process.stderr.write(`error: ${(storageErrorOf(e) as Error).message}\n`);
    return 1;
  }
  const err = e as Error;
  process.stderr.write(`internal error (please report): ${err?.stack ?? String(e)}\n`);
  return 2;
}

/** Writes lines to a file, or to standard output when `out` is undefined, in 1 MB pieces; returns how many. */
export function writeLines(out: string | undefined, lines: Iterable<string>): number {
  let n = 0;
  const fd = out === undefined ? null : fs.openSync(out, 'w');
  try {
    let buffer = '';
    const flush = () => {
      if (fd === null) process.stdout.write(buffer);
      else fs.writeSync(fd, buffer);
      buffer = '';
    };
    for (const line of lines) {
      buffer += line + '\n';
      n++;
      if (buffer.length > 1 << 20) flush();
    }
    if (buffer) flush();
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  return n;
}
