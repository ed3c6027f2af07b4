/**
 * docs/sql.md lists the functions of the registry: its function tables are
 * the text functionReference(), aggregateReference() and windowReference()
 * make, each between its BEGIN and END markers.
 * After changing a function, KEEL_UPDATE_DOCS=1 rewrites them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_DOCS_BEGIN,
  AGGREGATE_DOCS_END,
  DOCS_BEGIN,
  DOCS_END,
  WINDOW_DOCS_BEGIN,
  WINDOW_DOCS_END,
  aggregateReference,
  functionReference,
  windowReference,
} from '../../../engine/functions/docs.js';
import { AGGREGATE_FAMILY, FAMILIES, WINDOW_FAMILY, aggregateNames, functionNames, windowFunctionNames } from '../../../engine/functions/registry.js';

const SQL_DOC = path.resolve(__dirname, '../../../docs/sql.md');

/** The sections of docs/sql.md made from the registry: markers and text. */
const SECTIONS = [
  { what: 'function tables', placeholder: 'FUNCTION_TABLES', begin: DOCS_BEGIN, end: DOCS_END, text: functionReference },
  { what: 'aggregate table', placeholder: 'AGGREGATE_TABLE', begin: AGGREGATE_DOCS_BEGIN, end: AGGREGATE_DOCS_END, text: aggregateReference },
  { what: 'window function table', placeholder: 'WINDOW_TABLE', begin: WINDOW_DOCS_BEGIN, end: WINDOW_DOCS_END, text: windowReference },
];

describe('the SQL reference', () => {
  for (const section of SECTIONS) {
    it(`holds the ${section.what} made from the registry`, () => {
      let text = fs.readFileSync(SQL_DOC, 'utf8');
      const placeholder = text.includes(`\n${section.placeholder}\n`);
      if (process.env.KEEL_UPDATE_DOCS === '1') {
        const begin = text.indexOf(section.begin);
        const end = text.indexOf(section.end);
        text = placeholder ? text.replace(`\n${section.placeholder}\n`, `\n${section.text()}\n`) : text.slice(0, begin) + section.text() + text.slice(end + section.end.length);
        fs.writeFileSync(SQL_DOC, text);
      }
      const begin = text.indexOf(section.begin);
      const end = text.indexOf(section.end);
      expect(begin, `docs/sql.md has no ${section.what}: run with KEEL_UPDATE_DOCS=1`).toBeGreaterThan(0);
      expect(text.slice(begin, end + section.end.length)).toBe(section.text());
    });
  }

  it('names every function and alias of the registry', () => {
    const tables = functionReference().toLowerCase();
    const missing = functionNames().filter((n) => !tables.includes(n));
    expect(missing).toEqual([]);
    const aggregates = aggregateReference().toLowerCase();
    expect(aggregateNames().filter((n) => !aggregates.includes(n))).toEqual([]);
    const windows = windowReference().toLowerCase();
    expect(windowFunctionNames().filter((n) => !windows.includes(n))).toEqual([]);
  });

  it('gives every entry its reference text', () => {
    const entries = [...FAMILIES.flatMap((f) => f.functions), ...AGGREGATE_FAMILY.functions, ...WINDOW_FAMILY];
    const incomplete = entries.filter((f) => f.syntax.length === 0 || f.returns === '' || f.doc === '');
    expect(incomplete.map((f) => f.names[0])).toEqual([]);
  });
});
