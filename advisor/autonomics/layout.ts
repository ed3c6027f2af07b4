/**
 * A table's layout as a snapshot, and the DDL that puts a snapshot back: how
 * any recommendation is reverted, whatever its kind. The inverse is derived
 * from the layout recorded when the apply began (exact), or, for a
 * recommendation applied before snapshots existed, from its `current` text.
 */
import type { TableMeta } from '../../engine/index.js';
import { isInterleaved, UsageError } from '../../engine/index.js';
import type { LayoutSnapshot } from './types.js';

export function snapshotOf(t: TableMeta): LayoutSnapshot {
  const encodings: Record<string, { encoding: string; explicit: boolean }> = {};
  for (const c of t.columns) encodings[c.name] = { encoding: c.encoding, explicit: c.encodingExplicit };
  return {
    distStyle: t.distStyle,
    distKey: t.distKey,
    distAuto: t.distAuto,
    sortKey: [...t.sortKey],
    ...(isInterleaved(t) ? { sortStyle: 'interleaved' as const } : {}),
    sortAuto: t.sortAuto,
    encodings,
    version: t.version,
  };
}

/** Same physical settings (the version aside). */
export function sameLayout(a: LayoutSnapshot, b: LayoutSnapshot): boolean {
  const { version: _a, ...x } = a;
  const { version: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}

/** A name as SQL: bare when it is a plain lower-case identifier, quoted otherwise. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

// The catalog's codec ids by their Redshift ENCODE names (engine/storage/codecs).
const REDSHIFT_ENCODE: Readonly<Record<string, string>> = { raw: 'RAW', for: 'AZ64', dict: 'BYTEDICT', rle: 'RUNLENGTH', delta: 'DELTA', zstd: 'ZSTD', auto: 'AUTO' };

export interface InverseDdl {
  /** One or more ALTER TABLE statements, separated by ";\n". */
  readonly ddl: string;
  /** The setting was AUTO: the revert keeps the table AUTO-managed. */
  readonly keepAuto: boolean;
}

export interface Revertible {
  readonly table: string;
  readonly kind: string;
  readonly current: string;
  readonly ddl: string;
}

/** The statements of a DDL script (the advisor's DDL holds no string literals, so ';' only separates). */
export function statementsOf(ddl: string): string[] {
  return ddl
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * One ALTER TABLE of `table` with the actions of every statement in `ddls`
 * (each "ALTER TABLE t ALTER ...", or several separated by ';'), so the
 * engine rewrites the table once for all of them.
 */
export function combinedAlter(table: string, ddls: readonly string[]): string {
  const actions = ddls.flatMap(statementsOf).map((sql) => {
    const m = /^ALTER\s+TABLE\s+(?:"(?:[^"]|"")+"|\S+)\s+(ALTER\s[\s\S]*)$/i.exec(sql);
    if (!m) throw new UsageError(`"${sql}" is not an ALTER TABLE ... ALTER statement`);
    return m[1]!;
  });
  // one order whatever the members' order: distribution, sort key, then column encodings
  const rank = (a: string) => (/^ALTER\s+(DISTKEY|DISTSTYLE)\b/i.test(a) ? 0 : /^ALTER\s+COLUMN\b/i.test(a) ? 2 : 1);
  actions.sort((a, b) => rank(a) - rank(b));
  return `ALTER TABLE ${ident(table)} ${actions.join(', ')}`;
}

/** Columns whose encoding a DDL script changes. */
export function encodedColumns(ddl: string): string[] {
  const out: string[] = [];
  const re = /ALTER\s+COLUMN\s+("(?:[^"]|"")+"|[^\s]+)\s+ENCODE/gi;
  for (let m = re.exec(ddl); m; m = re.exec(ddl)) out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!.toLowerCase());
  return out;
}

