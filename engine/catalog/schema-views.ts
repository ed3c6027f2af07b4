/**
 * The catalog as queryable system views, under the names PostgreSQL and
 * Redshift users already query: information_schema.tables and
 * information_schema.columns (the SQL standard's, as PostgreSQL has them),
 * and Redshift's pg_table_def and svv_columns. Each has a subset of its
 * model's columns, under the model's names and in its order (docs/sql.md,
 * "System views"). Everything is in one schema, public; the database is the
 * data directory, named after its folder. The same descriptions answer
 * DESCRIBE and SHOW TABLES (session.ts) and the prompt's \d.
 */
import * as path from 'node:path';
import type { Field } from '../plan/physical.js';
import { physicalKind, type SqlType } from '../types.js';
import { textAt } from '../result.js';
import { constantVector } from '../storage/segment-columns.js';
import type { PhysicalValue } from '../rows.js';
import type { Catalog, ColumnMeta, TableMeta, ViewMeta } from './catalog.js';
import { isInterleaved } from './catalog.js';
import { rowsTable, type SystemTable } from './system-tables.js';
import { parseStatement } from '../sql/index.js';
import { bindQuery } from '../plan/binder.js';
import { redshiftNameFor } from '../storage/codecs/index.js';
import { PUBLIC_SCHEMA } from './pg-types.js';

const NAME = { id: 'varchar', length: 128 } as const;
const TEXT = { id: 'varchar', length: 256 } as const;
const INTEGER = { id: 'integer' } as const;
const BOOLEAN = { id: 'boolean' } as const;

/** The schema every table and view is in. */
export const SCHEMA = PUBLIC_SCHEMA;

/** The database's name: the data directory's folder name. */
export function databaseName(dir: string): string {
  return path.basename(path.resolve(dir));
}

/** What the views need from the database beyond its catalog. */
export interface SchemaViewsEnv {
  /** The database's name (table_catalog): the data directory's folder name. */
  readonly database: () => string;
  /** System tables by name, for binding views that read them. */
  readonly systemTable: (name: string) => SystemTable | undefined;
}

/** One column of a table or view, as the views describe it. */
export interface ColumnDescription {
  readonly name: string;
  readonly type: SqlType;
  /** 1-based. */
  readonly position: number;
  readonly notNull: boolean;
  /** Tables only: pg_table_def's encoding (none for RAW, auto for a column whose blocks each take the smallest codec). */
  readonly encoding: string | null;
  readonly distKey: boolean;
  /** pg_table_def's sortkey: the position in the sort key, alternately negative for an interleaved key (as Redshift shows it); 0 when not in it. */
  readonly sortKey: number;
  /** information_schema's column_default: the DEFAULT as PostgreSQL prints it (`7`, `'x'::character varying`), null for none. */
  readonly default: string | null;
}

/** A relation and its columns. */
export interface RelationDescription {
  readonly name: string;
  readonly kind: 'table' | 'view';
  readonly columns: readonly ColumnDescription[];
}

/** PostgreSQL's format_type: character varying(20), numeric(12,2), timestamp without time zone. */
export function formatType(t: SqlType): string {
  switch (t.id) {
    case 'decimal':
      return `numeric(${t.precision ?? 18},${t.scale ?? 0})`;
    case 'char':
      return t.length === undefined ? 'character' : `character(${t.length})`;
    case 'varchar':
      return t.length === undefined ? 'character varying' : `character varying(${t.length})`;
    default:
      return dataType(t);
  }
}

/** information_schema's data_type: the type's name without its length, precision or scale. */
export function dataType(t: SqlType): string {
  switch (t.id) {
    case 'decimal':
      return 'numeric';
    case 'char':
      return 'character';
    case 'varchar':
      return 'character varying';
    case 'double':
      return 'double precision';
    case 'timestamp':
      return 'timestamp without time zone';
    case 'timestamptz':
      return 'timestamp with time zone';
    default:
      return t.id;
  }
}

/** numeric_precision, numeric_precision_radix, numeric_scale as PostgreSQL gives them. */
function numericFacets(t: SqlType): [number | null, number | null, number | null] {
  switch (t.id) {
    case 'smallint':
      return [16, 2, 0];
    case 'integer':
      return [32, 2, 0];
    case 'bigint':
      return [64, 2, 0];
    case 'decimal':
      return [t.precision ?? 18, 10, t.scale ?? 0];
    case 'real':
      return [24, 2, null];
    case 'double':
      return [53, 2, null];
    default:
      return [null, null, null];
  }
}

function datetimePrecision(t: SqlType): number | null {
  return t.id === 'date' ? 0 : t.id === 'timestamp' || t.id === 'timestamptz' ? 6 : null;
}

function encodingName(c: ColumnMeta): string {
  if (c.encoding === 'auto') return 'auto';
  if (c.encoding === 'raw') return 'none';
  return redshiftNameFor(c.encoding).toLowerCase();
}

export function describeTable(t: TableMeta): RelationDescription {
  const interleaved = isInterleaved(t);
  return {
    name: t.name,
    kind: 'table',
    columns: t.columns.map((c, i) => {
      const k = t.sortKey.indexOf(c.name) + 1;
      return {
        name: c.name,
        type: c.type,
        position: i + 1,
        notNull: c.notNull,
        encoding: encodingName(c),
        distKey: t.distStyle === 'key' && t.distKey === c.name,
        sortKey: interleaved && k % 2 === 0 ? -k : k,
        default: defaultText(c),
      };
    }),
  };
}

