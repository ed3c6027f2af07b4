/**
 * DESCRIBE t and SHOW TABLES: answered from the catalog (catalog/schema-views.ts
 * describes the relations), as rows like a query's.
 */
import { SqlError, positionAt } from './errors.js';
import type { SqlType } from './types.js';
import { typeName } from './types.js';
import type * as ast from './sql/ast.js';
import type { ParsedStatement } from './sql/index.js';
import type { Field } from './plan/physical.js';
import { batchFromRows, type PhysicalValue } from './rows.js';
import type { QueryStats } from './result.js';
import type { SessionHost } from './statements/host.js';
import { databaseName, describeTable, describeView, SCHEMA, type RelationDescription } from './catalog/schema-views.js';

/** What a statement returns (session.ts StatementOutcome). */
export interface DescribeOutcome {
  readonly command: string;
  readonly fields: readonly Field[];
  readonly batch: ReturnType<typeof batchFromRows>;
  readonly stats: QueryStats;
  readonly rowCount: number;
}

const NAME: SqlType = { id: 'varchar', length: 128 };

/** DESCRIBE's columns: pg_table_def's, with the type as keel names it (as CREATE TABLE wrote it). */
export const DESCRIBE_FIELDS: readonly Field[] = [
  { name: 'column', type: NAME },
  { name: 'type', type: NAME },
  { name: 'encoding', type: { id: 'varchar', length: 32 } },
  { name: 'distkey', type: { id: 'boolean' } },
  { name: 'sortkey', type: { id: 'integer' } },
  { name: 'notnull', type: { id: 'boolean' } },
];

export const SHOW_TABLES_FIELDS: readonly Field[] = [
  { name: 'schema_name', type: NAME },
  { name: 'table_name', type: NAME },
  { name: 'table_type', type: { id: 'varchar', length: 5 } },
];

function outcome(command: string, fields: readonly Field[], rows: PhysicalValue[][], t0: number): DescribeOutcome {
  const elapsedMs = performance.now() - t0;
  return {
    command,
    fields,
    batch: batchFromRows(fields.map((f) => f.type), rows),
    stats: { elapsedMs, rowsReturned: rows.length, rowsMoved: 0, bytesMoved: 0, blocksScanned: 0, blocksSkipped: 0, blocksTotal: 0, rowsScanned: 0, bytesSpilled: 0, spillFiles: 0 },
    rowCount: rows.length,
  };
}

/** DESCRIBE name: a table's, view's or system view's columns; UNKNOWN_TABLE at the name when there is none. */
export function describe(db: SessionHost, s: ast.DescribeStatement, p: ParsedStatement, t0: number): DescribeOutcome {
  const catalog = db.catalog();
  const name = s.name.name;
  // AST positions are offsets into the whole script; runStatements relocates the error there
  const at = positionAt(p.text, s.name.pos);
  let rel: RelationDescription | null = null;
  const table = catalog.tables[name];
  const view = catalog.views[name];
  const system = db.systemTable(name);
  if (table) rel = describeTable(table);
  else if (view) {
    try {
      rel = describeView(view, catalog, { database: () => databaseName(db.dir), systemTable: (n) => db.systemTable(n) });
    } catch (e) {
      throw new SqlError('INVALID_DDL', `view "${name}" cannot be described: ${e instanceof Error ? e.message : String(e)}`, at, p.text);
    }
  } else if (system) {
    rel = { name, kind: 'view', columns: system.fields.map((f, i) => ({ name: f.name, type: f.type, position: i + 1, notNull: false, encoding: null, distKey: false, sortKey: 0, default: null })) };
  }
  if (!rel) throw new SqlError('UNKNOWN_TABLE', `relation "${name}" does not exist`, at, p.text);
  const rows = rel.columns.map((c): PhysicalValue[] => [c.name, typeName(c.type), c.encoding, c.distKey ? 1 : 0, c.sortKey, c.notNull ? 1 : 0]);
  return outcome('DESCRIBE', DESCRIBE_FIELDS, rows, t0);
}

/** SHOW TABLES: every table, then every view, by name. */
export function showTables(db: SessionHost, t0: number): DescribeOutcome {
  const catalog = db.catalog();
  const rows: PhysicalValue[][] = [
    ...Object.keys(catalog.tables).sort().map((n) => [SCHEMA, n, 'TABLE']),
    ...Object.keys(catalog.views).sort().map((n) => [SCHEMA, n, 'VIEW']),
  ];
  return outcome('SHOW TABLES', SHOW_TABLES_FIELDS, rows, t0);
}
