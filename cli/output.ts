/** Terminal output: aligned tables, progress bars that only draw on a terminal, error printing. */
import * as fs from 'node:fs';
import { KeelError, SqlError } from '../engine/errors.js';
import { isEnvironmentError, storageErrorOf } from '../engine/index.js';

export type Cell = number | string | boolean | null;

/** Formats a value for a human: NULL shown as "NULL", numbers as they are. */
function cellText(v: Cell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  return String(v);
}

/** A psql-like table: header, rule, rows; numbers right-aligned. */
export function formatTable(columns: readonly string[], rows: readonly (readonly Cell[])[], maxRows = 1000): string {
  const shown = rows.slice(0, maxRows);
  const texts = shown.map((r) => r.map(cellText));
  const widths = columns.map((c, i) => Math.max(c.length, ...texts.map((r) => r[i]!.length)));
  const numeric = columns.map((_, i) => shown.length > 0 && shown.every((r) => r[i] === null || typeof r[i] === 'number'));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ');
  const out = [line(columns.map((c) => c)), widths.map((w) => '-'.repeat(w)).join('-+-'), ...texts.map(line)];
  const more = rows.length > shown.length ? `\n(${rows.length} rows, first ${shown.length} shown)` : `\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  return out.join('\n') + more;
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
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${detail} ${secs}s\x1b[K`);
  }

  done(message?: string): void {
    if (!this.enabled) return;
    process.stderr.write(`\r\x1b[K${message ? message + '\n' : ''}`);
  }
}

/** Prints a user error (no stack) or a bug (with stack); returns the exit code. */
export function reportError(e: unknown): number {
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
