/**
 * A keel data directory with TPC-H loaded in a chosen layout, and a runner of
 * SQL scripts straight through the engine's pieces (parse, bind, plan,
 * execute), independent of the Database/session wiring.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseStatements } from '../../engine/sql/index.js';
import type * as ast from '../../engine/sql/ast.js';
import { Store } from '../../engine/storage/store.js';
import { appendRows, newTable } from '../../engine/storage/tables.js';
import type { ColumnMeta, DistStyle } from '../../engine/catalog/catalog.js';
import { svvTableInfo } from '../../engine/catalog/system-tables.js';
import { storeFooters } from '../../engine/storage/table-health.js';
import { batchFromRows, type PhysicalValue } from '../../engine/rows.js';
import { parseDate, type SqlType } from '../../engine/types.js';
import { bindQuery, type BindContext } from '../../engine/plan/binder.js';
import { Planner } from '../../engine/plan/planner.js';
import type { Field, PlanNode } from '../../engine/plan/physical.js';
import { ExecContext } from '../../engine/exec/context.js';
import { Executor } from '../../engine/exec/executor.js';
import { toRows } from '../../engine/result.js';
import type { Value } from './oracle.js';
import { TPCH_DIR, TPCH_TABLES } from './oracle.js';

export interface TableLayout {
  readonly style: DistStyle;
  readonly key?: string;
  readonly sortKey?: readonly string[];
}
export type Layout = Readonly<Record<string, TableLayout>>;

export const ALL_EVEN: Layout = Object.fromEntries(TPCH_TABLES.map((t) => [t, { style: 'even' }]));
export const ALL_ALL: Layout = Object.fromEntries(TPCH_TABLES.map((t) => [t, { style: 'all' }]));
export const KEYED: Layout = {
  lineitem: { style: 'key', key: 'l_orderkey', sortKey: ['l_shipdate'] },
  orders: { style: 'key', key: 'o_orderkey', sortKey: ['o_orderdate'] },
  partsupp: { style: 'key', key: 'ps_partkey' },
  part: { style: 'key', key: 'p_partkey' },
  customer: { style: 'key', key: 'c_custkey' },
  supplier: { style: 'all' },
  nation: { style: 'all' },
  region: { style: 'all' },
};

/** The physical value of one field of a .tbl line. */
function parseField(text: string, type: SqlType): PhysicalValue {
  if (text === '') return null;
  switch (type.id) {
    case 'smallint':
    case 'integer':
    case 'bigint':
      return Number(text);
    case 'decimal': {
      const scale = type.scale ?? 0;
      const neg = text.startsWith('-');
      const [i = '0', f = ''] = (neg ? text.slice(1) : text).split('.');
      const v = Number(i + f.padEnd(scale, '0').slice(0, scale));
      return neg ? -v : v;
    }
    case 'date':
      return parseDate(text);
    case 'char':
      return text.replace(/ +$/, '');
    default:
      return text;
  }
}

export function tpchSchema(): ast.CreateTableStatement[] {
  return parseStatements(fs.readFileSync(path.join(TPCH_DIR, 'schema.sql'), 'utf8'))
    .map((p) => p.statement)
    .filter((s): s is ast.CreateTableStatement => s.kind === 'createTable');
}

export class KeelTpch {
  private constructor(
    readonly store: Store,
    readonly dir: string,
  ) {}

  /** A new data directory with every TPC-H table of `dataDir` loaded in `layout`. */
  static async create(dataDir: string, layout: Layout, slices = 4, blockRows = 2048): Promise<KeelTpch> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-tpch-'));
    fs.rmSync(dir, { recursive: true, force: true });
    const store = Store.create(dir, slices, blockRows);
    for (const def of tpchSchema()) {
      const name = def.name.name;
      const columns: ColumnMeta[] = def.columns.map((c) => ({ name: c.name.name, type: c.type, notNull: c.notNull, encoding: 'auto', encodingExplicit: false }));
      const types = columns.map((c) => c.type);
      const text = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, `${name}.tbl.gz`))).toString('utf8');
      const rows: PhysicalValue[][] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        const parts = line.split('|');
        rows.push(types.map((t, i) => parseField(parts[i]!, t)));
      }
      const batch = batchFromRows(types, rows);
      const l = layout[name] ?? { style: 'even' };
      await store.change(async (catalog) => {
        const t = newTable(catalog, name, {
          distStyle: l.style,
          distKey: l.style === 'key' ? l.key! : null,
          distAuto: false,
          sortKey: l.sortKey ?? [],
          sortAuto: false,
          columns,
        });
        const change = await appendRows(dir, catalog, t, [batch], store.segments, batch.length);
        return {
          catalog: { ...catalog, nextTableId: catalog.nextTableId + 1, tables: { ...catalog.tables, [name]: change.table } },
          result: undefined,
        };
      });
    }
    return new KeelTpch(store, dir);
  }

  private context(sql: string): BindContext {
    return { catalog: this.store.catalog(), systemTable: (n) => (n === 'svv_table_info' ? svvTableInfo(storeFooters(() => this.store)) : undefined), sql };
  }

  /** Plans one SELECT. */
  plan(sql: string): PlanNode {
    const parsed = parseStatements(sql);
    const s = parsed[0]!.statement;
    if (s.kind !== 'select') throw new Error('not a SELECT');
    const logical = bindQuery(s.query, this.context(parsed[0]!.text));
    return new Planner(this.store.catalog().slices, this.store).planQuery(logical);
  }

  /** Runs a script (SELECT, CREATE VIEW, DROP VIEW); returns the last SELECT's result. */
  async run(sql: string): Promise<{ fields: readonly Field[]; rows: Value[][] }> {
    let last: { fields: readonly Field[]; rows: Value[][] } | null = null;
    for (const p of parseStatements(sql)) {
      const s = p.statement;
      if (s.kind === 'select') {
        const logical = bindQuery(s.query, this.context(p.text));
        const slices = this.store.catalog().slices;
        const plan = new Planner(slices, this.store).planQuery(logical);
        const batch = new Executor(new ExecContext(this.store, slices)).collect(plan);
        last = { fields: plan.fields, rows: toRows(plan.fields, batch) as Value[][] };
      } else if (s.kind === 'createView') {
        bindQuery(s.query, this.context(p.text));
        await this.store.change((catalog) => ({
          catalog: { ...catalog, views: { ...catalog.views, [s.name.name]: { name: s.name.name, sql: s.queryText, columns: s.columns ? s.columns.map((c) => c.name) : null } } },
          result: undefined,
        }));
      } else if (s.kind === 'dropView') {
        await this.store.change((catalog) => {
          const views = { ...catalog.views };
          for (const n of s.names) delete views[n.name];
          return { catalog: { ...catalog, views }, result: undefined };
        });
      } else {
        throw new Error(`statement ${s.kind} is not supported by the test runner`);
      }
    }
    if (!last) throw new Error('no SELECT in script');
    return last;
  }

  close(): void {
    this.store.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Per output column, the scale of a DECIMAL (for the comparison's tolerance), else null. */
export function decimalScales(fields: readonly Field[]): (number | null)[] {
  return fields.map((f) => (f.type.id === 'decimal' ? (f.type.scale ?? 0) : null));
}

/** Per output column, whether it is CHAR(n), whose trailing blanks are padding (CompareOptions.blankPadded). */
export function charColumns(fields: readonly Field[]): boolean[] {
  return fields.map((f) => f.type.id === 'char');
}
