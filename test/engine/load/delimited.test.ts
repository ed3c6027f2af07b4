import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from '../../../engine/load/index.js';
import { col, days, loadError, micros, readRows, tmpDir, write } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tmpDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('delimited text: records', () => {
  const cols = [col('id', 'integer', true), col('name', 'varchar(20)'), col('price', 'decimal(10,2)'), col('d', 'date')];

  it('reads dbgen style lines with a trailing delimiter', async () => {
    const f = write(dir, 'a.tbl', '1|apple|1.50|1998-01-02|\n2|pear|2|1998-01-03|\n');
    const { rows, batches } = await readRows(f, cols);
    expect(rows).toEqual([
      [1, 'apple', 150, days('1998-01-02')],
      [2, 'pear', 200, days('1998-01-03')],
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.totalBytes).toBe(fs.statSync(f).size);
  });

  it('reads lines without a trailing delimiter, CRLF endings and a missing final newline', async () => {
    const f = write(dir, 'b.tbl', '1|apple|1.50|1998-01-02\r\n2|pear|2|1998-01-03\r\n3|fig|0.5|2000-02-29');
    const { rows } = await readRows(f, cols);
    expect(rows).toEqual([
      [1, 'apple', 150, days('1998-01-02')],
      [2, 'pear', 200, days('1998-01-03')],
      [3, 'fig', 50, days('2000-02-29')],
    ]);
  });

  it('reads an empty file, and a file of empty lines, as no rows', async () => {
    expect((await readRows(write(dir, 'empty.tbl', ''), cols)).rows).toEqual([]);
    expect((await readRows(write(dir, 'newlines.tbl', '\n\n\r\n'), cols)).batches).toEqual([]);
  });

  it('ignores empty lines at the end but rejects them in the middle', async () => {
    const ok = write(dir, 'trailing-blank.tbl', '1|a|1|1998-01-01|\n\n\n');
    expect((await readRows(ok, cols)).rows).toHaveLength(1);
    const bad = write(dir, 'middle-blank.tbl', '1|a|1|1998-01-01|\n\n2|b|2|1998-01-02|\n');
    await loadError(bad, cols, {}, { code: 'LOAD_FORMAT', line: 2, message: 'empty line; expected 4 fields' });
  });

  it('reads an empty line in a one-column table as NULL (except at the end)', async () => {
    const f = write(dir, 'one.txt', 'a\n\nb\n\n');
    const { rows } = await readRows(f, [col('s', 'varchar(5)')]);
    expect(rows).toEqual([['a'], [null], ['b']]);
    await loadError(f, [col('s', 'varchar(5)', true)], {}, { code: 'LOAD_VALUE', line: 2, column: 's' });
  });

  it('skips a header line', async () => {
    const f = write(dir, 'h.csv', 'id,name,price,d\n1,apple,1.5,1998-01-02\n');
    const { rows } = await readRows(f, cols, { header: true });
    expect(rows).toEqual([[1, 'apple', 150, days('1998-01-02')]]);
    const q = write(dir, 'hq.csv', '"id","the ""name""\nspans lines",price,d\n1,apple,1.5,1998-01-02\n2,x,y,z\n');
    await loadError(q, cols, { header: true }, { code: 'LOAD_VALUE', line: 4, column: 'price' });
  });

  it('picks the delimiter by extension and accepts an explicit one', async () => {
    const tsv = write(dir, 't.tsv', '1\tapple\t1.5\t1998-01-02\n');
    expect((await readRows(tsv, cols)).rows).toEqual([[1, 'apple', 150, days('1998-01-02')]]);
    const semi = write(dir, 't.txt', '1;apple;1.5;1998-01-02\n');
    expect((await readRows(semi, cols, { delimiter: ';' })).rows).toEqual([[1, 'apple', 150, days('1998-01-02')]]);
    expect((await readRows(tsv, cols, { delimiter: '\\t' })).rows).toHaveLength(1);
    await loadError(semi, cols, { delimiter: ';;' }, { code: 'LOAD_FORMAT', message: 'one character' });
  });

  it('reads gzip text, including concatenated gzip members', async () => {
    const text = '1|apple|1.50|1998-01-02|\n2|pear|2|1998-01-03|\n';
    const f = write(dir, 'g.tbl.gz', zlib.gzipSync(text));
    expect((await readRows(f, cols)).rows).toHaveLength(2);
    const two = write(dir, 'g2.tbl.gz', Buffer.concat([zlib.gzipSync(text), zlib.gzipSync('3|fig|3|1998-01-04|\n')]));
    const { rows, batches } = await readRows(two, cols);
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(batches.at(-1)!.bytesRead).toBe(fs.statSync(two).size);
    const csv = write(dir, 'g.csv.gz', zlib.gzipSync('1,apple,1.5,1998-01-02\n'));
    expect((await readRows(csv, cols)).rows).toHaveLength(1);
    const unnamed = write(dir, 'g-no-extension.tbl', zlib.gzipSync(text));
    expect((await readRows(unnamed, cols)).rows).toHaveLength(2);
  });

  it('reports corrupt gzip data as LOAD_FORMAT', async () => {
    const good = zlib.gzipSync('1|apple|1.50|1998-01-02|\n'.repeat(1000));
    const bad = Buffer.from(good);
    bad.fill(0x55, 20, 60);
    await loadError(write(dir, 'bad.tbl.gz', bad), cols, {}, { code: 'LOAD_FORMAT', message: 'gzip' });
  });

  it('reports a missing file', async () => {
    await loadError(`${dir}/nope.tbl`, cols, {}, { code: 'FILE_NOT_FOUND' });
  });
});

describe('delimited text: quoting and NULL', () => {
  const cols = [col('a', 'integer'), col('s', 'varchar(40)'), col('t', 'varchar(40)')];

  it('honours quotes: delimiters, newlines and doubled quotes inside', async () => {
    const f = write(dir, 'q.csv', '1,"a,b","line1\nline2"\n2,"He said ""hi""",plain\n3,x"y,""""\n');
    const { rows } = await readRows(f, cols);
    expect(rows).toEqual([
      [1, 'a,b', 'line1\nline2'],
      [2, 'He said "hi"', 'plain'],
      [3, 'x"y', '"'],
    ]);
  });

  it('keeps CRLF inside quotes and strips it at line ends', async () => {
    const f = write(dir, 'qcrlf.csv', '1,"a\r\nb",c\r\n2,"",d\r\n');
    expect((await readRows(f, cols)).rows).toEqual([
      [1, 'a\r\nb', 'c'],
      [2, '', 'd'],
    ]);
  });

  it('counts lines inside quoted fields for error positions', async () => {
    const f = write(dir, 'qline.csv', '1,"x\ny\nz",a\n2,b,c\nbad,b,c\n');
    await loadError(f, cols, {}, { code: 'LOAD_VALUE', line: 5, column: 'a', message: 'invalid INTEGER value "bad"' });
  });

  it('treats \\N and empty unquoted fields as NULL, quoted ones as text', async () => {
    const f = write(dir, 'n.csv', '\\N,\\N,""\n,,"\\N"\n"",x,\n');
    expect((await readRows(f, cols)).rows).toEqual([
      [null, null, ''],
      [null, null, '\\N'],
      [null, 'x', null],
    ]);
  });

  it('accepts a custom NULL marker', async () => {
    const f = write(dir, 'n2.csv', 'NULL,NULL,"NULL"\n1,\\N,\n');
    expect((await readRows(f, cols, { nullAs: 'NULL' })).rows).toEqual([
      [null, null, 'NULL'],
      [1, '\\N', null],
    ]);
  });

  it('turns quoting off with quote: ""', async () => {
    const f = write(dir, 'noq.csv', '1,"a,b\n');
    expect((await readRows(f, cols, { quote: '' })).rows).toEqual([[1, '"a', 'b']]);
  });

  it('rejects text after a closing quote and an unterminated quote', async () => {
    await loadError(write(dir, 'after.csv', '1,"a"b,c\n'), cols, {}, { code: 'LOAD_FORMAT', line: 1, message: 'after closing quote' });
    await loadError(write(dir, 'unterminated.csv', '1,a,b\n2,"abc,d\n'), cols, {}, { code: 'LOAD_FORMAT', line: 2, message: 'unterminated' });
  });

  it('rejects NULL in a NOT NULL column, naming it', async () => {
    const f = write(dir, 'nn.csv', '1,a,b\n\\N,a,b\n');
    await loadError(f, [col('a', 'integer', true), col('s', 'varchar(4)'), col('t', 'varchar(4)')], {}, {
      code: 'LOAD_VALUE',
      line: 2,
      column: 'a',
      message: 'NULL',
    });
  });
});

describe('delimited text: field counts', () => {
  const cols = [col('a', 'integer'), col('b', 'integer'), col('c', 'integer')];
  it('rejects too few and too many fields', async () => {
    await loadError(write(dir, 'few.tbl', '1|2|3\n1|2\n'), cols, {}, { code: 'LOAD_FORMAT', line: 2, message: 'expected 3 fields, found 2' });
    await loadError(write(dir, 'many.tbl', '1|2|3|4\n'), cols, {}, { code: 'LOAD_FORMAT', line: 1, message: 'expected 3 fields, found 4' });
    await loadError(write(dir, 'many2.tbl', '1|2|3||\n'), cols, {}, { code: 'LOAD_FORMAT', line: 1, message: 'expected 3 fields, found 5' });
  });
  it('prefers the field count over a value error the shift causes', async () => {
    const g = write(dir, 'shift2.tbl', '1|x|1998-01-01\n1|1998-01-01\n');
    await loadError(g, [col('a', 'integer'), col('b', 'varchar(3)'), col('c', 'date')], {}, { code: 'LOAD_FORMAT', line: 2, message: 'expected 3 fields, found 2' });
  });
  it('checks quoted records too', async () => {
    await loadError(write(dir, 'fewq.csv', '1,"2"\n'), cols, {}, { code: 'LOAD_FORMAT', line: 1, message: 'expected 3 fields, found 2' });
  });
});

describe('delimited text: types', () => {
  async function one(type: string, text: string, notNull = false): Promise<unknown> {
    const f = write(dir, 'one.tbl', text + '\n');
    const { rows } = await readRows(f, [col('x', type, notNull)], { delimiter: '|' });
    return rows[0]![0];
  }
  async function bad(type: string, text: string, message: string | RegExp): Promise<void> {
    const f = write(dir, 'bad.tbl', `${text}\n`);
    await loadError(f, [col('x', type)], {}, { code: 'LOAD_VALUE', line: 1, column: 'x', message });
  }

  it('integers and their ranges', async () => {
    expect(await one('smallint', '-32768')).toBe(-32768);
    expect(await one('smallint', '32767')).toBe(32767);
    expect(await one('integer', '-2147483648')).toBe(-2147483648);
    expect(await one('integer', '+42')).toBe(42);
    expect(await one('integer', ' 42 ')).toBe(42);
    expect(await one('integer', '007')).toBe(7);
    expect(await one('bigint', '9007199254740991')).toBe(9007199254740991);
    expect(await one('bigint', '-9007199254740991')).toBe(-9007199254740991);
    await bad('smallint', '32768', 'value "32768" out of range for SMALLINT');
    await bad('integer', '2147483648', 'out of range for INTEGER');
    await bad('bigint', '9007199254740992', 'out of range for BIGINT');
    await bad('bigint', '123456789012345678901234567890', 'out of range');
    await bad('integer', '1.0', 'invalid INTEGER value "1.0"');
    await bad('integer', '12a', 'invalid INTEGER value "12a"');
    await bad('integer', '-', 'invalid INTEGER');
    await bad('integer', '1 2', 'invalid INTEGER');
  });

  it('decimals: exact scaled integers, rounding half away from zero, precision', async () => {
    expect(await one('decimal(15,2)', '24710.35')).toBe(2471035);
    expect(await one('decimal(15,2)', '0.07')).toBe(7);
    expect(await one('decimal(15,2)', '-0.07')).toBe(-7);
    expect(await one('decimal(15,2)', '5')).toBe(500);
    expect(await one('decimal(15,2)', '5.')).toBe(500);
    expect(await one('decimal(15,2)', '.5')).toBe(50);
    expect(await one('decimal(15,2)', '+3.1')).toBe(310);
    expect(await one('decimal(15,2)', '1.005')).toBe(101);
    expect(await one('decimal(15,2)', '-1.005')).toBe(-101);
    expect(await one('decimal(15,2)', '1.00499999')).toBe(100);
    expect(await one('decimal(15,2)', '0.125')).toBe(13);
    expect(await one('decimal(15,2)', '-0.125')).toBe(-13);
    expect(await one('decimal(15,2)', '-0.004')).toBe(0);
    expect(Object.is(await one('decimal(15,2)', '-0.00'), 0)).toBe(true);
    expect(await one('decimal(10,0)', '2.5')).toBe(3);
    expect(await one('decimal(10,0)', '-2.5')).toBe(-3);
    expect(await one('decimal(15,2)', '1.5e3')).toBe(150000);
    expect(await one('decimal(15,2)', '-12.345E-1')).toBe(-123);
    expect(await one('decimal(7,2)', '99999.99')).toBe(9999999);
    expect(await one('decimal(7,2)', '-99999.99')).toBe(-9999999);
    expect(await one('decimal(18,2)', '90071992547409.91')).toBe(9007199254740991);
    expect(await one('decimal(18,2)', '0.1234567890123456789')).toBe(12);
    await bad('decimal(7,2)', '100000', 'value "100000" out of range for DECIMAL(7,2)');
    await bad('decimal(7,2)', '99999.995', 'out of range for DECIMAL(7,2)');
    await bad('decimal(5,2)', '1234.5', 'out of range');
    await bad('decimal(18,2)', '90071992547409.92', 'out of range for DECIMAL(18,2)');
    await bad('decimal(15,2)', '1.2.3', 'invalid DECIMAL(15,2) value "1.2.3"');
    await bad('decimal(15,2)', 'abc', 'invalid DECIMAL');
    await bad('decimal(15,2)', '.', 'invalid DECIMAL');
    await bad('decimal(15,2)', '1e', 'invalid DECIMAL');
  });

  it('floating point', async () => {
    expect(await one('double', '0.1')).toBe(0.1);
    expect(await one('double', '-2e-3')).toBe(-0.002);
    expect(await one('double', '123456789012345678')).toBe(123456789012345678);
    expect(await one('double', '3.141592653589793238')).toBe(3.141592653589793);
    expect(await one('double', '1.7976931348623157e308')).toBe(1.7976931348623157e308);
    expect(await one('double', 'inf')).toBe(Infinity);
    expect(await one('double', '-Infinity')).toBe(-Infinity);
    expect(await one('double', 'NaN')).toBeNaN();
    expect(await one('real', '1.5')).toBe(1.5);
    await bad('real', '1e39', 'out of range for REAL');
    await bad('double', '1e400', 'value "1e400" out of range for DOUBLE PRECISION');
    await bad('double', '-1e400', 'out of range');
    expect(await one('real', '-inf')).toBe(-Infinity);
    await bad('double', '0x10', 'invalid DOUBLE PRECISION value "0x10"');
    await bad('double', '1_000', 'invalid DOUBLE PRECISION');
    await bad('double', 'abc', 'invalid DOUBLE PRECISION');
  });

  it('booleans', async () => {
    for (const t of ['t', 'T', 'true', 'TRUE', 'y', 'yes', 'Yes', '1']) expect(await one('boolean', t)).toBe(1);
    for (const t of ['f', 'F', 'false', 'n', 'no', 'NO', '0']) expect(await one('boolean', t)).toBe(0);
    await bad('boolean', 'maybe', 'invalid BOOLEAN value "maybe"');
    await bad('boolean', '2', 'invalid BOOLEAN');
  });

  it('dates', async () => {
    expect(await one('date', '1970-01-01')).toBe(0);
    expect(await one('date', '1998-12-01')).toBe(days('1998-12-01'));
    expect(await one('date', '1969-12-31')).toBe(-1);
    expect(await one('date', '2000-02-29')).toBe(days('2000-02-29'));
    expect(await one('date', '0001-01-01')).toBe(-719162);
    expect(await one('date', '9999-12-31')).toBe(2932896);
    expect(await one('date', '1998-1-5')).toBe(days('1998-01-05'));
    await bad('date', '1998-13-01', 'invalid DATE value "1998-13-01"');
    await bad('date', '1900-02-29', 'invalid DATE value "1900-02-29"');
    await bad('date', '1998-04-31', 'invalid DATE');
    await bad('date', '1998-00-10', 'invalid DATE');
    await bad('date', '19980101', 'invalid DATE');
    await bad('date', '1998-01-0x', 'invalid DATE');
  });

  it('timestamps', async () => {
    expect(await one('timestamp', '1998-12-01 12:34:56')).toBe(micros('1998-12-01T12:34:56'));
    expect(await one('timestamp', '1998-12-01T12:34:56.123456')).toBe(micros('1998-12-01T12:34:56.123', 456));
    expect(await one('timestamp', '1998-12-01 12:34:56.5')).toBe(micros('1998-12-01T12:34:56.500'));
    expect(await one('timestamp', '1998-12-01')).toBe(micros('1998-12-01T00:00:00'));
    expect(await one('timestamp', '1960-01-01 00:00:00.000001')).toBe(micros('1960-01-01T00:00:00', 1));
    await bad('timestamp', '1998-12-01 24:00:00', 'invalid TIMESTAMP value');
    await bad('timestamp', '1998-12-01 12:60:00', 'invalid TIMESTAMP');
    await bad('timestamp', 'yesterday', 'invalid TIMESTAMP');
  });

  it('timestamps with time zone: an offset, Z, or none (UTC, the session\'s zone) give the UTC instant', async () => {
    expect(await one('timestamptz', '1998-12-01 12:34:56')).toBe(micros('1998-12-01T12:34:56'));
    expect(await one('timestamptz', '1998-12-01 12:34:56.25Z')).toBe(micros('1998-12-01T12:34:56.250'));
    expect(await one('timestamptz', '1998-12-01 12:34:56+02')).toBe(micros('1998-12-01T10:34:56'));
    expect(await one('timestamptz', '1998-12-01T12:34:56-05:30')).toBe(micros('1998-12-01T18:04:56'));
    expect(await one('timestamptz', '1998-12-01 00:10:00.000001 +0130')).toBe(micros('1998-11-30T22:40:00', 1));
    expect(await one('timestamptz', '1998-12-01')).toBe(micros('1998-12-01T00:00:00'));
    await bad('timestamptz', '1998-12-01 12:34:56+25', 'invalid TIMESTAMP WITH TIME ZONE value');
    await bad('timestamptz', '1998-12-01 12:34:56 EST', 'invalid TIMESTAMP WITH TIME ZONE value');
  });

  it('CHAR drops trailing blanks; lengths are UTF-8 bytes', async () => {
    expect(await one('char(5)', 'ab   ')).toBe('ab');
    expect(await one('char(2)', 'ab      ')).toBe('ab');
    expect(await one('char(3)', '  a')).toBe('  a');
    expect(await one('varchar(5)', 'ab   ')).toBe('ab   ');
    expect(await one('varchar(5)', 'héé')).toBe('héé');
    expect(await one('varchar(3)', '€')).toBe('€');
    expect(await one('varchar(4)', '😀')).toBe('😀');
    await bad('char(2)', 'abc', 'value "abc" is 3 bytes, longer than CHAR(2)');
    await bad('varchar(3)', 'abcd', 'longer than VARCHAR(3)');
    await bad('varchar(4)', 'héé', 'is 5 bytes, longer than VARCHAR(4)');
    await bad('varchar(3)', '😀', 'is 4 bytes');
  });

  it('rejects invalid UTF-8, naming its line', async () => {
    const f = write(dir, 'latin1.tbl', Buffer.concat([Buffer.from('a\nb\n'), Buffer.from([0xe9, 0x74, 0xe9, 0x0a])]));
    await loadError(f, [col('s', 'varchar(10)')], {}, { code: 'LOAD_VALUE', line: 3, message: 'UTF-8' });
  });

  it('skips a UTF-8 byte order mark', async () => {
    const f = write(dir, 'bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id\n7\n')]));
    expect((await readRows(f, [col('id', 'integer')], { header: true })).rows).toEqual([[7]]);
    const g = write(dir, 'bom2.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('7\n')]));
    expect((await readRows(g, [col('id', 'integer')])).rows).toEqual([[7]]);
  });
});

