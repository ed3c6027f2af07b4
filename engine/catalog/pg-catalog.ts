/**
 * PostgreSQL's system catalogs as views over keel's catalog: pg_namespace,
 * pg_class, pg_attribute, pg_attrdef, pg_type, pg_database, pg_description,
 * pg_index (empty) and pg_settings, with the columns that psql's \d, \dt, \dn and \l, the
 * drivers' metadata calls (node-postgres, JDBC) and BI tools' Postgres
 * connectors read, under PostgreSQL's names and in its order (a subset of
 * them). `pg_catalog.pg_class` and `pg_class` are the same relation, as with
 * PostgreSQL's search path.
 *
 * keel has one schema, public; pg_catalog and information_schema are listed
 * as the schemas its system views are in. OIDs are PostgreSQL's where it fixes
 * them (types, pg_catalog 11, public 2200, the bootstrap superuser 10); a
 * table's is 16384 (PostgreSQL's FirstNormalObjectId) plus its catalog id, so
 * it lasts as long as the table; a view, which has no id, gets one from its
 * name. Columns of PostgreSQL's `oid`, `regproc` and `"char"` types are INTEGER
 * and VARCHAR(1) here: keel has no such types. Array columns (relacl,
 * reloptions, datacl) are VARCHAR holding an array's text form, NULL
 * throughout (keel has no grants or storage options yet); array_to_string
 * reads that form (functions/pg-catalog.ts).
 */
import type { Field } from '../plan/physical.js';
import type { SqlType } from '../types.js';
import type { PhysicalValue } from '../rows.js';
import type { Catalog } from './catalog.js';
import { rowsTable, type SystemTable } from './system-tables.js';
import { describeRelations, SCHEMA, type RelationDescription, type SchemaViewsEnv } from './schema-views.js';
import { OWNER_OID, PG_SERVER_VERSION, PG_TYPES, pgTypeModifier, pgTypeOid, UTF8_ENCODING } from './pg-types.js';
import { hashString } from '../storage/hash.js';
import { REGCLASS_NAME, REGCLASS_OID, REGCLASS_TABLE, RELSIZE_BYTES, RELSIZE_TABLE } from '../sql/regclass.js';
import { storedBytes } from '../storage/tables.js';

const PG_CATALOG_OID = 11;
const PUBLIC_OID = 2200;
/** information_schema's OID varies between PostgreSQL installations; this one is above the fixed ones and below user objects. */
const INFORMATION_SCHEMA_OID = 13_000;
const DATABASE_OID = 1;
/** PostgreSQL's OID of the default collation, the one string columns and types have. */
const DEFAULT_COLLATION_OID = 100;
/** PostgreSQL's FirstNormalObjectId: user objects start here. */
const FIRST_USER_OID = 16_384;
/** Views take OIDs from this one up (2^30), by their name's hash: above every table's. */
const FIRST_VIEW_OID = 1 << 30;

const OID_T = { id: 'integer' } as const;
const NAME = { id: 'varchar', length: 128 } as const;
const TEXT = { id: 'varchar', length: 256 } as const;
const CHAR1 = { id: 'varchar', length: 1 } as const;
const INT = { id: 'integer' } as const;
const SMALLINT = { id: 'smallint' } as const;
const REAL = { id: 'real' } as const;
const BOOL = { id: 'boolean' } as const;

const f = (name: string, type: SqlType): Field => ({ name, type });

/** The OID of a relation: a table's from its id, a view's from its name. */
export function relationOid(catalog: Catalog, r: RelationDescription): number {
  if (r.kind === 'table') return FIRST_USER_OID + catalog.tables[r.name]!.id;
  return FIRST_VIEW_OID + (hashString(r.name) & (FIRST_VIEW_OID - 1));
}

const bool = (b: boolean): number => (b ? 1 : 0);

function namespaces(): PhysicalValue[][] {
  return [
    [PG_CATALOG_OID, 'pg_catalog', OWNER_OID, null],
    [PUBLIC_OID, SCHEMA, OWNER_OID, null],
    [INFORMATION_SCHEMA_OID, 'information_schema', OWNER_OID, null],
  ];
}

