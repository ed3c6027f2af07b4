/**
 * Property: random rows of random typed columns, written as delimited text the
 * way a careful CSV writer would (quoting what needs it, random NULL spellings,
 * delimiters, line endings, header, trailing delimiter, gzip), read back equal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ColumnDef } from '../../../engine/types.js';
import { col, readRows, tmpDir, type Value } from './helpers.js';

const dir = tmpDir('keel-load-prop-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A value as text plus the physical value the loader must produce. */
interface Cell {
  text: string | null; // null: NULL
  want: Value;
}

interface ColumnGen {
  def: ColumnDef;
  cell: fc.Arbitrary<Cell>;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_DAY = -719162; // 0001-01-01
const MAX_DAY = 2932896; // 9999-12-31

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}
function isoDay(d: number): string {
  const dt = new Date(d * 86_400_000);
  return `${pad(dt.getUTCFullYear(), 4)}-${pad(dt.getUTCMonth() + 1, 2)}-${pad(dt.getUTCDate(), 2)}`;
}
function decimalString(u: bigint, scale: number): string {
  const neg = u < 0n;
  let s = (neg ? -u : u).toString().padStart(scale + 1, '0');
  if (scale > 0) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  return (neg ? '-' : '') + s;
}

const textUnit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'Z', '0', '9', ' ', '.', '-') },
  { weight: 2, arbitrary: fc.constantFrom(',', '|', '\t', ';', '"', '\n', '\r', '\\', 'N') },
  { weight: 1, arbitrary: fc.constantFrom('é', '€', '😀', 'ß', '中') },
);
const anyText = fc.string({ unit: textUnit, maxLength: 12 });

function nullable(gen: fc.Arbitrary<Cell>, notNull: boolean): fc.Arbitrary<Cell> {
  return notNull ? gen : fc.oneof({ weight: 4, arbitrary: gen }, { weight: 1, arbitrary: fc.constant<Cell>({ text: null, want: null }) });
}

const columnGen: fc.Arbitrary<ColumnGen> = fc
  .tuple(
    fc.constantFrom('smallint', 'integer', 'bigint', 'decimal', 'real', 'double', 'boolean', 'char', 'varchar', 'date', 'timestamp'),
    fc.boolean(),
    fc.integer({ min: 1, max: 18 }),
    fc.integer({ min: 0, max: 18 }),
    fc.integer({ min: 0, max: 10_000 }),
  )
  .map(([kind, notNull, precision, scaleSeed, id]) => {
    const name = `c${id}`;
    let def: ColumnDef;
    let cell: fc.Arbitrary<Cell>;
    switch (kind) {
      case 'smallint':
      case 'integer': {
        const [lo, hi] = kind === 'smallint' ? [-32768, 32767] : [-2147483648, 2147483647];
        def = col(name, kind, notNull);
        cell = fc.integer({ min: lo, max: hi }).map((v) => ({ text: String(v), want: v }));
        break;
      }
      case 'bigint':
        def = col(name, 'bigint', notNull);
        cell = fc.integer({ min: -MAX_SAFE, max: MAX_SAFE }).map((v) => ({ text: String(v), want: v }));
        break;
      case 'decimal': {
        const scale = scaleSeed % (precision + 1);
        def = col(name, `decimal(${precision},${scale})`, notNull);
        const limit = precision >= 16 ? BigInt(MAX_SAFE) : 10n ** BigInt(precision) - 1n;
        // The exact value, sometimes written with extra digits that must round (half away from zero).
        cell = fc
          .tuple(fc.bigInt({ min: -limit, max: limit }), fc.stringMatching(/^[0-9]{0,3}$/))
          .filter(([u, extra]) => {
            if (extra === '' || extra[0]! < '5') return true;
            const bumped = u < 0n ? u - 1n : u + 1n;
            return bumped >= -limit && bumped <= limit;
          })
          .map(([u, extra]) => {
            let text = decimalString(u, scale);
            let want = u;
            if (extra !== '') {
              text += (scale === 0 ? '.' : '') + extra;
              if (extra[0]! >= '5') want = u < 0n ? u - 1n : u + 1n;
              if (u === 0n && text.startsWith('-')) text = text.slice(1);
            }
            return { text, want: want === 0n ? 0 : Number(want) };
          });
        break;
      }
      case 'real':
        def = col(name, 'real', notNull);
        cell = fc.float({ noNaN: true }).map((v) => ({ text: String(v), want: v === 0 ? 0 : v }));
        break;
      case 'double':
        def = col(name, 'double', notNull);
        cell = fc.double({ noNaN: true }).map((v) => ({ text: String(v), want: v === 0 ? 0 : v }));
        break;
      case 'boolean':
        def = col(name, 'boolean', notNull);
        cell = fc
          .tuple(fc.boolean(), fc.integer({ min: 0, max: 5 }))
          .map(([b, k]) => ({ text: (b ? ['t', 'true', 'TRUE', 'y', 'Yes', '1'] : ['f', 'false', 'False', 'n', 'NO', '0'])[k]!, want: b ? 1 : 0 }));
        break;
      case 'char':
      case 'varchar': {
        const length = 1 + (precision * 7) % 60;
        def = col(name, `${kind}(${length})`, notNull);
        cell = anyText
          .map((s) => ({ s, stored: kind === 'char' ? s.replace(/ +$/, '') : s }))
          .filter(({ stored }) => Buffer.byteLength(stored) <= length)
          .map(({ s, stored }) => ({ text: s, want: stored }));
        break;
      }
      case 'date':
        def = col(name, 'date', notNull);
        cell = fc.integer({ min: MIN_DAY, max: MAX_DAY }).map((d) => ({ text: isoDay(d), want: d }));
        break;
      case 'timestamp':
        def = col(name, 'timestamp', notNull);
        cell = fc
          .tuple(fc.integer({ min: MIN_DAY, max: MAX_DAY }), fc.integer({ min: 0, max: 86_399 }), fc.integer({ min: 0, max: 999_999 }), fc.boolean())
          .map(([d, secs, us, withFrac]) => {
            const frac = withFrac ? us : 0;
            const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
            const text = `${isoDay(d)} ${time}${withFrac ? '.' + pad(us, 6) : ''}`;
            return { text, want: d * 86_400_000_000 + secs * 1_000_000 + frac };
          });
        break;
    }
    return { def: def!, cell: nullable(cell!, notNull) };
  });

