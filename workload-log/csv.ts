/**
 * RFC 4180 CSV, streamed: fields separated by commas, quoted with double
 * quotes when they hold commas, quotes ("" inside) or line breaks; records end
 * at LF or CRLF outside quotes. Yields each record with the line it starts on.
 */
import * as fs from 'node:fs';

export interface CsvRecord {
  /** 1-based line of the record's first character. */
  readonly line: number;
  readonly fields: string[];
}

export async function* readCsv(file: string): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const endField = () => {
    fields.push(field);
    field = '';
    afterQuote = false;
    fieldStarted = false;
  };
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    const out: CsvRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"') {
        // a quote opens a quoted field, or ("" after a closing quote) is a literal quote
        if (afterQuote) field += '"';
        quoted = true;
        afterQuote = false;
        fieldStarted = true;
      } else if (c === ',') {
        endField();
      } else if (c === '\n') {
        endField();
        if (!(fields.length === 1 && fields[0] === '')) out.push({ line: recordLine, fields });
        fields = [];
        line++;
        recordLine = line;
      } else if (c === '\r') {
        // CRLF: the LF ends the record
      } else {
        field += c;
        fieldStarted = true;
        afterQuote = false;
      }
    }
    yield* out;
  }
  if (field !== '' || fields.length > 0 || fieldStarted) {
    endField();
    yield { line: recordLine, fields };
  }
}

/** One CSV record (RFC 4180): a field is quoted when it holds a comma, a quote or a line break; null is an empty field. */
export function csvLine(fields: readonly (string | number | null)[]): string {
  return fields
    .map((f) => {
      if (f === null) return '';
      const s = String(f);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