function classRows(catalog: Catalog, env: SchemaViewsEnv): PhysicalValue[][] {
  return describeRelations(catalog, env).map((r): PhysicalValue[] => {
    const table = r.kind === 'table' ? catalog.tables[r.name]! : null;
    return [
      relationOid(catalog, r),
      r.name,
      PUBLIC_OID,
      0, // reltype: no composite row types
      OWNER_OID,
      0, // relam
      0, // relfilenode
      0, // reltablespace: the default
      0, // relpages
      table ? table.rows : 0, // reltuples (REAL in PostgreSQL)
      0, // reltoastrelid
      0, // reloftype
      bool(false), // relhasindex
      bool(false), // relisshared
      'p', // relpersistence: permanent
      r.kind === 'table' ? 'r' : 'v',
      r.columns.length,
      0, // relchecks
      bool(false), // relhasoids
      bool(false), // relhasrules
      bool(false), // relhastriggers
      bool(false), // relhassubclass
      bool(false), // relrowsecurity
      bool(false), // relforcerowsecurity
      bool(false), // relispartition
      'd', // relreplident: default
      null, // relacl
      null, // reloptions
    ];
  });
}

const CLASS_FIELDS: readonly Field[] = [
  f('oid', OID_T),
  f('relname', NAME),
  f('relnamespace', OID_T),
  f('reltype', OID_T),
  f('relowner', OID_T),
  f('relam', OID_T),
  f('relfilenode', OID_T),
  f('reltablespace', OID_T),
  f('relpages', INT),
  f('reltuples', REAL),
  f('reltoastrelid', OID_T),
  f('reloftype', OID_T),
  f('relhasindex', BOOL),
  f('relisshared', BOOL),
  f('relpersistence', CHAR1),
  f('relkind', CHAR1),
  f('relnatts', SMALLINT),
  f('relchecks', SMALLINT),
  f('relhasoids', BOOL),
  f('relhasrules', BOOL),
  f('relhastriggers', BOOL),
  f('relhassubclass', BOOL),
  f('relrowsecurity', BOOL),
  f('relforcerowsecurity', BOOL),
  f('relispartition', BOOL),
  f('relreplident', CHAR1),
  f('relacl', TEXT),
  f('reloptions', TEXT),
];

const ATTRIBUTE_FIELDS: readonly Field[] = [
  f('attrelid', OID_T),
  f('attname', NAME),
  f('atttypid', OID_T),
  f('attstattarget', INT),
  f('attlen', SMALLINT),
  f('attnum', SMALLINT),
  f('attndims', INT),
  f('atttypmod', INT),
  f('attbyval', BOOL),
  f('attstorage', CHAR1),
  f('attalign', CHAR1),
  f('attnotnull', BOOL),
  f('atthasdef', BOOL),
  f('attidentity', CHAR1),
  f('attgenerated', CHAR1),
  f('attisdropped', BOOL),
  f('attislocal', BOOL),
  f('attinhcount', INT),
  f('attcollation', OID_T),
  f('attacl', TEXT),
  f('attoptions', TEXT),
  f('attfdwoptions', TEXT),
];

const TYPE_LENGTH = new Map(PG_TYPES.map((t) => [t.oid, t.length]));

function attributeRows(catalog: Catalog, env: SchemaViewsEnv): PhysicalValue[][] {
  const rows: PhysicalValue[][] = [];
  for (const r of describeRelations(catalog, env)) {
    const oid = relationOid(catalog, r);
    for (const c of r.columns) {
      const typeOid = pgTypeOid(c.type);
      const length = TYPE_LENGTH.get(typeOid) ?? -1;
      rows.push([
        oid,
        c.name,
        typeOid,
        -1,
        length,
        c.position,
        0,
        pgTypeModifier(c.type),
        bool(length > 0),
        length > 0 ? 'p' : 'x', // plain for fixed-size types, extended for the rest
        length === 8 ? 'd' : length === 2 ? 's' : length === 1 ? 'c' : 'i',
        bool(c.notNull),
        bool(c.default !== null),
        '',
        '',
        bool(false),
        bool(true),
        0,
        c.type.id === 'char' || c.type.id === 'varchar' ? DEFAULT_COLLATION_OID : 0,
        null,
        null,
        null,
      ]);
    }
  }
  return rows;
}

function attrdefRows(catalog: Catalog, env: SchemaViewsEnv): PhysicalValue[][] {
  const rows: PhysicalValue[][] = [];
  for (const r of describeRelations(catalog, env)) {
    const oid = relationOid(catalog, r);
    for (const c of r.columns) if (c.default !== null) rows.push([oid * 1000 + c.position, oid, c.position, c.default, c.default]);
  }
  return rows;
}