interface Layout {
  delimiter: string;
  crlf: boolean;
  header: boolean;
  trailing: boolean;
  finalNewline: boolean;
  emptyForNull: boolean;
  quoteAll: boolean;
  gzip: boolean;
  batchRows: number;
}

const layoutGen: fc.Arbitrary<Layout> = fc.record({
  delimiter: fc.constantFrom(',', '|', '\t', ';'),
  crlf: fc.boolean(),
  header: fc.boolean(),
  trailing: fc.boolean(),
  finalNewline: fc.boolean(),
  emptyForNull: fc.boolean(),
  quoteAll: fc.boolean(),
  gzip: fc.boolean(),
  batchRows: fc.integer({ min: 1, max: 40 }),
});

/** Quotes a field when it must be quoted (or always, when asked). */
function field(text: string, isString: boolean, layout: Layout): string {
  const must =
    text.includes(layout.delimiter) ||
    text.includes('"') ||
    text.includes('\n') ||
    text.includes('\r') ||
    (isString && (text === '' || text === '\\N'));
  return must || layout.quoteAll ? '"' + text.replace(/"/g, '""') + '"' : text;
}

function render(cols: ColumnGen[], rows: Cell[][], layout: Layout): string {
  const eol = layout.crlf ? '\r\n' : '\n';
  const lines: string[] = [];
  if (layout.header) lines.push(cols.map((c) => field(c.def.name, true, layout)).join(layout.delimiter));
  for (const row of rows) {
    const fields = row.map((cell, i) => {
      if (cell.text === null) return layout.emptyForNull && cols.length > 1 ? '' : '\\N';
      const isString = cols[i]!.def.type.id === 'char' || cols[i]!.def.type.id === 'varchar';
      return field(cell.text, isString, layout);
    });
    lines.push(fields.join(layout.delimiter) + (layout.trailing ? layout.delimiter : ''));
  }
  return lines.join(eol) + (layout.finalNewline && lines.length > 0 ? eol : '');
}

describe('delimited text round trip (property)', () => {
  it('reads back exactly what was written', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(columnGen, { minLength: 1, maxLength: 6 }).chain((cols) =>
          fc.tuple(fc.constant(cols), fc.array(fc.tuple(...cols.map((c) => c.cell)), { maxLength: 30 }), layoutGen),
        ),
        async ([cols, rows, layout]) => {
          // Unique column names for the header.
          const named = cols.map((c, i) => ({ ...c, def: { ...c.def, name: `${c.def.name}_${i}` } }));
          const text = render(named, rows, layout);
          const file = path.join(dir, `p${n++}.txt${layout.gzip ? '.gz' : ''}`);
          fs.writeFileSync(file, layout.gzip ? zlib.gzipSync(text) : text);
          const { rows: got, batches } = await readRows(
            file,
            named.map((c) => c.def),
            { delimiter: layout.delimiter, header: layout.header, batchRows: layout.batchRows },
          );
          expect(got).toEqual(rows.map((r) => r.map((c) => c.want)));
          for (const b of batches.slice(0, -1)) expect(b.length).toBe(layout.batchRows);
          fs.rmSync(file);
        },
      ),
      { numRuns: 300 },
    );
  });
});
