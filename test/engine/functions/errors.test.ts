/**
 * Bad format strings, regular expressions and arguments of the registry's
 * functions are clear errors: a SqlError with a stable code whose position
 * points at the offending text when it is a constant in the statement, an
 * ExecError when it is only known per row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniDb } from '../../helpers/mini-db.js';
import { ExecError, SqlError } from '../../../engine/errors.js';

let db: MiniDb;

beforeAll(async () => {
  db = await MiniDb.create(2, 1);
  await db.table('create table t (s varchar(20), d date, n int)', [['a(b', '2020-01-31', 1], ['x', null, 2]]);
});

afterAll(() => db?.close());

/** The error of a statement: its class, code, message and the text its position points at. */
function failure(sql: string): { kind: string; code: string | undefined; message: string; at: string | null } {
  const e = db.error(sql);
  if (e === null) throw new Error(`no error: ${sql}`);
  const offset = e instanceof SqlError ? (e.position?.offset ?? null) : null;
  return { kind: e.constructor.name, code: e.code, message: e.message, at: offset === null ? null : sql.slice(offset, offset + 6) };
}

describe('format strings', () => {
  it('a letter run that is no pattern is INVALID_VALUE pointing into the format', () => {
    expect(failure("select to_char(d, 'YYYY-MM xyz') from t")).toEqual({
      kind: 'SqlError',
      code: 'INVALID_VALUE',
      message: 'invalid datetime format "YYYY-MM xyz": "xyz" is not a datetime format pattern (write literal text in double quotes)',
      at: "xyz') ",
    });
  });

  it('a pattern keel does not print is UNSUPPORTED, named', () => {
    expect(failure("select to_char(d, 'HH24:MI TZ') from t")).toMatchObject({ kind: 'SqlError', code: 'UNSUPPORTED', at: "TZ') f" });
    expect(failure("select to_char(d, 'HH24:MI TZ') from t").message).toContain('the format pattern TZ is not supported');
    expect(failure("select to_char(n, '99.9EEEE') from t")).toMatchObject({ kind: 'SqlError', code: 'UNSUPPORTED', at: "EEEE')" });
    expect(failure("select to_char(n, 'RN') from t")).toMatchObject({ kind: 'SqlError', code: 'UNSUPPORTED', at: "RN') f" });
  });

  it('malformed numeric and datetime formats', () => {
    expect(failure("select to_char(n, '9.9.9') from t")).toMatchObject({ code: 'INVALID_VALUE', message: 'invalid numeric format "9.9.9": the format has two decimal points', at: ".9') f" });
    expect(failure("select to_char(n, 'abc') from t")).toMatchObject({ code: 'INVALID_VALUE', at: "abc') " });
    expect(failure('select to_date(s, \'YYYY "MM\') from t')).toMatchObject({ code: 'INVALID_VALUE', message: 'invalid datetime format "YYYY "MM": unterminated quoted text in the format', at: '"MM\') ' });
    expect(failure("select to_number(s, '') from t")).toMatchObject({ code: 'INVALID_VALUE', message: 'invalid numeric format "": the format has no digit positions (9 or 0)' });
  });

  it('TO_NUMBER needs a constant format, which decides its type', () => {
    expect(failure('select to_number(s, s) from t')).toMatchObject({ kind: 'SqlError', code: 'UNSUPPORTED', at: 's) fro' });
  });

  it('a format computed per row is checked when its row is reached', () => {
    expect(failure("select to_char(date '2020-01-01', case when n = 1 then 'YYYY' else 'YYYY xyz' end) from t")).toMatchObject({ kind: 'ExecError', code: 'INVALID_VALUE' });
    expect(failure("select to_char(date '2020-01-01', case when n = 1 then 'YYYY' else 'YYYY xyz' end) from t").message).toContain('"xyz" is not a datetime format pattern');
  });

  it('text that does not match the format is INVALID_VALUE', () => {
    expect(failure("select to_date('2020-xx-01', 'YYYY-MM-DD')")).toMatchObject({ kind: 'ExecError', code: 'INVALID_VALUE', message: '"2020-xx-01" does not match the format: expected a number for MM at position 6' });
    expect(failure("select to_date('2020-02-30', 'YYYY-MM-DD', true)").message).toBe('"2020-02-30" does not match the format: day 30 is out of range for the month');
  });
});