function typeRows(): PhysicalValue[][] {
  return PG_TYPES.map((t): PhysicalValue[] => [
    t.oid,
    t.name,
    PG_CATALOG_OID,
    OWNER_OID,
    t.length,
    bool(t.length > 0),
    'b', // typtype: base
    t.category,
    bool(false), // typispreferred
    bool(true), // typisdefined
    ',',
    0, // typrelid
    0, // typelem
    0, // typarray: keel has no arrays
    0, // typbasetype
    -1, // typtypmod
    bool(false), // typnotnull
    0, // typndims
    t.category === 'S' ? DEFAULT_COLLATION_OID : 0, // typcollation
  ]);
}

/** The settings pg_settings lists: the server's fixed ones, as the connection reports them (docs/server.md). */
const SETTINGS: readonly (readonly [name: string, setting: string, category: string, description: string])[] = [
  ['client_encoding', 'UTF8', 'Client Connection Defaults / Locale and Formatting', "Sets the client's character set encoding."],
  ['DateStyle', 'ISO, MDY', 'Client Connection Defaults / Locale and Formatting', 'Sets the display format for date and time values.'],
  ['integer_datetimes', 'on', 'Preset Options', 'Shows whether datetimes are integer based.'],
  ['IntervalStyle', 'postgres', 'Client Connection Defaults / Locale and Formatting', 'Sets the display format for interval values.'],
  ['max_identifier_length', '127', 'Preset Options', 'Shows the maximum identifier length.'],
  ['search_path', '$user, public', 'Client Connection Defaults / Statement Behavior', 'Sets the schema search order for names that are not schema-qualified.'],
  ['server_encoding', 'UTF8', 'Preset Options', 'Shows the server (database) character set encoding.'],
  ['server_version', PG_SERVER_VERSION, 'Preset Options', 'Shows the server version.'],
  ['server_version_num', serverVersionNum(PG_SERVER_VERSION), 'Preset Options', 'Shows the server version as an integer.'],
  ['standard_conforming_strings', 'on', 'Version and Platform Compatibility', "Causes '...' strings to treat backslashes literally."],
  ['transaction_isolation', 'serializable', 'Client Connection Defaults / Statement Behavior', "Shows the current transaction's isolation level."],
];

/** 8.0.2 → 80002, PostgreSQL's server_version_num for versions before 10. */
function serverVersionNum(v: string): string {
  const [major, minor, patch] = v.split('.').map(Number);
  return String(major! * 10000 + minor! * 100 + patch!);
}

/** The fixed settings, for SHOW ALL. */
export function fixedSettings(): { readonly name: string; readonly value: string }[] {
  return SETTINGS.map((x) => ({ name: x[0], value: x[1] }));
}

/** A fixed setting's value for SHOW, by name (any case); undefined for one keel does not have. */
export function fixedSetting(name: string): { readonly name: string; readonly value: string } | undefined {
  const s = SETTINGS.find((x) => x[0].toLowerCase() === name.toLowerCase());
  return s && { name: s[0], value: s[1] };
}

