/**
 * .schema: the CREATE statements of the tables and views as they were
 * declared: AUTO settings stay AUTO (with what they resolve to now in a
 * comment), explicit encodings are written, AUTO ones are not.
 */
import type { Catalog, TableMeta } from '../../engine/index.js';
import { isInterleaved, redshiftNameFor, typeName } from '../../engine/index.js';
import { quoteIdentifier } from '../../engine/sql/index.js';

export function tableDdl(t: TableMeta): string {
  const q = quoteIdentifier;
  const cols = t.columns.map((c) => {
    const encode = c.encoding === 'auto' ? '' : ` encode ${redshiftNameFor(c.encoding).toLowerCase()}`;
    return `  ${q(c.name)} ${typeName(c.type)}${c.notNull ? ' not null' : ''}${encode}`;
  });
  const now = t.distStyle === 'key' ? `KEY(${t.distKey})` : t.distStyle.toUpperCase();
  const dist = t.distAuto ? `diststyle auto -- now ${now}` : t.distStyle === 'key' ? `diststyle key distkey (${q(t.distKey!)})` : `diststyle ${t.distStyle}`;
  const key = `${isInterleaved(t) ? 'interleaved' : 'compound'} sortkey (${t.sortKey.map(q).join(', ')})`;
  const sort = t.sortAuto ? (t.sortKey.length ? `sortkey auto -- now ${key}` : null) : t.sortKey.length ? key : null;
  return [`create table ${q(t.name)} (`, cols.join(',\n'), `)`, dist, ...(sort ? [sort] : [])].join('\n') + ';';
}

/** The CREATE statements of `name` (a table or view), or of every table and then every view; null when there is no such relation. */
export function schemaDdl(catalog: Catalog, name: string | null): string | null {
  const q = quoteIdentifier;
  const view = (n: string) => {
    const v = catalog.views[n]!;
    return `create view ${q(v.name)}${v.columns ? ` (${v.columns.map(q).join(', ')})` : ''} as ${v.sql.trim().replace(/;$/, '')};`;
  };
  if (name !== null) {
    if (catalog.tables[name]) return tableDdl(catalog.tables[name]);
    if (catalog.views[name]) return view(name);
    return null;
  }
  const tables = Object.keys(catalog.tables).sort().map((n) => tableDdl(catalog.tables[n]!));
  const views = Object.keys(catalog.views).sort().map(view);
  return [...tables, ...views].join('\n\n');
}
