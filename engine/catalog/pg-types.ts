/**
 * keel's types by PostgreSQL's numbers: the pg_type OIDs and type modifiers
 * that the wire protocol's RowDescription carries (server/pg-types.ts) and
 * that the pg_catalog views (pg-catalog.ts) and format_type() read. One home,
 * because a client matches the OIDs of a result's columns against pg_type's.
 */
import type { SqlType } from '../types.js';

/** What Redshift reports as its version, and psql and drivers choose their catalog queries by (docs/server.md). */
export const PG_SERVER_VERSION = '8.0.2';
/** PostgreSQL's version() text, as Redshift words it with keel in Redshift's place. */
export const PG_VERSION_TEXT = `PostgreSQL ${PG_SERVER_VERSION} on keel, an embedded columnar warehouse (Redshift dialect)`;

/** PostgreSQL's fixed OIDs: the bootstrap superuser, the pg_catalog and public schemas, pg_class (the classoid of a relation's description). */
export const OWNER_OID = 10;
/** The owner's name: keel has no users of its own yet; the data directory's owner owns everything. */
export const OWNER_NAME = 'keel';
/** pg_encoding_to_char(6) is UTF8. */
export const UTF8_ENCODING = 6;
/** The schema every table and view is in (catalog/schema-views.ts lists them there). */
export const PUBLIC_SCHEMA = 'public';

/** pg_type OIDs (PostgreSQL's src/include/catalog/pg_type.dat). */
export const PG_TYPE_OID = {
  bool: 16,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

/** The OID of a keel type. */
export function pgTypeOid(t: SqlType): number {
  switch (t.id) {
    case 'smallint':
      return PG_TYPE_OID.int2;
    case 'integer':
      return PG_TYPE_OID.int4;
    case 'bigint':
      return PG_TYPE_OID.int8;
    case 'real':
      return PG_TYPE_OID.float4;
    case 'double':
      return PG_TYPE_OID.float8;
    case 'boolean':
      return PG_TYPE_OID.bool;
    case 'date':
      return PG_TYPE_OID.date;
    case 'timestamp':
      return PG_TYPE_OID.timestamp;
    case 'timestamptz':
      return PG_TYPE_OID.timestamptz;
    case 'decimal':
      return PG_TYPE_OID.numeric;
    case 'char':
      return PG_TYPE_OID.bpchar;
    case 'varchar':
      return PG_TYPE_OID.varchar;
    default:
      return PG_TYPE_OID.text;
  }
}

/** PostgreSQL's VARHDRSZ: type modifiers of the variable-length types count it. */
const VARHDRSZ = 4;

/** The type modifier (atttypmod): n + 4 for char(n) and varchar(n), ((p << 16) | s) + 4 for numeric(p,s), -1 otherwise. */
export function pgTypeModifier(t: SqlType): number {
  switch (t.id) {
    case 'decimal':
      return (((t.precision ?? 18) << 16) | (t.scale ?? 0)) + VARHDRSZ;
    case 'char':
    case 'varchar':
      return t.length === undefined ? -1 : t.length + VARHDRSZ;
    default:
      return -1;
  }
}

/** One row of pg_type: a type keel has, or one its catalog views' columns are (name, oid, text). */
export interface PgType {
  readonly oid: number;
  readonly name: string;
  /** typlen: the size in bytes, -1 for variable-length types. */
  readonly length: number;
  /** typcategory: B boolean, N numeric, S string, D date/time, U user-defined (oid is N in PostgreSQL). */
  readonly category: string;
  /** format_type's name for the type with no modifier. */
  readonly formatted: string;
}

export const PG_TYPES: readonly PgType[] = [
  { oid: PG_TYPE_OID.bool, name: 'bool', length: 1, category: 'B', formatted: 'boolean' },
  { oid: PG_TYPE_OID.name, name: 'name', length: 64, category: 'S', formatted: 'name' },
  { oid: PG_TYPE_OID.int8, name: 'int8', length: 8, category: 'N', formatted: 'bigint' },
  { oid: PG_TYPE_OID.int2, name: 'int2', length: 2, category: 'N', formatted: 'smallint' },
  { oid: PG_TYPE_OID.int4, name: 'int4', length: 4, category: 'N', formatted: 'integer' },
  { oid: PG_TYPE_OID.text, name: 'text', length: -1, category: 'S', formatted: 'text' },
  { oid: PG_TYPE_OID.oid, name: 'oid', length: 4, category: 'N', formatted: 'oid' },
  { oid: PG_TYPE_OID.float4, name: 'float4', length: 4, category: 'N', formatted: 'real' },
  { oid: PG_TYPE_OID.float8, name: 'float8', length: 8, category: 'N', formatted: 'double precision' },
  { oid: PG_TYPE_OID.unknown, name: 'unknown', length: -2, category: 'X', formatted: 'unknown' },
  { oid: PG_TYPE_OID.bpchar, name: 'bpchar', length: -1, category: 'S', formatted: 'character' },
  { oid: PG_TYPE_OID.varchar, name: 'varchar', length: -1, category: 'S', formatted: 'character varying' },
  { oid: PG_TYPE_OID.date, name: 'date', length: 4, category: 'D', formatted: 'date' },
  { oid: PG_TYPE_OID.timestamp, name: 'timestamp', length: 8, category: 'D', formatted: 'timestamp without time zone' },
  { oid: PG_TYPE_OID.timestamptz, name: 'timestamptz', length: 8, category: 'D', formatted: 'timestamp with time zone' },
  { oid: PG_TYPE_OID.numeric, name: 'numeric', length: -1, category: 'N', formatted: 'numeric' },
];

const BY_OID = new Map(PG_TYPES.map((t) => [t.oid, t]));

/**
 * PostgreSQL's format_type(oid, typmod): the type's SQL name with its
 * modifier (character varying(20), numeric(12,2)); NULL for a NULL oid, '???'
 * for an OID that names no type, as PostgreSQL answers.
 */
export function formatTypeOid(oid: number, typmod: number | null): string {
  const t = BY_OID.get(oid);
  if (t === undefined) return '???';
  const mod = typmod ?? -1;
  if (mod < VARHDRSZ) return t.formatted;
  switch (oid) {
    case PG_TYPE_OID.numeric:
      return `numeric(${((mod - VARHDRSZ) >> 16) & 0xffff},${(mod - VARHDRSZ) & 0xffff})`;
    case PG_TYPE_OID.bpchar:
    case PG_TYPE_OID.varchar:
      return `${t.formatted}(${mod - VARHDRSZ})`;
    default:
      return t.formatted;
  }
}