describe('delimited text: streaming', () => {
  it('cuts batches of batchRows and reports progress', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `${i}|v${i}|`).join('\n');
    const f = write(dir, 'small.tbl', lines);
    const { rows, batches } = await readRows(f, [col('i', 'integer'), col('s', 'varchar(5)')], { batchRows: 3 });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('handles records, multi-byte characters and quoted newlines across chunk boundaries', async () => {
    // ~6 MB so that many 512 KiB chunk boundaries fall inside records, quotes and characters.
    const n = 60_000;
    const expected: unknown[][] = [];
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = i % 7 === 0 ? `é${'x'.repeat(i % 50)}😀,"q"\n${i}` : `plain ${i} ${'y'.repeat(i % 40)}`;
      const quoted = '"' + s.replace(/"/g, '""') + '"';
      const d = (i * 37) % 20000;
      const date = new Date(d * 86_400_000).toISOString().slice(0, 10);
      parts.push(`${i},${quoted},${(i * 1.25).toFixed(2)},${date},${i % 3 === 0 ? '' : 'z'.repeat(i % 5)}\r\n`);
      expected.push([i, s, Math.round(i * 125), d, i % 3 === 0 ? null : 'z'.repeat(i % 5)]);
    }
    const text = parts.join('');
    const cols = [col('i', 'integer', true), col('s', 'varchar(200)'), col('p', 'decimal(12,2)'), col('d', 'date'), col('z', 'char(5)')];
    const f = write(dir, 'big.csv', text);
    const { rows, batches } = await readRows(f, cols, { batchRows: 10_000 });
    expect(rows.length).toBe(n);
    expect(rows).toEqual(expected.map((r) => (r[4] === '' ? [...r.slice(0, 4), null] : r)));
    const progress = batches.map((b) => b.bytesRead);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    // The same through gzip.
    const gz = write(dir, 'big.csv.gz', zlib.gzipSync(text));
    const again = await readRows(gz, cols, { batchRows: 25_000 });
    expect(again.rows).toEqual(rows);
    expect(again.batches.at(-1)!.bytesRead).toBe(fs.statSync(gz).size);
  });

  it('reads a record longer than a read chunk', async () => {
    const long = 'é'.repeat(700_000) + 'x'.repeat(500_000);
    const f = write(dir, 'long.tbl', `1|${long}|\n2|"${long}\n${long}"|\n3|z|`);
    const { rows } = await readRows(f, [col('a', 'integer'), col('s', 'varchar(5000000)')]);
    expect(rows).toEqual([
      [1, long],
      [2, `${long}\n${long}`],
      [3, 'z'],
    ]);
  });

  it('reports the right line deep into a gzip file', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`${i}|${i % 10}|`);
    lines[150_000] = '150000|oops|';
    const f = write(dir, 'deep.tbl.gz', zlib.gzipSync(lines.join('\n') + '\n'));
    await loadError(f, [col('a', 'integer'), col('b', 'smallint')], {}, { code: 'LOAD_VALUE', line: 150_001, column: 'b', message: 'invalid SMALLINT value "oops"' });
  });

  it('gives per-batch dictionaries with shared entries for repeated strings', async () => {
    const f = write(dir, 'dict.tbl', Array.from({ length: 1000 }, (_, i) => `${['AIR', 'MAIL', 'SHIP'][i % 3]}|${i % 2 ? '' : 'x'}|`).join('\n'));
    const batches = [];
    for await (const b of readFile(f, [col('m', 'char(10)'), col('n', 'varchar(3)')])) batches.push(b);
    const v = batches[0]!.columns[0]!;
    expect(v.kind).toBe('str');
    expect(v.kind === 'str' ? v.dict.length : null).toBe(3);
    const nullable = batches[0]!.columns[1]!;
    expect(nullable.nulls).not.toBeNull();
  });

  it('lets a consumer stop early without leaking the file', async () => {
    const f = write(dir, 'stop.tbl', Array.from({ length: 100 }, (_, i) => `${i}|`).join('\n'));
    let seen = 0;
    for await (const b of readFile(f, [col('a', 'integer')], { batchRows: 10 })) {
      seen += b.length;
      if (seen >= 20) break;
    }
    expect(seen).toBe(20);
  });
});