/** A column's DEFAULT as PostgreSQL's information_schema prints it: numbers and booleans bare, other values a quoted literal cast to the type. */
function defaultText(c: ColumnMeta): string | null {
  if (c.default === undefined) return null;
  const text = textAt(constantVector(physicalKind(c.type), c.default, 1), c.type, 0)!;
  switch (c.type.id) {
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'real':
    case 'double':
    case 'boolean':
      return text;
    default: {
      const type = c.type.id === 'varchar' ? 'character varying' : c.type.id === 'char' ? 'bpchar' : formatType(c.type);
      return `'${text.replace(/'/g, "''")}'::${type}`;
    }
  }
}

/** Views whose columns are being worked out now: a view that reads these views itself is left out while they are (no endless loop). */
let describing = 0;

/**
 * A view's columns, from binding its query now; throws the binder's error when
 * it no longer binds (a table it reads was dropped). Null while the columns of
 * the views are being worked out already: a view that reads these system views
 * is being bound, and describing it again would never end.
 */
export function describeView(v: ViewMeta, catalog: Catalog, env: SchemaViewsEnv): RelationDescription | null {
  if (describing > 0) return null;
  describing++;
  try {
    const stmt = parseStatement(v.sql);
    const fields = stmt.kind === 'select' ? bindQuery(stmt.query, { catalog, systemTable: env.systemTable, sql: v.sql }).fields : [];
    return {
      name: v.name,
      kind: 'view',
      columns: fields.map((f, i) => ({ name: v.columns?.[i] ?? f.name, type: f.type, position: i + 1, notNull: false, encoding: null, distKey: false, sortKey: 0, default: null })),
    };
  } finally {
    describing--;
  }
}

/** A view's columns, or none when it does not bind now. */
function viewOrEmpty(v: ViewMeta, catalog: Catalog, env: SchemaViewsEnv): RelationDescription {
  try {
    return describeView(v, catalog, env) ?? { name: v.name, kind: 'view', columns: [] };
  } catch {
    return { name: v.name, kind: 'view', columns: [] };
  }
}

/** Every table, then every view, each by name. */
export function describeRelations(catalog: Catalog, env: SchemaViewsEnv): RelationDescription[] {
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const tables = Object.values(catalog.tables).sort(byName).map(describeTable);
  const views = Object.values(catalog.views)
    .sort(byName)
    .map((v) => viewOrEmpty(v, catalog, env));
  return [...tables, ...views];
}

function systemTable(name: string, fields: readonly Field[], rows: (catalog: Catalog) => PhysicalValue[][]): SystemTable {
  return rowsTable(name, fields, rows);
}

const field = (name: string, type: SqlType): Field => ({ name, type });

/** The standard's columns of information_schema.columns that keel fills, in PostgreSQL's order; svv_columns adds remarks. */
const COLUMN_FIELDS: readonly Field[] = [
  field('table_catalog', NAME),
  field('table_schema', NAME),
  field('table_name', NAME),
  field('column_name', NAME),
  field('ordinal_position', INTEGER),
  field('column_default', TEXT),
  field('is_nullable', { id: 'varchar', length: 3 }),
  field('data_type', TEXT),
  field('character_maximum_length', INTEGER),
  field('numeric_precision', INTEGER),
  field('numeric_precision_radix', INTEGER),
  field('numeric_scale', INTEGER),
  field('datetime_precision', INTEGER),
];

function columnRows(catalog: Catalog, env: SchemaViewsEnv): PhysicalValue[][] {
  const db = env.database();
  const rows: PhysicalValue[][] = [];
  for (const r of describeRelations(catalog, env)) {
    for (const c of r.columns) {
      const t = c.type;
      const length = t.id === 'char' || t.id === 'varchar' ? (t.length ?? null) : null;
      rows.push([db, SCHEMA, r.name, c.name, c.position, c.default, c.notNull ? 'NO' : 'YES', dataType(t), length, ...numericFacets(t), datetimePrecision(t)]);
    }
  }
  return rows;
}

/** information_schema.tables, information_schema.columns, pg_table_def and svv_columns over a database's catalog. */
export function schemaViews(env: SchemaViewsEnv): SystemTable[] {
  const tables = systemTable(
    'information_schema.tables',
    [field('table_catalog', NAME), field('table_schema', NAME), field('table_name', NAME), field('table_type', NAME), field('is_insertable_into', { id: 'varchar', length: 3 }), field('is_typed', { id: 'varchar', length: 3 })],
    (catalog) => {
      const db = env.database();
      const names = (o: object) => Object.keys(o).sort();
      return [
        ...names(catalog.tables).map((n): PhysicalValue[] => [db, SCHEMA, n, 'BASE TABLE', 'YES', 'NO']),
        ...names(catalog.views).map((n): PhysicalValue[] => [db, SCHEMA, n, 'VIEW', 'NO', 'NO']),
      ];
    },
  );
  const columns = systemTable('information_schema.columns', COLUMN_FIELDS, (catalog) => columnRows(catalog, env));
  const svvColumns = systemTable('svv_columns', [...COLUMN_FIELDS, field('remarks', TEXT)], (catalog) => columnRows(catalog, env).map((r) => [...r, null]));
  const pgTableDef = systemTable(
    'pg_table_def',
    [
      field('schemaname', NAME),
      field('tablename', NAME),
      field('column', NAME),
      field('type', TEXT),
      field('encoding', { id: 'varchar', length: 32 }),
      field('distkey', BOOLEAN),
      field('sortkey', INTEGER),
      field('notnull', BOOLEAN),
    ],
    (catalog) =>
      Object.values(catalog.tables)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .flatMap((t) => describeTable(t).columns.map((c): PhysicalValue[] => [SCHEMA, t.name, c.name, formatType(c.type), c.encoding, c.distKey ? 1 : 0, c.sortKey, c.notNull ? 1 : 0])),
  );
  return [tables, columns, pgTableDef, svvColumns];
}