/** The DDL that undoes `r`: restores the part of the layout its kind changes. */
export function inverseDdl(r: Revertible, before: LayoutSnapshot | null): InverseDdl {
  const t = `ALTER TABLE ${ident(r.table)}`;
  const snap = before ?? snapshotFromCurrent(r);
  switch (r.kind) {
    case 'distkey':
    case 'diststyle': {
      const ddl = snap.distStyle === 'key' ? `${t} ALTER DISTKEY ${ident(snap.distKey!)}` : `${t} ALTER DISTSTYLE ${snap.distStyle.toUpperCase()}`;
      return { ddl, keepAuto: snap.distAuto };
    }
    case 'sortkey': {
      const style = snap.sortStyle === 'interleaved' ? 'INTERLEAVED' : 'COMPOUND';
      const ddl = snap.sortKey.length === 0 ? `${t} ALTER SORTKEY NONE` : `${t} ALTER ${style} SORTKEY (${snap.sortKey.map(ident).join(', ')})`;
      return { ddl, keepAuto: snap.sortAuto };
    }
    case 'encoding': {
      const cols = encodedColumns(r.ddl);
      if (cols.length === 0) throw new UsageError(`recommendation for ${r.table}: cannot tell which columns "${r.ddl}" re-encodes, so it cannot be reverted`);
      const parts = cols.map((c) => {
        const e = snap.encodings[c];
        if (!e) throw new UsageError(`recommendation for ${r.table}: column ${c} of "${r.ddl}" is not in the table`);
        // a column the engine chose for is given back to AUTO, not pinned to what AUTO had picked
        return `${t} ALTER COLUMN ${ident(c)} ENCODE ${e.explicit ? REDSHIFT_ENCODE[e.encoding] ?? e.encoding.toUpperCase() : 'AUTO'}`;
      });
      return { ddl: parts.join(';\n'), keepAuto: cols.every((c) => !snap.encodings[c]!.explicit) };
    }
    default:
      throw new UsageError(`recommendation for ${r.table}: kind "${r.kind}" has no known inverse`);
  }
}

/**
 * A partial snapshot from a recommendation's `current` text (svv_table_info's
 * wording): EVEN, ALL, KEY(c), AUTO(...) for distribution; a column list,
 * INTERLEAVED(list), NONE or AUTO(...) for a sort key; an ENCODE name for an
 * encoding.
 */
export function snapshotFromCurrent(r: Revertible): LayoutSnapshot {
  let cur = r.current.trim();
  let auto = false;
  const m = /^AUTO\((.*)\)$/i.exec(cur);
  if (m) {
    auto = true;
    cur = m[1]!.trim();
  }
  const base: LayoutSnapshot = { distStyle: 'even', distKey: null, distAuto: false, sortKey: [], sortAuto: false, encodings: {}, version: -1 };
  const bad = (): never => {
    throw new UsageError(`recommendation for ${r.table}: cannot read its current setting "${r.current}" to revert it`);
  };
  switch (r.kind) {
    case 'distkey':
    case 'diststyle': {
      const k = /^KEY\s*\((.+)\)$/i.exec(cur);
      if (k) return { ...base, distStyle: 'key', distKey: unquote(k[1]!), distAuto: auto };
      if (/^(EVEN|ALL)$/i.test(cur)) return { ...base, distStyle: cur.toLowerCase(), distAuto: auto };
      return bad();
    }
    case 'sortkey': {
      if (/^(NONE|)$/i.test(cur)) return { ...base, sortAuto: auto };
      const interleaved = /^INTERLEAVED\s*\(/i.test(cur);
      const list = (interleaved ? cur.replace(/^INTERLEAVED\s*/i, '') : cur.replace(/^(COMPOUND\s+)?(SORTKEY\s*)?/i, '')).replace(/^\((.*)\)$/, '$1');
      const sortKey = list.split(',').map((s) => unquote(s.trim())).filter((s) => s.length > 0);
      return { ...base, sortKey, ...(interleaved ? { sortStyle: 'interleaved' as const } : {}), sortAuto: auto };
    }
    case 'encoding': {
      const enc = cur.replace(/^ENCODE\s+/i, '').toLowerCase();
      const id = Object.entries(REDSHIFT_ENCODE).find(([, name]) => name.toLowerCase() === enc)?.[0] ?? enc;
      const encodings: Record<string, { encoding: string; explicit: boolean }> = {};
      for (const c of encodedColumns(r.ddl)) encodings[c] = { encoding: id, explicit: !auto && id !== 'auto' };
      return { ...base, encodings };
    }
    default:
      return bad();
  }
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}
