/**
 * Small fixture tables in keel and in DuckDB at once, for comparing the two on
 * hand-written queries. Tables are created from DDL text (the keel parser's
 * types) and rows of plain values (numbers, strings, 'YYYY-MM-DD' dates, null).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStatement, parseStatements } from '../../engine/sql/index.js';
import { Store } from '../../engine/storage/store.js';
import { appendRows, newTable } from '../../engine/storage/tables.js';
import type { ColumnMeta, DistStyle } from '../../engine/catalog/catalog.js';
import { svvTableInfo } from '../../engine/catalog/system-tables.js';
import { storeFooters } from '../../engine/storage/table-health.js';
import { batchFromRows, type PhysicalValue } from '../../engine/rows.js';
import { parseDate, parseTimestamp, type SqlType } from '../../engine/types.js';
import { bindInsertSource, bindQuery, type BindContext } from '../../engine/plan/binder.js';
import { Planner } from '../../engine/plan/planner.js';
import type { Field, PlanNode } from '../../engine/plan/physical.js';
import { ExecContext } from '../../engine/exec/context.js';
import { Executor } from '../../engine/exec/executor.js';
import { toRows } from '../../engine/result.js';
import type { LogicalNode } from '../../engine/plan/logical.js';
import { DuckOracle, type Value } from './oracle.js';

function physical(v: Value, t: SqlType): PhysicalValue {
  if (v === null) return null;
  switch (t.id) {
    case 'decimal': {
      const s = t.scale ?? 0;
      return Math.round(Number(v) * 10 ** s);
    }
    case 'date':
      return parseDate(String(v));
    case 'timestamp':
      return parseTimestamp(String(v));
    case 'boolean':
      return v === true || v === 1 ? 1 : 0;
    case 'char':
      return String(v).replace(/ +$/, '');
    case 'varchar':
      return String(v);
    default:
      return Number(v);
  }
}

function sqlLiteral(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

export interface TableLayout {
  readonly style: DistStyle;
  readonly key?: string;
  readonly sortKey?: readonly string[];
}

export class MiniDb {
  private constructor(
    readonly store: Store,
    readonly dir: string,
    readonly duck: DuckOracle,
  ) {}

  static async create(slices = 4, blockRows = 4): Promise<MiniDb> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mini-'));
    fs.rmSync(dir, { recursive: true, force: true });
    return new MiniDb(Store.create(dir, slices, blockRows), dir, await DuckOracle.create());
  }

  /** Creates the table in both engines (DuckDB only when `duck` is true) and loads the rows. */
  async table(ddl: string, rows: readonly (readonly Value[])[], layout: TableLayout = { style: 'even' }, duck = true): Promise<void> {
    const s = parseStatement(ddl);
    if (s.kind !== 'createTable') throw new Error('not CREATE TABLE');
    const name = s.name.name;
    const columns: ColumnMeta[] = s.columns.map((c) => ({ name: c.name.name, type: c.type, notNull: c.notNull, encoding: 'auto', encodingExplicit: false }));
    const batch = batchFromRows(
      columns.map((c) => c.type),
      rows.map((r) => r.map((v, i) => physical(v, columns[i]!.type))),
    );
    await this.store.change(async (catalog) => {
      const t = newTable(catalog, name, {
        distStyle: layout.style,
        distKey: layout.key ?? null,
        distAuto: false,
        sortKey: layout.sortKey ?? [],
        sortAuto: false,
        columns,
      });
      const change = await appendRows(this.dir, catalog, t, rows.length ? [batch] : [], this.store.segments, rows.length);
      return { catalog: { ...catalog, nextTableId: catalog.nextTableId + 1, tables: { ...catalog.tables, [name]: change.table } }, result: undefined };
    });
    if (duck) {
      await this.duck.run(ddl);
      if (rows.length) await this.duck.run(`insert into ${name} values ${rows.map((r) => `(${r.map(sqlLiteral).join(', ')})`).join(', ')}`);
    }
  }

  async view(name: string, sql: string, columns: string[] | null = null): Promise<void> {
    await this.store.change((catalog) => ({ catalog: { ...catalog, views: { ...catalog.views, [name]: { name, sql, columns } } }, result: undefined }));
  }

  context(sql: string): BindContext {
    return { catalog: this.store.catalog(), systemTable: (n) => (n === 'svv_table_info' ? svvTableInfo(storeFooters(() => this.store)) : undefined), sql };
  }

  bind(sql: string): LogicalNode {
    const p = parseStatements(sql)[0]!;
    if (p.statement.kind !== 'select') throw new Error('not a SELECT');
    return bindQuery(p.statement.query, this.context(p.text));
  }

  plan(sql: string): PlanNode {
    return new Planner(this.store.catalog().slices, this.store).planQuery(this.bind(sql));
  }

  /** Runs a SELECT in keel. */
  query(sql: string): { fields: readonly Field[]; rows: Value[][] } {
    const plan = this.plan(sql);
    const batch = new Executor(new ExecContext(this.store, this.store.catalog().slices)).collect(plan);
    return { fields: plan.fields, rows: toRows(plan.fields, batch) as Value[][] };
  }

  /** The rows an INSERT would add (bound, planned and executed; not stored). */
  insertRows(sql: string): { fields: readonly Field[]; rows: Value[][] } {
    const p = parseStatements(sql)[0]!;
    if (p.statement.kind !== 'insert') throw new Error('not an INSERT');
    const table = this.store.catalog().tables[p.statement.table.name]!;
    const logical = bindInsertSource(p.statement, table, this.context(p.text));
    const plan = new Planner(this.store.catalog().slices, this.store).planQuery(logical);
    const batch = new Executor(new ExecContext(this.store, this.store.catalog().slices)).collect(plan);
    return { fields: plan.fields, rows: toRows(plan.fields, batch) as Value[][] };
  }

  /** The error a query raises (binding, planning or running), or null. */
  error(sql: string): (Error & { code?: string }) | null {
    try {
      this.query(sql);
      return null;
    } catch (e) {
      return e as Error & { code?: string };
    }
  }

  close(): void {
    this.store.close();
    this.duck.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
