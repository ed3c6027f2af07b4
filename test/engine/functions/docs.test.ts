/**
 * docs/sql.md lists the functions of the registry: its function tables are
 * the text functionReference() makes, between the BEGIN and END markers.
 * After changing a function, KEEL_UPDATE_DOCS=1 rewrites them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS_BEGIN, DOCS_END, functionReference } from '../../../engine/functions/docs.js';
import { FAMILIES, functionNames } from '../../../engine/functions/registry.js';

const SQL_DOC = path.resolve(__dirname, '../../../docs/sql.md');

describe('the SQL reference', () => {
  it('holds the function tables made from the registry', () => {
    let text = fs.readFileSync(SQL_DOC, 'utf8');
    const placeholder = text.includes('\nFUNCTION_TABLES\n');
    if (process.env.KEEL_UPDATE_DOCS === '1') {
      const begin = text.indexOf(DOCS_BEGIN);
      const end = text.indexOf(DOCS_END);
      text = placeholder ? text.replace('\nFUNCTION_TABLES\n', `\n${functionReference()}\n`) : text.slice(0, begin) + functionReference() + text.slice(end + DOCS_END.length);
      fs.writeFileSync(SQL_DOC, text);
    }
    const begin = text.indexOf(DOCS_BEGIN);
    const end = text.indexOf(DOCS_END);
    expect(begin, 'docs/sql.md has no function tables: run with KEEL_UPDATE_DOCS=1').toBeGreaterThan(0);
    expect(text.slice(begin, end + DOCS_END.length)).toBe(functionReference());
  });

  it('names every function and alias of the registry', () => {
    const tables = functionReference().toLowerCase();
    const missing = functionNames().filter((n) => !tables.includes(n));
    expect(missing).toEqual([]);
  });

  it('gives every entry its reference text', () => {
    const incomplete = FAMILIES.flatMap((f) => f.functions).filter((f) => f.syntax.length === 0 || f.returns === '' || f.doc === '');
    expect(incomplete.map((f) => f.names[0])).toEqual([]);
  });
});
