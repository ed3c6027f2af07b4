/**
 * How the prompt prints a result: as a table (or psql's expanded display, a
 * block per row), CSV, JSON (the form `keel sql --json` prints) or a Markdown
 * table, and with \timing on, the statement's time. Values are the exact text
 * of QueryResult.textRows; NULL prints as nullDisplay() (\pset null).
 */
import type { QueryResult } from '../../engine/index.js';
import { formatBytes } from '../../advisor/index.js';
import { commandTag, displayWidth, formatCsv, formatTable, kindOfType, nullDisplay, stringifyJson } from '../output.js';
import { resultJson } from '../commands/sql.js';
import type { OutputMode } from './input.js';

export interface Display {
  mode: OutputMode;
  /** \x: a block per row, a line per column (table mode). */
  expanded: boolean;
  /** \timing: a Time line after each statement. */
  timing: boolean;
}

/** The result a statement gave, as the prompt receives it from its session thread. */
export type Result = Pick<QueryResult, 'columns' | 'stats' | 'command' | 'rowCount' | 'rows' | 'textRows'>;


/** psql's expanded display: -[ RECORD 1 ]-- then "column | value" lines. */
export function formatExpanded(columns: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  if (rows.length === 0) return '(0 rows)';
  const nameWidth = Math.max(...columns.map(displayWidth));
  const out: string[] = [];
  rows.forEach((row, i) => {
    const values = row.map((v) => (v === null ? nullDisplay() : v));
    const valueWidth = Math.max(0, ...values.map((v) => Math.max(...v.split('\n').map(displayWidth))));
    // as psql draws it: the rule spans both columns, with a + above the separator when the names are wider than the label
    const head = `-[ RECORD ${i + 1} ]`;
    const total = nameWidth + 3 + valueWidth;
    out.push(head.length < nameWidth + 1 ? `${head.padEnd(nameWidth + 1, '-')}+${'-'.repeat(valueWidth + 1)}` : head + '-'.repeat(Math.max(1, total - head.length)));
    columns.forEach((c, j) => {
      const lines = values[j]!.split('\n');
      lines.forEach((l, k) => out.push(`${(k === 0 ? c : '') + ' '.repeat(nameWidth - displayWidth(k === 0 ? c : ''))} | ${l}`.trimEnd()));
    });
  });
  return out.join('\n');
}

/** A Markdown (GitHub) table: numbers right-aligned; | and line breaks in values escaped. */
export function formatMarkdown(columns: readonly string[], rows: readonly (readonly (string | null)[])[], rightAlign: readonly boolean[]): string {
  const cell = (v: string | null) => (v === null ? nullDisplay() : v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const head = columns.map(cell);
  const body = rows.map((r) => r.map(cell));
  const widths = head.map((h, i) => Math.max(3, displayWidth(h), ...body.map((r) => displayWidth(r[i]!))));
  const pad = (s: string, i: number) => (rightAlign[i] ? ' '.repeat(widths[i]! - displayWidth(s)) + s : s + ' '.repeat(widths[i]! - displayWidth(s)));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAlign[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** What to print for one result in the display's format (without a trailing newline; empty for nothing). */
export function renderResult(r: Result, display: Display): string {
  if (display.mode === 'json') return stringifyJson(resultJson(r as QueryResult));
  const names = r.columns.map((c) => c.name);
  if (r.columns.length === 0) return display.mode === 'csv' ? '' : commandTag(r);
  if (display.mode === 'csv') return formatCsv(names, r.textRows());
  const numeric = r.columns.map((c) => kindOfType(c.type) === 'exact' || kindOfType(c.type) === 'float');
  if (display.mode === 'markdown') return formatMarkdown(names, r.textRows(), numeric);
  if (r.columns.length === 1 && names[0] === 'QUERY PLAN') return r.textRows().map((row) => row[0] ?? '').join('\n');
  if (display.expanded) return formatExpanded(names, r.textRows());
  return formatTable(names, r.textRows(), { rightAlign: numeric });
}

/** The \timing line: psql's "Time: 1.234 ms", and for a statement that read blocks what it read and moved. */
export function timingLine(r: Result): string {
  const s = r.stats;
  const detail = s.blocksTotal > 0 ? ` (blocks scanned ${s.blocksScanned}, skipped ${s.blocksSkipped}; rows moved ${s.rowsMoved}, bytes moved ${formatBytes(s.bytesMoved)})` : '';
  return `Time: ${s.elapsedMs.toFixed(3)} ms${detail}`;
}
