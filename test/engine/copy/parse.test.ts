/** COPY and UNLOAD parse into the options their statements run with (copyLoadOptions maps COPY's onto the loader's). */
import { describe, expect, it } from 'vitest';
import { parseStatements } from '../../../engine/sql/index.js';
import type * as ast from '../../../engine/sql/ast.js';
import { copyLoadOptions } from '../../../engine/statements/copy.js';

function parse1(sql: string): ast.Statement {
  const all = parseStatements(sql);
  expect(all.length).toBe(1);
  return all[0]!.statement;
}

function copyOf(sql: string): ast.CopyStatement {
  const s = parse1(sql);
  if (s.kind !== 'copy') throw new Error(`not a COPY: ${s.kind}`);
  return s;
}

function unloadOf(sql: string): ast.UnloadStatement {
  const s = parse1(sql);
  if (s.kind !== 'unload') throw new Error(`not an UNLOAD: ${s.kind}`);
  return s;
}

describe('COPY options', () => {
  it('map onto the loader: text by default, no quoting, \\N as NULL, empty strings kept', () => {
    const s = copyOf(`copy public.t from 'data/x.tbl'`);
    expect([s.table.name, s.columns, s.source]).toEqual(['t', null, { kind: 'file', path: 'data/x.tbl', pos: 19 }]);
    expect(copyLoadOptions(s.options)).toEqual({ format: 'text', delimiter: '|', quote: '', ignoreHeader: 0, nullAs: '\\N', emptyAsNull: false, blanksAsNull: false, truncateColumns: false });
  });

  it('in any order, with or without AS, after an optional WITH', () => {
    const s = copyOf(
      `copy t (a, "B") from 'x' with ignoreheader as 1 csv quote as '''' delimiter ';' null as 'NULL' gzip emptyasnull blanksasnull truncatecolumns acceptinvchars dateformat as 'auto' timeformat 'YYYY-MM-DD HH24:MI:SS' maxerror as 10 iam_role 'arn:x'`,
    );
    expect(s.columns?.map((c) => c.name)).toEqual(['a', 'B']);
    expect(s.options.maxError).toBe(10);
    expect(copyLoadOptions(s.options)).toEqual({
      format: 'text', delimiter: ';', quote: "'", ignoreHeader: 1, nullAs: 'NULL', gzip: true, emptyAsNull: true, blanksAsNull: true, truncateColumns: true,
      acceptInvChars: '?', dateFormat: 'auto', timeFormat: 'YYYY-MM-DD HH24:MI:SS',
    });
  });

  it('CSV defaults to , and "; a \\t delimiter is a tab; PARQUET reads by position', () => {
    expect(copyLoadOptions(copyOf(`copy t from 'x' format as csv`).options)).toMatchObject({ delimiter: ',', quote: '"' });
    expect(copyLoadOptions(copyOf(`copy t from 'x' delimiter '\\t'`).options)).toMatchObject({ delimiter: '\t' });
    expect(copyLoadOptions(copyOf(`copy t from 'x' format parquet`).options)).toEqual({ format: 'parquet', matchByPosition: true });
    expect(copyOf(`copy t from 'x' noload`).options.noLoad).toBe(true);
  });
});

describe('UNLOAD options', () => {
  it('default to parallel pipe-delimited text', () => {
    const u = unloadOf(`unload ('select * from t where s = ''x''') to 'out/t_'`);
    expect(u).toMatchObject({ query: "select * from t where s = 'x'", to: 'out/t_', format: 'text', delimiter: null, header: false, parallel: true, maxFileSize: null, gzip: false });
  });

  it('take every option in any order', () => {
    const u = unloadOf(`unload ('select 1') to 'p' format as csv header delimiter as ';' null as 'N' allowoverwrite cleanpath parallel off maxfilesize as 1 gb gzip iam_role default`);
    expect(u).toMatchObject({ format: 'csv', header: true, delimiter: ';', nullAs: 'N', allowOverwrite: true, cleanPath: true, parallel: false, maxFileSize: 2 ** 30, gzip: true });
    expect(unloadOf(`unload ('select 1') to 'p' parquet maxfilesize 100 mb parallel true`)).toMatchObject({ format: 'parquet', maxFileSize: 100 * 2 ** 20, parallel: true });
  });

  it('errors point at the option', () => {
    try {
      parseStatements(`unload ('select 1') to 'p' bogus`);
      throw new Error('parsed');
    } catch (e) {
      expect((e as Error).message).toMatch(/unknown UNLOAD option BOGUS/);
      expect((e as { position?: { column: number } }).position?.column).toBe(28);
    }
  });
});
