/**
 * The Redshift migration script (advisor/migration/redshift-script.ts), with
 * no golden text: the emitted ALTERs are parsed back with keel's own parser
 * and must name the recommended keys; groups come whole, best benefit first;
 * running the script and then its inverse on keel (which takes every form the
 * script writes) must give the proposed layout and then the layout before;
 * user-set changes are advice unless asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../../index.js';
import type { TableMeta } from '../../engine/index.js';
import type { AlterAction } from '../../engine/sql/index.js';
import { parseStatements } from '../../engine/sql/index.js';
import { attachWorkloadLog } from '../../workload-log/index.js';
import { currentEncodingText, currentSortKeyText, describeStyle, groupBenefit, runAdvisor, type Recommendation } from '../../advisor/index.js';
import { redshiftAlter, redshiftInverse, redshiftMigration } from '../../advisor/migration/index.js';
import { loadSalesWorkload, SALES_TABLES } from '../helpers/sales-workload.js';

let dir: string;
let db: Database;
let recs: Recommendation[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-migration-'));
  db = await Database.open(dir, { slices: 4, blockRows: 1024, workloadLog: false });
  const log = attachWorkloadLog(db);
  // a user-set encoding (c_name), which the script lists as advice only
  await db.execute(`${SALES_TABLES} create table customers (c_id integer, c_region varchar(10), c_name varchar(20) encode bytedict);`);
  await loadSalesWorkload(db);
  log.close();
  recs = [...(await runAdvisor(db, { shadow: false, skewCheck: false, storage: { encodings: false } })).recommendations];
}, 180_000);

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The single ALTER action of a statement, parsed by keel's parser. */
function parsed(sql: string): { table: string; action: AlterAction } {
  const [p] = parseStatements(sql);
  const s = p!.statement;
  if (s.kind !== 'alterTable' || s.actions.length !== 1) throw new Error(`not one ALTER TABLE action: ${sql}`);
  return { table: s.table.name, action: s.actions[0]! };
}

/** What a setting of the table reads like in a recommendation's `current`. */
function setting(t: TableMeta, r: Recommendation): string {
  if (r.kind === 'sortkey') return currentSortKeyText(t);
  if (r.kind === 'encoding') return currentEncodingText(t, r.evidence.encoding.column);
  return describeStyle(t);
}

const layout = (t: TableMeta) => ({ dist: describeStyle(t), sort: currentSortKeyText(t), enc: t.columns.map((c) => `${c.name}:${c.encoding}:${c.encodingExplicit}`) });

