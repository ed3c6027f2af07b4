/**
 * keel's SQL types as PostgreSQL sees them: the type OID, size and modifier of
 * a RowDescription, and the text output format of a value. Dispatch on the
 * type happens here only, once per result column.
 *
 * Types are named as ResultColumn.type names them (engine typeName):
 * integer, decimal(12,2), varchar(10), double precision, timestamp with time zone ...
 */
import { PG_TYPE_OID, typeName, type SqlType } from '../engine/index.js';
import type { ColumnDescription } from './protocol/backend.js';

/** pg_type OIDs: one table, the engine's (its pg_catalog views answer with the same numbers). */
export const OID = PG_TYPE_OID;

/**
 * How a value of the column goes out as text, from keel's own text form
 * (QueryResult.textRows): null when keel's text already is PostgreSQL's.
 */
export type TextOut = ((keelText: string) => string) | null;

export interface PgColumnType {
  readonly description: Omit<ColumnDescription, 'name'>;
  readonly textOut: TextOut;
}

/** The wire type of a result column named `name` of keel type `type`. */
export function pgColumnType(type: string): PgColumnType {
  const t = type.toLowerCase();
  const sized = /^(\w+)\((\d+)(?:,(\d+))?\)$/.exec(t);
  const base = sized ? sized[1]! : t;
  switch (base) {
    case 'smallint':
      return fixed(OID.int2, 2, null);
    case 'integer':
      return fixed(OID.int4, 4, null);
    case 'bigint':
      return fixed(OID.int8, 8, null);
    case 'real':
      return fixed(OID.float4, 4, (s) => pgFloatText(s, FLT_DIG));
    case 'double precision':
      return fixed(OID.float8, 8, (s) => pgFloatText(s, DBL_DIG));
    case 'boolean':
      return fixed(OID.bool, 1, boolText);
    case 'date':
      return fixed(OID.date, 4, null);
    case 'timestamp':
      return fixed(OID.timestamp, 8, null);
    case 'timestamp with time zone':
      return fixed(OID.timestamptz, 8, null);
    case 'decimal':
    case 'numeric': {
      // typmod of numeric(p,s): ((p << 16) | s) + VARHDRSZ
      const modifier = sized ? ((Number(sized[2]) << 16) | Number(sized[3] ?? 0)) + 4 : -1;
      return { description: { typeOid: OID.numeric, typeSize: -1, typeModifier: modifier }, textOut: null };
    }
    case 'char':
    case 'varchar': {
      // typmod of varchar(n) and char(n): n + VARHDRSZ
      const modifier = sized ? Number(sized[2]) + 4 : -1;
      return { description: { typeOid: base === 'char' ? OID.bpchar : OID.varchar, typeSize: -1, typeModifier: modifier }, textOut: null };
    }
    default:
      return { description: { typeOid: OID.text, typeSize: -1, typeModifier: -1 }, textOut: null };
  }
}

function fixed(typeOid: number, typeSize: number, textOut: TextOut): PgColumnType {
  return { description: { typeOid, typeSize, typeModifier: -1 }, textOut };
}

function boolText(s: string): string {
  return s === 'true' ? 't' : 'f';
}

/** float.h: digits a float4 / float8 always holds; PostgreSQL switches to exponent form at this decimal exponent. */
const FLT_DIG = 6;
const DBL_DIG = 15;

/**
 * PostgreSQL's float output (12+, extra_float_digits 1: shortest round-trip
 * digits, as keel's text already has them) from keel's text: fixed notation for
 * decimal exponents -4 to digits - 1, else d.ddde+XX with at least two exponent
 * digits (1e+15, 1.5e-05); -0 keeps its sign.
 */
export function pgFloatText(keelText: string, digits: number): string {
  const x = Number(keelText);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = /^(-?[\d.]+)e([+-])(\d+)$/.exec(x.toExponential())!;
  const e = Number(exp[3]) * (exp[2] === '-' ? -1 : 1);
  if (e >= -4 && e < digits) return String(x);
  return `${exp[1]}e${exp[2]}${exp[3]!.padStart(2, '0')}`;
}

/**
 * The keel type a parameter declared with type `oid` is read as: null for an
 * untyped one (0, unknown) and for the text types and numeric, whose values
 * keel reads as an untyped literal that takes the type its context asks for
 * (a driver that declares every string varchar still compares it with an
 * integer column); undefined for a type keel has no counterpart of.
 */
export function paramType(oid: number): SqlType | null | undefined {
  switch (oid) {
    case 0:
    case OID.unknown:
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.numeric:
      return null;
    case OID.bool:
      return { id: 'boolean' };
    case OID.int2:
      return { id: 'smallint' };
    case OID.int4:
      return { id: 'integer' };
    case OID.int8:
      return { id: 'bigint' };
    case OID.float4:
      return { id: 'real' };
    case OID.float8:
      return { id: 'double' };
    case OID.date:
      return { id: 'date' };
    case OID.timestamp:
      return { id: 'timestamp' };
    case OID.timestamptz:
      return { id: 'timestamptz' };
    default:
      return undefined;
  }
}

/** The type OID of a keel type (text for one that has none). */
export function oidOf(type: SqlType): number {
  return pgColumnType(typeName(type)).description.typeOid;
}
