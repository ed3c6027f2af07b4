/**
 * A query result as delimited text, the way COPY reads it back: UNLOAD's
 * default format (pipe-delimited, no quoting) and CSV.
 *
 * Values are written in the forms the loader reads: DECIMAL at its scale,
 * dates YYYY-MM-DD, timestamps YYYY-MM-DD HH:MM:SS[.ffffff] (TIMESTAMPTZ with
 * +00), booleans t/f, DOUBLE in its shortest round-trip form, REAL in its
 * shortest single-precision form when the value is a single-precision one
 * (else as a double, so nothing is lost). NULL is the empty field, or NULL AS.
 *
 * CSV quotes a field that holds the delimiter, a quote, a line end, that is
 * empty (so '' and NULL differ) or that equals the NULL marker; a quote
 * inside is doubled. Plain text has no quoting at all (as in Redshift), so a
 * value holding the delimiter or a line end could not be read back: such a
 * value is an error naming the row and column, where Redshift writes a file
 * COPY misreads.
 */
import { ExecError } from '../errors.js';
import type { Field } from '../plan/physical.js';
import type { Batch, SqlType, Vector } from '../types.js';
import { decimalText, integerText, realText } from '../result.js';
import { formatDate, formatTimestamp } from '../types.js';

export interface TextFormat {
  readonly csv: boolean;
  readonly delimiter: string;
  /** How NULL is written; '' is the empty field. */
  readonly nullAs: string;
}

type Formatter = (i: number) => string | null;

function formatter(v: Vector, type: SqlType): Formatter {
  const nulls = v.nulls;
  const isNull = (i: number) => nulls !== null && nulls[i] === 1;
  switch (v.kind) {
    case 'str': {
      const { codes, dict } = v;
      return (i) => (isNull(i) ? null : dict[codes[i]!]!);
    }
    case 'bool': {
      const values = v.values;
      return (i) => (isNull(i) ? null : values[i] === 1 ? 't' : 'f');
    }
    case 'i32': {
      const values = v.values;
      if (type.id === 'date') return (i) => (isNull(i) ? null : formatDate(values[i]!));
      return (i) => (isNull(i) ? null : String(values[i]!));
    }
    case 'f64': {
      const values = v.values;
      switch (type.id) {
        case 'decimal': {
          const scale = type.scale ?? 0;
          return (i) => (isNull(i) ? null : decimalText(values[i]!, scale));
        }
        case 'timestamp':
          return (i) => (isNull(i) ? null : formatTimestamp(values[i]!));
        case 'timestamptz':
          return (i) => (isNull(i) ? null : formatTimestamp(values[i]!) + '+00');
        case 'double':
          return (i) => (isNull(i) ? null : String(values[i]!));
        case 'real':
          return (i) => {
            if (isNull(i)) return null;
            const x = values[i]!;
            return Math.fround(x) === x ? realText(x) : String(x);
          };
        default:
          return (i) => (isNull(i) ? null : integerText(values[i]!));
      }
    }
  }
}

/** What makes a CSV field need quotes: the delimiter, the quote, a line end. */
function needsQuotes(s: string, delimiter: string): boolean {
  return s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r');
}

function csvField(s: string, delimiter: string, nullAs: string): string {
  // \N too: COPY's default NULL marker would read it back as NULL
  if (s === '' || s === nullAs || s === '\\N' || needsQuotes(s, delimiter)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** The header line: the column names. */
export function headerLine(fields: readonly Field[], f: TextFormat): string {
  return fields.map((c) => (f.csv ? csvField(c.name, f.delimiter, f.nullAs) : c.name)).join(f.delimiter) + '\n';
}

/**
 * Lines of rows [from, to) of the result, each ending in \n; `onLine` gets
 * each one (so the caller can cut files by size).
 */
export function writeLines(fields: readonly Field[], batch: Batch, from: number, to: number, f: TextFormat, onLine: (line: string) => void): void {
  const fmt = fields.map((c, k) => formatter(batch.columns[k]!, c.type));
  const n = fmt.length;
  const { csv, delimiter, nullAs } = f;
  for (let i = from; i < to; i++) {
    let line = '';
    for (let k = 0; k < n; k++) {
      if (k > 0) line += delimiter;
      const s = fmt[k]!(i);
      if (s === null) line += nullAs;
      else if (csv) line += csvField(s, delimiter, nullAs);
      else {
        if (s.includes(delimiter) || s.includes('\n') || s.includes('\r')) {
          throw new ExecError(
            'INVALID_VALUE',
            `row ${i + 1}, column ${fields[k]!.name}: the value ${JSON.stringify(s.length > 60 ? s.slice(0, 57) + '...' : s)} holds the delimiter or a line end, which the text format cannot write; UNLOAD with FORMAT CSV, or another DELIMITER`,
          );
        }
        line += s;
      }
    }
    onLine(line + '\n');
  }
}
