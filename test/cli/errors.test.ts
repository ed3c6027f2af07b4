/**
 * The CLI's error output as functions (issue "Never crash, never lie", points
 * 13 and 14): the JSON error object of --json, and the progress line ended
 * before an error (drawn only on a terminal, so tested with a terminal stderr).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onTerminal } from './terminal.js';
import { LoadError, SqlError, UsageError } from '../../engine/index.js';
import { CliError, errorJson, Progress, reportError, setJsonErrors } from '../../cli/output.js';

afterEach(() => {
  setJsonErrors(false);
  vi.restoreAllMocks();
});

describe('errors', () => {
  it('ends the progress line before the error message', () => {
    const { err } = onTerminal(() => {
      const p = new Progress('load t', false);
      p.update(5, 10, '5 rows');
      expect(reportError(new UsageError('boom'))).toBe(1);
    });
    const bar = err.indexOf('load t [');
    const clear = err.indexOf('\r\x1b[K', bar);
    const message = err.indexOf('error: boom');
    expect(bar).toBeGreaterThanOrEqual(0);
    expect(clear).toBeGreaterThan(bar);
    expect(message).toBeGreaterThan(clear);
  });

  it('is a JSON object with code, message and (with a position) line and column', () => {
    const sql = 'select a,\n  from t';
    expect(errorJson(new SqlError('SYNTAX', 'syntax error at or near "from"', { offset: 12, line: 2, column: 3 }, sql))).toEqual({
      error: { code: 'SYNTAX', message: 'syntax error at or near "from"', line: 2, column: 3 },
    });
    expect(errorJson(new UsageError('bad flag'))).toEqual({ error: { code: 'USAGE', message: 'bad flag' } });
    expect(errorJson(new LoadError('LOAD_VALUE', 'not a date', 'x.csv', 4, 'd'))).toEqual({
      error: { code: 'LOAD_VALUE', message: 'x.csv, line 4, column d: not a date', file: 'x.csv', line: 4, field: 'd' },
    });
    expect(errorJson(new TypeError('oops')).error.code).toBe('INTERNAL');
  });

  it('with --json goes to standard output as JSON, exit 1 for a user error and its own code for a CliError', () => {
    setJsonErrors(true);
    let code = 0;
    const { out, err } = onTerminal(() => (code = reportError(new UsageError('bad flag'))));
    expect(code).toBe(1);
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({ error: { code: 'USAGE', message: 'bad flag' } });
    const i = onTerminal(() => (code = reportError(new CliError('INTERRUPTED', 'interrupted: nothing was loaded', 130))));
    expect(code).toBe(130);
    expect(JSON.parse(i.out).error.code).toBe('INTERRUPTED');
  });
});