describe('regular expressions', () => {
  it('a constant pattern that does not compile is INVALID_VALUE pointing at it', () => {
    expect(failure("select regexp_count(s, 'a(b') from t")).toEqual({
      kind: 'SqlError',
      code: 'INVALID_VALUE',
      message: 'invalid regular expression "a(b": Unterminated group',
      at: "'a(b')",
    });
    expect(failure("select s from t where s ~ '[z-a]'")).toMatchObject({ kind: 'SqlError', code: 'INVALID_VALUE', at: "'[z-a]" });
    expect(failure("select s from t where s similar to '(a'")).toMatchObject({ kind: 'SqlError', code: 'INVALID_VALUE', at: "'(a'" });
    expect(failure("select regexp_replace(s, '[[:nope:]]', 'x') from t")).toMatchObject({ code: 'INVALID_VALUE', message: 'invalid regular expression "[[:nope:]]": unknown character class [:nope:]' });
  });

  it('a pattern from a column is checked per row', () => {
    expect(failure("select regexp_substr('abc', s) from t")).toMatchObject({ kind: 'ExecError', code: 'INVALID_VALUE', message: 'invalid regular expression "a(b": Unterminated group' });
  });

  it('bad parameters, positions and escapes', () => {
    expect(failure("select regexp_instr(s, 'a', 1, 1, 0, 'q') from t")).toMatchObject({ kind: 'SqlError', code: 'INVALID_VALUE', message: 'invalid regular expression parameter "q" (use c, i, e or p)', at: "'q') f" });
    expect(failure("select regexp_substr(s, 'a', 0) from t")).toMatchObject({ kind: 'ExecError', code: 'INVALID_VALUE', message: 'the position of a REGEXP_ function must be 1 or more' });
    expect(failure("select s similar to 'a' escape 'xy' from t")).toMatchObject({ kind: 'SqlError', code: 'INVALID_VALUE', at: "'xy' f" });
    expect(failure("select regexp_count(s, 'a', 1, s) from t")).toMatchObject({ kind: 'SqlError', code: 'SYNTAX', message: 'the parameters of REGEXP_COUNT must be a constant string' });
  });
});

describe('other arguments', () => {
  it('an unknown date part names the known ones', () => {
    expect(failure('select date_part(fortnight, d) from t')).toMatchObject({ kind: 'SqlError', code: 'INVALID_VALUE', at: 'date_p' });
    expect(failure('select date_part(fortnight, d) from t').message).toMatch(/^unsupported date part "fortnight" \(use millennium, century, decade, year/);
  });

  it('SHA2 lengths and FNV_HASH types', () => {
    expect(failure("select sha2(s, 100) from t")).toMatchObject({ kind: 'SqlError', code: 'INVALID_VALUE', at: '100) f' });
    expect(failure('select fnv_hash(d) from t')).toMatchObject({ kind: 'SqlError', code: 'UNSUPPORTED', message: 'FNV_HASH of date is not supported (cast the value to a string or an integer type)', at: 'd) fro' });
    const overflow = db.error('select fnv_hash(n) from t');
    expect(overflow).toBeInstanceOf(ExecError);
    expect(overflow?.code).toBe('OVERFLOW');
  });

  it('operators are named in their type errors', () => {
    expect(failure("select n ~ '1' from t")).toMatchObject({ kind: 'SqlError', code: 'TYPE_MISMATCH', message: 'operator does not exist: integer ~ varchar' });
    expect(failure("select d similar to '2%' from t")).toMatchObject({ kind: 'SqlError', code: 'TYPE_MISMATCH', message: 'operator does not exist: date SIMILAR TO varchar' });
    expect(failure('select d is distinct from s from t')).toMatchObject({ kind: 'SqlError', code: 'TYPE_MISMATCH', message: 'cannot compare date with varchar' });
  });
});
