/** keel's types as PostgreSQL's: OIDs and modifiers, and the float text format. */
import { describe, expect, it } from 'vitest';
import { OID, pgColumnType, pgFloatText } from '../../server/pg-types.js';

describe('pgFloatText', () => {
  it.each([
    ['0.1', 15, '0.1'],
    ['123456789012345', 15, '123456789012345'],
    ['1000000000000000', 15, '1e+15'],
    ['1.5e-7', 15, '1.5e-07'],
    ['0.0001', 15, '0.0001'],
    ['0.00001', 15, '1e-05'],
    ['1e+300', 15, '1e+300'],
    ['-2.5e+20', 15, '-2.5e+20'],
    ['-0', 15, '-0'],
    ['0', 15, '0'],
    ['NaN', 15, 'NaN'],
    ['Infinity', 15, 'Infinity'],
    ['-Infinity', 15, '-Infinity'],
    ['123456', 6, '123456'],
    ['1234567', 6, '1.234567e+06'],
    ['100000', 6, '100000'],
    ['1000000', 6, '1e+06'],
  ])('%s (digits %i) is %s', (keel, digits, pg) => {
    expect(pgFloatText(keel, digits)).toBe(pg);
  });
});

describe('pgColumnType', () => {
  it('maps keel type names to OIDs, sizes and modifiers', () => {
    expect(pgColumnType('decimal(38,10)').description).toEqual({ typeOid: OID.numeric, typeSize: -1, typeModifier: ((38 << 16) | 10) + 4 });
    expect(pgColumnType('varchar').description).toEqual({ typeOid: OID.varchar, typeSize: -1, typeModifier: -1 });
    expect(pgColumnType('char(1)').description).toEqual({ typeOid: OID.bpchar, typeSize: -1, typeModifier: 5 });
    expect(pgColumnType('timestamp with time zone').description.typeOid).toBe(OID.timestamptz);
    // a type the server does not know goes out as text
    expect(pgColumnType('super').description.typeOid).toBe(OID.text);
  });

  it('booleans are t and f; integers, decimals, dates and strings keep keel\'s text', () => {
    expect(pgColumnType('boolean').textOut!('true')).toBe('t');
    expect(pgColumnType('boolean').textOut!('false')).toBe('f');
    for (const t of ['integer', 'bigint', 'decimal(12,2)', 'date', 'timestamp', 'varchar(3)']) expect(pgColumnType(t).textOut).toBeNull();
  });
});