describe('keel advisor apply --all --dialect redshift', () => {
  it('writes ALTERs Redshift accepts that name the recommended keys, groups whole and best first', () => {
    expect(recs.some((r) => r.kind === 'distkey')).toBe(true);
    expect(recs.some((r) => r.kind === 'sortkey')).toBe(true);
    const s = redshiftMigration(recs, { source: dir });
    expect(s.advice).toEqual([]);
    expect(s.statements.map((x) => x.id).sort()).toEqual(recs.map((r) => r.id).sort());
    for (const st of s.statements) {
      const r = recs.find((x) => x.id === st.id)!;
      const { table, action } = parsed(st.sql);
      expect(table).toBe(r.table);
      if (r.kind === 'distkey') {
        // Redshift's full form, which keel parses too
        expect(st.sql).toMatch(/ALTER DISTSTYLE KEY DISTKEY /);
        expect(action).toMatchObject({ kind: 'distStyle', style: 'key' });
        expect(`KEY(${action.kind === 'distStyle' ? action.distKey?.name : ''})`).toBe(r.proposed);
      } else if (r.kind === 'diststyle') {
        expect(action).toMatchObject({ kind: 'distStyle', style: r.proposed.toLowerCase() });
      } else if (r.kind === 'sortkey') {
        expect(st.sql).toMatch(/ALTER COMPOUND SORTKEY \(/);
        expect(action.kind === 'sortKey' ? action.columns.map((c) => c.name).join(', ') : null).toBe(r.proposed);
      }
    }
    // statements of a group are adjacent, groups in falling benefit
    const seen: string[] = [];
    for (const st of s.statements) if (seen[seen.length - 1] !== st.group) seen.push(st.group);
    expect(new Set(seen).size).toBe(seen.length);
    const benefit = (g: string) => groupBenefit(recs.filter((r) => r.group === g));
    for (let i = 1; i < seen.length; i++) expect(benefit(seen[i - 1]!)).toBeGreaterThanOrEqual(benefit(seen[i]!));
    expect(s.groups.map((g) => g.group)).toEqual(seen);
    // every statement line is SQL ending in ';', every other line a comment or blank; each group and change has its comment
    for (const l of s.forward.split('\n')) expect(l === '' || l.startsWith('--') || /^ALTER TABLE .*;$/.test(l), l).toBe(true);
    for (const g of s.groups) expect(s.forward).toContain(`-- ===== group ${g.group}: ${g.tables.join(', ')}; estimated ${g.secondsPerDay} ± `);
    for (const r of recs) expect(s.forward).toMatch(new RegExp(`-- ${r.id} \\(group ${r.group}\\): ${r.table} ${r.kind} .* -> .*, estimated [\\d.]+ ± [\\d.]+ s/day`));
    expect(s.forward).toMatch(/--   joins: /);
  });

  it('the script, then its inverse, run on keel: the proposed layout, then the one before', async () => {
    const s = redshiftMigration(recs, { source: dir });
    const tables = [...new Set(recs.map((r) => r.table))];
    const before = Object.fromEntries(tables.map((t) => [t, layout(db.catalog().tables[t]!)]));
    for (const st of s.statements) await db.execute(st.sql);
    for (const r of recs) expect([r.id, setting(db.catalog().tables[r.table]!, r).replace(/^AUTO\((.*)\)$/, '$1')]).toEqual([r.id, r.proposed]);
    for (const st of s.inverseStatements) await db.execute(st.sql);
    const after = Object.fromEntries(tables.map((t) => [t, layout(db.catalog().tables[t]!)]));
    expect(after).toEqual(before);
    // the same statements as the inverse text holds, in its order
    expect(s.inverse.split('\n').filter((l) => l.startsWith('ALTER ')).map((l) => l.slice(0, -1))).toEqual(s.inverseStatements.map((x) => x.sql));
  });

  it('lists changes to user-set keys as advice, and emits them when asked', () => {
    const dist = recs.find((r) => r.kind === 'distkey')!;
    const held = recs.map((r) => (r.id === dist.id ? { ...r, userSet: true } : r));
    const s = redshiftMigration(held, { source: dir });
    expect(s.advice).toEqual([expect.objectContaining({ id: dist.id, why: 'user-set', sql: redshiftAlter(dist) })]);
    expect(s.statements.some((x) => x.id === dist.id)).toBe(false);
    expect(s.inverseStatements.some((x) => x.id === dist.id)).toBe(false);
    expect(s.forward).toContain(`-- ${redshiftAlter(dist)};`);
    expect(s.forward.split('\n')).not.toContain(`${redshiftAlter(dist)};`);
    const all = redshiftMigration(held, { source: dir, includeUserSet: true });
    expect(all.advice).toEqual([]);
    expect(all.statements.some((x) => x.id === dist.id)).toBe(true);
  });

  it('writes the inverse of AUTO settings, explicit keys and encodings as Redshift takes them', () => {
    const base = { table: 'f', ddl: '' };
    expect(redshiftInverse({ ...base, kind: 'distkey', current: 'AUTO(EVEN)' })).toEqual(['ALTER TABLE f ALTER DISTSTYLE AUTO']);
    expect(redshiftInverse({ ...base, kind: 'distkey', current: 'KEY(a)' })).toEqual(['ALTER TABLE f ALTER DISTSTYLE KEY DISTKEY a']);
    expect(redshiftInverse({ ...base, kind: 'diststyle', current: 'ALL' })).toEqual(['ALTER TABLE f ALTER DISTSTYLE ALL']);
    // ALTER SORTKEY AUTO keeps the key it finds: the key first, then AUTO
    expect(redshiftInverse({ ...base, kind: 'sortkey', current: 'AUTO(NONE)' })).toEqual(['ALTER TABLE f ALTER SORTKEY NONE', 'ALTER TABLE f ALTER SORTKEY AUTO']);
    expect(redshiftInverse({ ...base, kind: 'sortkey', current: 'a, b' })).toEqual(['ALTER TABLE f ALTER COMPOUND SORTKEY (a, b)']);
    expect(redshiftInverse({ ...base, kind: 'sortkey', current: 'INTERLEAVED(a, b)' })).toBeNull();
    const enc = { table: 'f', ddl: 'ALTER TABLE f ALTER COLUMN c ENCODE ZSTD' };
    expect(redshiftInverse({ ...enc, kind: 'encoding', current: 'AUTO' })).toEqual(['ALTER TABLE f ALTER ENCODE AUTO']);
    expect(redshiftInverse({ ...enc, kind: 'encoding', current: 'BYTEDICT' })).toEqual(['ALTER TABLE f ALTER COLUMN c ENCODE BYTEDICT']);
    expect(redshiftAlter({ table: 'f', kind: 'sortkey', proposed: 'INTERLEAVED(a, b)', ddl: '' })).toBeNull();
  });

  it('runs an encoding change and its inverse on keel: the column back to what it was', async () => {
    const t = 'customers';
    const r = { id: 'x1', group: 'gx', table: t, kind: 'encoding' as const, current: currentEncodingText(db.catalog().tables[t]!, 'c_name'), ddl: `ALTER TABLE ${t} ALTER COLUMN c_name ENCODE ZSTD` };
    expect(r.current).toBe('BYTEDICT');
    const before = layout(db.catalog().tables[t]!);
    await db.execute(redshiftAlter({ ...r, proposed: 'ZSTD' })!);
    expect(currentEncodingText(db.catalog().tables[t]!, 'c_name')).toBe('ZSTD');
    for (const sql of redshiftInverse(r)!) await db.execute(sql);
    expect(layout(db.catalog().tables[t]!)).toEqual(before);
  });
});