/** pg_namespace, pg_class, pg_attribute, pg_attrdef, pg_type, pg_database, pg_description and pg_settings over a database's catalog. */
export function pgCatalogViews(env: SchemaViewsEnv): SystemTable[] {
  return [
    rowsTable('pg_namespace', [f('oid', OID_T), f('nspname', NAME), f('nspowner', OID_T), f('nspacl', TEXT)], namespaces),
    rowsTable('pg_class', CLASS_FIELDS, (catalog) => classRows(catalog, env)),
    rowsTable('pg_attribute', ATTRIBUTE_FIELDS, (catalog) => attributeRows(catalog, env)),
    rowsTable('pg_attrdef', [f('oid', OID_T), f('adrelid', OID_T), f('adnum', SMALLINT), f('adbin', TEXT), f('adsrc', TEXT)], (catalog) => attrdefRows(catalog, env)),
    rowsTable(
      'pg_type',
      [
        f('oid', OID_T),
        f('typname', NAME),
        f('typnamespace', OID_T),
        f('typowner', OID_T),
        f('typlen', SMALLINT),
        f('typbyval', BOOL),
        f('typtype', CHAR1),
        f('typcategory', CHAR1),
        f('typispreferred', BOOL),
        f('typisdefined', BOOL),
        f('typdelim', CHAR1),
        f('typrelid', OID_T),
        f('typelem', OID_T),
        f('typarray', OID_T),
        f('typbasetype', OID_T),
        f('typtypmod', INT),
        f('typnotnull', BOOL),
        f('typndims', INT),
        f('typcollation', OID_T),
      ],
      typeRows,
    ),
    rowsTable(
      'pg_database',
      [
        f('oid', OID_T),
        f('datname', NAME),
        f('datdba', OID_T),
        f('encoding', INT),
        f('datcollate', NAME),
        f('datctype', NAME),
        f('datistemplate', BOOL),
        f('datallowconn', BOOL),
        f('datconnlimit', INT),
        f('dattablespace', OID_T),
        f('datacl', TEXT),
      ],
      () => [[DATABASE_OID, env.database(), OWNER_OID, UTF8_ENCODING, 'C', 'C', bool(false), bool(true), -1, 0, null]],
    ),
    // keel compares strings by code point: the default collation, which is "C" and "POSIX" too
    rowsTable(
      'pg_collation',
      [f('oid', OID_T), f('collname', NAME), f('collnamespace', OID_T), f('collowner', OID_T), f('collprovider', CHAR1), f('collencoding', INT), f('collcollate', NAME), f('collctype', NAME)],
      () => [
        [DEFAULT_COLLATION_OID, 'default', PG_CATALOG_OID, OWNER_OID, 'd', -1, null, null],
        [950, 'C', PG_CATALOG_OID, OWNER_OID, 'c', -1, 'C', 'C'],
        [951, 'POSIX', PG_CATALOG_OID, OWNER_OID, 'c', -1, 'POSIX', 'POSIX'],
      ],
    ),
    rowsTable(REGCLASS_TABLE, [f(REGCLASS_OID, OID_T), f(REGCLASS_NAME, NAME)], (catalog) => describeRelations(catalog, env).map((r) => [relationOid(catalog, r), r.name])),
    // the encoded bytes the table's segments hold, as svv_table_info's size_bytes counts them; a view stores nothing
    rowsTable(RELSIZE_TABLE, [f(REGCLASS_OID, OID_T), f(RELSIZE_BYTES, { id: 'bigint' })], (catalog) =>
      describeRelations(catalog, env).map((r) => [relationOid(catalog, r), r.kind === 'table' ? storedBytes(catalog, catalog.tables[r.name]!) : 0]),
    ),
    // no inheritance, indexes, constraints, triggers or rewrite rules: psql's \d asks for them
    rowsTable('pg_inherits', [f('inhrelid', OID_T), f('inhparent', OID_T), f('inhseqno', INT)], () => []),
    // keel has no user-defined functions: psql's \df lists none (the built-in ones are in docs/sql.md, not here)
    rowsTable(
      'pg_proc',
      [f('oid', OID_T), f('proname', NAME), f('pronamespace', OID_T), f('proowner', OID_T), f('prolang', OID_T), f('prokind', CHAR1), f('proisagg', BOOL), f('proiswindow', BOOL), f('prosecdef', BOOL), f('proisstrict', BOOL), f('proretset', BOOL), f('provolatile', CHAR1), f('pronargs', SMALLINT), f('prorettype', OID_T), f('proargtypes', TEXT), f('prosrc', TEXT)],
      () => [],
    ),
    // keel has no indexes (zone maps and sort keys do their work): psql's \di finds none
    rowsTable('pg_index', [f('indexrelid', OID_T), f('indrelid', OID_T), f('indnatts', SMALLINT), f('indisunique', BOOL), f('indisprimary', BOOL), f('indisclustered', BOOL), f('indisvalid', BOOL)], () => []),
    // keel keeps no comments (COMMENT ON is accepted and ignored): no descriptions
    rowsTable('pg_description', [f('objoid', OID_T), f('classoid', OID_T), f('objsubid', INT), f('description', TEXT)], () => []),
    rowsTable(
      'pg_settings',
      [f('name', NAME), f('setting', TEXT), f('unit', NAME), f('category', TEXT), f('short_desc', TEXT), f('context', NAME), f('vartype', NAME), f('source', NAME), f('boot_val', TEXT), f('reset_val', TEXT)],
      () => SETTINGS.map(([name, setting, category, description]): PhysicalValue[] => [name, setting, null, category, description, 'user', 'string', 'default', setting, setting]),
    ),
  ];
}
