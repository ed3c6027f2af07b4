/**
 * The layout as text that stays the same from run to run: `keel advisor lock`
 * (the AUTO choices, one line per table and setting, for review) and `keel ddl
 * export` (CREATE TABLE statements whose layout clauses say AUTO where the
 * engine chooses, so tools that diff DDL see no drift when it chooses again;
 * with the choices written out on request). Tables in name order, no
 * timestamps: the same catalog gives the same bytes.
 */
import type { Catalog, TableMeta } from '../engine/index.js';
import { isInterleaved, redshiftNameFor, typeName } from '../engine/index.js';
import { ident } from './autonomics/layout.js';
import { describeStyle } from './join-graph.js';
import { keyText } from './sortkey/index.js';

const tablesOf = (c: Catalog) => Object.values(c.tables).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const chosenDist = (t: TableMeta) => describeStyle({ ...t, distAuto: false });
const chosenSort = (t: TableMeta) => (t.sortKey.length ? keyText(t.sortKey, isInterleaved(t) ? 'interleaved' : 'compound') : 'NONE');

/**
 * The AUTO choices: per table whose distribution or sort key the engine
 * chooses, a line `table<TAB>diststyle<TAB>EVEN` / `table<TAB>sortkey<TAB>a, b`
 * (what it chose now). Column encodings under AUTO are chosen block by block,
 * so no one choice per column exists to lock; they are not listed.
 */
export function lockFile(catalog: Catalog): string {
  const lines = ['# keel advisor lock: the AUTO layout choices, one line per table and setting (table, setting, choice)'];
  for (const t of tablesOf(catalog)) {
    if (t.distAuto) lines.push(`${t.name}\tdiststyle\t${chosenDist(t)}`);
    if (t.sortAuto) lines.push(`${t.name}\tsortkey\t${chosenSort(t)}`);
  }
  return lines.join('\n') + '\n';
}

export interface DdlExportOptions {
  /** Write what AUTO chose (DISTSTYLE KEY DISTKEY (c), COMPOUND SORTKEY (a)) instead of AUTO. */
  readonly withAutoChoices?: boolean;
}

/** One table's CREATE TABLE: columns with their type, NOT NULL and explicit ENCODE; the layout as set (AUTO as AUTO). */
function createTable(t: TableMeta, o: DdlExportOptions): string {
  const cols = t.columns.map((c) => `  ${ident(c.name)} ${typeName(c.type)}${c.notNull ? ' NOT NULL' : ''}${c.encodingExplicit && c.encoding !== 'auto' ? ` ENCODE ${redshiftNameFor(c.encoding)}` : ''}`);
  const clauses: string[] = [];
  const auto = !o.withAutoChoices;
  if (t.distAuto && auto) clauses.push('DISTSTYLE AUTO');
  else clauses.push(t.distStyle === 'key' ? `DISTSTYLE KEY DISTKEY (${ident(t.distKey!)})` : `DISTSTYLE ${t.distStyle.toUpperCase()}`);
  if (t.sortAuto && auto) clauses.push('SORTKEY AUTO');
  else if (t.sortKey.length) clauses.push(`${isInterleaved(t) ? 'INTERLEAVED' : 'COMPOUND'} SORTKEY (${t.sortKey.map(ident).join(', ')})`);
  return `CREATE TABLE ${ident(t.name)} (\n${cols.join(',\n')}\n)\n${clauses.join('\n')};`;
}

/** Every table's CREATE TABLE in Redshift's DDL (which keel runs as it is), in name order. */
export function exportDdl(catalog: Catalog, o: DdlExportOptions = {}): string {
  return tablesOf(catalog).map((t) => createTable(t, o)).join('\n\n') + '\n';
}
