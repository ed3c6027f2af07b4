/**
 * The CLI's value formatting as functions (issue "Never crash, never lie",
 * points 13 and 15): what only a terminal shows (cut to the screen's width,
 * the prompt's byte figures) is tested here with a given width or a terminal
 * stderr, since the CLI tests' output is piped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onTerminal } from './terminal.js';
import { decimalText, integerText, realText } from '../../engine/result.js';
import type { QueryResult } from '../../engine/index.js';
import {
  commandTag,
  displayWidth,
  fitWidths,
  formatCsv,
  formatResultTable,
  formatTable,
  jsonRowText,
  kindOfType,
  nullDisplay,
  RawJson,
  setNullDisplay,
  stringifyJson,
  truncate,
} from '../../cli/output.js';
import { printResult } from '../../cli/commands/sql.js';
import { ProblemGroups, problemGroupsText } from '../../cli/commands/log.js';

afterEach(() => {
  setNullDisplay('');
  vi.restoreAllMocks();
});

describe('exact number text', () => {
  it('prints DECIMAL at its scale, from the scaled integer', () => {
    expect(decimalText(1250, 2)).toBe('12.50');
    expect(decimalText(-25, 2)).toBe('-0.25');
    expect(decimalText(1, 7)).toBe('0.0000001');
    expect(decimalText(0, 3)).toBe('0.000');
    expect(decimalText(9007199254740991, 2)).toBe('90071992547409.91');
    expect(decimalText(42, 0)).toBe('42');
  });

  it('never prints an integer or a decimal in exponent form', () => {
    expect(String(1e21)).toBe('1e+21');
    expect(integerText(1e21)).toBe('1000000000000000000000');
    expect(integerText(-1.2345e25)).toBe('-12345000000000000000000000');
    // a DECIMAL(38,2) sum past 2^53 scaled units
    expect(decimalText(1.5e24, 2)).toBe('15000000000000000000000.00');
    expect(integerText(9007199254740991)).toBe('9007199254740991');
  });

  it('prints REAL in its shortest single-precision digits', () => {
    expect(realText(Math.fround(0.1))).toBe('0.1');
    expect(realText(Math.fround(3.4e38))).toBe('3.4e+38');
    expect(realText(Math.fround(-1.5))).toBe('-1.5');
  });
});

describe('tables', () => {
  const rows = [
    [1, 'alice', 'x'.repeat(100), 12345],
    [2, null, 'short', 3],
  ];

  it('prints NULL as the null display, and the string NULL as itself', () => {
    const t = formatTable(['a', 's'], [[1, null], [2, 'NULL']], { width: undefined });
    expect(t.split('\n')[2]).toBe('1 |     ');
    expect(t.split('\n')[3]).toBe('2 | NULL');
    setNullDisplay('(null)');
    expect(nullDisplay()).toBe('(null)');
    const u = formatTable(['a', 's'], [[1, null], [2, 'NULL']], { width: undefined });
    expect(u.split('\n')[2]).toBe('1 | (null)');
    expect(u.split('\n')[3]).toBe('2 | NULL  ');
  });

  it('fits a wide row into a terminal width, cutting text (with an ellipsis) and never numbers', () => {
    const t = formatTable(['id', 'name', 'comment', 'n'], rows, { width: 40 });
    const lines = t.split('\n').slice(0, -1);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    expect(lines[2]).toContain('…');
    expect(lines[2]).toMatch(/\| 12345$/);
    expect(lines[2]).toContain('alice');
  });

  it('cuts nothing without a width (piped output)', () => {
    const t = formatTable(['id', 'name', 'comment', 'n'], rows, { width: undefined });
    expect(t).toContain('x'.repeat(100));
    expect(t).not.toContain('…');
  });

  it('counts wide characters as two columns and cuts on character boundaries', () => {
    expect(displayWidth('日本')).toBe(4);
    expect(truncate('日本語のテキスト', 7)).toBe('日本語…');
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('narrows the widest text columns to a common cap, not below a minimum', () => {
    expect(fitWidths([5, 50, 50], [false, true, true], 40)).toEqual([5, 14, 14]);
    expect(fitWidths([5, 10, 50], [false, true, true], 40)).toEqual([5, 10, 19]);
    // too narrow to fit: text columns at the minimum, numbers whole
    expect(fitWidths([30, 50], [false, true], 20)).toEqual([30, 6]);
  });
});

describe('result tables', () => {
  it('print the exact text, numbers right-aligned, NULL as the null display (the quick demo, the prompt)', () => {
    const r = {
      columns: [
        { name: 'kind', type: 'varchar(10)' },
        { name: 'revenue', type: 'decimal(12,2)' },
      ],
      textRows: () => [
        ['a', '12.50'],
        [null, '1000000.00'],
      ],
    };
    expect(formatResultTable(r, { width: undefined }).split('\n')).toEqual(['kind |    revenue', '-----+-----------', 'a    |      12.50', '     | 1000000.00', '(2 rows)']);
  });
});

describe('CSV', () => {
  it('tells NULL from the empty string and from the string NULL, and quotes what needs it', () => {
    const csv = formatCsv(['a', 's', 'd'], [
      ['1', null, '12.50'],
      ['2', '', '-0.25'],
      ['3', 'NULL', null],
      ['4', 'a,"b"\nc', '1'],
    ]);
    expect(csv.split('\n').slice(0, 4)).toEqual(['a,s,d', '1,,12.50', '2,"",-0.25', '3,NULL,']);
    expect(csv).toContain('4,"a,""b""\nc",1');
    setNullDisplay('NULL');
    expect(formatCsv(['s'], [[null], ['NULL']])).toBe('s\nNULL\n"NULL"');
  });
});

describe('JSON values', () => {
  it('writes exact numbers as number literals at their scale, and NULL as null', () => {
    const kinds = ['integer', 'decimal(8,2)', 'bigint', 'double precision', 'varchar(10)', 'boolean', 'date'].map(kindOfType);
    const text = jsonRowText(kinds, ['1', '12.50', '9007199254740991', '1e-7', 'NULL', 'true', '2020-02-29']);
    expect(text).toBe('[1,12.50,9007199254740991,1e-7,"NULL",true,"2020-02-29"]');
    expect(JSON.parse(text)).toEqual([1, 12.5, 9007199254740991, 1e-7, 'NULL', true, '2020-02-29']);
    expect(jsonRowText(kinds, [null, null, null, 'NaN', null, null, null])).toBe('[null,null,null,"NaN",null,null,null]');
  });

  it('stringifyJson writes RawJson as it is, and leaves strings that look like it alone', () => {
    const s = stringifyJson({ rows: new RawJson('[[12.50]]'), note: '@keel-raw-json-0', n: 1 });
    expect(s).toBe('{"rows":[[12.50]],"note":"@keel-raw-json-0","n":1}');
  });
});

describe('the prompt', () => {
  it('states bytes moved in human units', () => {
    const r = {
      columns: [{ name: 'n', type: 'bigint' }],
      textRows: () => [['1']],
      rows: () => [[1]],
      stats: { elapsedMs: 1, rowsReturned: 1, rowsMoved: 0, bytesMoved: 1_500_000, blocksScanned: 2, blocksSkipped: 0, blocksTotal: 2, rowsScanned: 1 },
      command: 'SELECT',
      rowCount: 1,
    } as unknown as QueryResult;
    const { err } = onTerminal(() => printResult(r, 'table'));
    expect(err).toMatch(/bytes moved 1\.50 MB/);
  });
});

describe('log import problems', () => {
  it('groups problems by stage and message: one line per group with its count and first lines', () => {
    const g = new ProblemGroups();
    for (let line = 2; line < 302; line++) g.add({ line, queryId: String(line), stage: 'bind', message: 'table "clicks" does not exist', sql: 'select * from clicks' });
    for (let line = 302; line < 312; line++) g.add({ line, queryId: null, stage: 'row', message: `start_time "bad${line}" is not a time`, sql: 'select 1' });
    g.add({ line: 400, queryId: '400', stage: 'parse', message: 'syntax error at or near "vacuum"', sql: 'VACUUM events' });
    const groups = g.list();
    expect(groups.map((x) => [x.stage, x.count])).toEqual([
      ['bind', 300],
      ['row', 10],
      ['parse', 1],
    ]);
    expect(groups[0]!.lines).toEqual([2, 3, 4, 5, 6]);
    expect(groups[1]!.message).toBe('start_time "…" is not a time');
    const text = problemGroupsText(groups, g.total, 20, undefined);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('311 problems in 3 groups (by stage and message):');
    expect(lines).toHaveLength(1 + 2 + 3);
    expect(lines[3]).toMatch(/^\s*300 \| bind\s+\| table "clicks" does not exist\s+\| 2, 3, 4, 5, 6, …\s+\| select \* from clicks/);
  });

  it('caps the number of groups, counting the rest as other problems', () => {
    const g = new ProblemGroups(2);
    for (let i = 0; i < 5; i++) g.add({ line: i + 2, queryId: null, stage: 'bind', message: `table "t${i}" does not exist`, sql: '' });
    expect(g.list().map((x) => [x.message, x.count])).toEqual([
      ['other problems', 3],
      ['table "t0" does not exist', 1],
      ['table "t1" does not exist', 1],
    ]);
  });
});

describe('commandTag', () => {
  it('counts the rows a data change touched, zero included, as psql does', () => {
    expect(['INSERT', 'DELETE', 'UPDATE', 'MERGE'].map((command) => commandTag({ command, rowCount: 0 }))).toEqual(['INSERT 0', 'DELETE 0', 'UPDATE 0', 'MERGE 0']);
    expect(commandTag({ command: 'DELETE', rowCount: 3 })).toBe('DELETE 3');
    expect([commandTag({ command: 'COPY', rowCount: 0 }), commandTag({ command: 'UNLOAD', rowCount: 12 })]).toEqual(['COPY 0', 'UNLOAD 12']);
    expect(commandTag({ command: 'TRUNCATE', rowCount: 0 })).toBe('TRUNCATE');
    expect(commandTag({ command: 'CREATE TABLE', rowCount: 0 })).toBe('CREATE TABLE');
  });
});
