/** VACUUM and ANALYZE as Redshift writes them (sql/parse-maintenance.ts). */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../engine/errors.js';
import { parseStatement } from '../../../engine/sql/index.js';

function failure(sql: string): { code: string; message: string } {
  try {
    parseStatement(sql);
  } catch (e) {
    if (e instanceof SqlError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`${sql} parsed`);
}

describe('VACUUM', () => {
  it('takes a mode, a table, a threshold and BOOST, each optional', () => {
    const cases: [string, object][] = [
      ['vacuum', { mode: 'full', table: null, threshold: null, boost: false }],
      ['VACUUM FULL', { mode: 'full', table: null }],
      ['vacuum sort only sales', { mode: 'sortOnly', table: { name: 'sales' } }],
      ['vacuum delete only "Sales" to 100 percent', { mode: 'deleteOnly', table: { name: 'Sales' }, threshold: 100 }],
      ['vacuum reindex listing', { mode: 'reindex', table: { name: 'listing' } }],
      ['vacuum sales to 75 percent boost', { mode: 'full', table: { name: 'sales' }, threshold: 75, boost: true }],
      ['vacuum full boost', { mode: 'full', table: null, boost: true }],
      ['vacuum to 0 percent', { mode: 'full', table: null, threshold: 0 }],
    ];
    for (const [sql, want] of cases) expect(parseStatement(sql), sql).toMatchObject({ kind: 'vacuum', ...want });
  });

  it('refuses a threshold beyond 100, a fraction, RECLUSTER and a missing PERCENT', () => {
    expect(failure('vacuum t to 101 percent')).toMatchObject({ code: 'INVALID_VALUE', message: expect.stringMatching(/from 0 to 100 percent, not 101/) });
    expect(failure('vacuum t to 9.5 percent').code).toBe('SYNTAX');
    expect(failure('vacuum recluster t')).toMatchObject({ code: 'UNSUPPORTED', message: 'VACUUM RECLUSTER is not supported' });
    expect(failure('vacuum t to 90').code).toBe('SYNTAX');
  });
});

describe('ANALYZE', () => {
  it('takes a table and a column list, or every table', () => {
    expect(parseStatement('analyze')).toMatchObject({ kind: 'analyze', table: null, columns: null });
    expect(parseStatement('analyse verbose t')).toMatchObject({ kind: 'analyze', table: { name: 't' }, columns: null });
    expect(parseStatement('analyze t (a, "B")')).toMatchObject({ kind: 'analyze', table: { name: 't' }, columns: [{ name: 'a' }, { name: 'B' }] });
    expect(parseStatement('analyze t all columns')).toMatchObject({ kind: 'analyze', table: { name: 't' }, columns: null });
  });

  it('ANALYZE COMPRESSION takes a table, columns and COMPROWS', () => {
    expect(parseStatement('analyze compression')).toMatchObject({ kind: 'analyze', compression: true, table: null, columns: null, compRows: null });
    expect(parseStatement('analyze compression t (a) comprows 5000')).toMatchObject({ compression: true, table: { name: 't' }, columns: [{ name: 'a' }], compRows: 5000 });
    expect(parseStatement('analyze compression comprows 10')).toMatchObject({ compression: true, table: null, compRows: 10 });
    expect(failure('analyze compression t comprows 0').code).toBe('SYNTAX');
    expect(parseStatement('analyze t')).toMatchObject({ compression: false, compRows: null });
  });

  it('refuses PREDICATE COLUMNS by name', () => {
    expect(failure('analyze t predicate columns')).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/PREDICATE COLUMNS/) });
    expect(failure('analyze t (a) all columns').code).toBe('SYNTAX');
  });
});
