/**
 * COPY ... TO STDOUT's lines, as PostgreSQL writes them (commands/copyto.c):
 * the text format escapes backslash, newline, carriage return and tab and
 * writes NULL as its marker (\N); CSV quotes a value holding the delimiter,
 * the quote, a line end, or equal to the NULL marker (so an empty string is
 * "" and NULL is nothing), doubling the quotes inside. One line per row,
 * each ending in a newline.
 */
import type { CopyOutFormat } from '../engine/index.js';

export function copyLine(values: readonly (string | null)[], f: CopyOutFormat): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += f.delimiter;
    const v = values[i]!;
    if (v === null) line += f.nullAs;
    else line += f.csv ? csvValue(v, f) : textValue(v, f.delimiter);
  }
  return line + '\n';
}

function csvValue(v: string, f: CopyOutFormat): string {
  const needsQuotes = v === f.nullAs || v.includes(f.delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r');
  return needsQuotes ? `"${v.replace(/"/g, '""')}"` : v;
}

function textValue(v: string, delimiter: string): string {
  let out = '';
  for (const ch of v) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += ch === delimiter ? `\\${ch}` : ch;
    }
  }
  return out;
}
