/**
 * What keeps an edited or damaged data directory from answering wrongly. A
 * catalog names segment files and says how many rows each holds and on which
 * slice; queries trust it. So:
 *
 *  1. catalog.json carries a checksum of its content, its last member:
 *       {"format":4,...,"checksum":"sha256:<64 hex digits>"}
 *     is the catalog JSON `C` with `,"checksum":"sha256:" + sha256(C) + "}"`
 *     in place of its closing brace. Any change to the bytes of `C` (an edit,
 *     a flipped bit, a truncation) fails the comparison.
 *  2. The parsed catalog must hold together (validateCatalog): every segment on
 *     a slice the directory has, every table's row count the sum of its
 *     segments', names, ids and counters in range. This needs no file but the
 *     catalog, and catches an edit whose checksum was recomputed but which
 *     contradicts itself (slices 4 -> 3 leaves segments on slice 3).
 *  3. A segment's footer must agree with the catalog's entry for it
 *     (checkSegment): rows, size, columns and their types, and (in segments
 *     written since data format 2) its slice, the slice count and the table's
 *     distribution. Checked when a reader first uses the segment under a
 *     catalog, so opening a directory reads no segment file.
 *
 * Every failure is a StorageError CORRUPT naming the file. None of this is a
 * defence against someone who forges a catalog and its checksum to match
 * every footer; it keeps damage and edits from being read as data.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { StorageError } from '../errors.js';
import { columnIds, type Catalog, type SegmentMeta, type TableMeta } from '../catalog/catalog.js';
import { fileColumnIds } from './segment-columns.js';
import type { SqlType } from '../types.js';
import type { SegmentReader } from './segment.js';
import { DELETE_FILE } from './deletes.js';

const SEAL = /,"checksum":"sha256:([0-9a-f]{64})"\}$/;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The text of catalog.json for `catalog`: its JSON with the checksum as the last member. */
export function sealCatalog(catalog: Catalog): string {
  const { checksum: _, ...rest } = catalog as Catalog & { checksum?: unknown };
  const body = JSON.stringify(rest);
  return `${body.slice(0, -1)},"checksum":"sha256:${sha256(body)}"}`;
}

/**
 * The catalog JSON of a catalog.json text with its checksum verified and
 * removed. A text without a checksum is returned as it is (sealed: false) when
 * `required` is false (a catalog written before data format 2); one with a
 * checksum must match it whatever `required` says.
 */
export function unsealCatalog(text: string, file: string, required: boolean): { body: string; sealed: boolean } {
  const m = SEAL.exec(text);
  if (!m) {
    if (required) throw new StorageError('CORRUPT', `${file} is damaged: it has no valid checksum (it was truncated or edited)`);
    return { body: text, sealed: false };
  }
  const body = `${text.slice(0, m.index)}}`;
  if (sha256(body) !== m[1]) {
    throw new StorageError('CORRUPT', `${file} is damaged: its checksum does not match its content (it was edited or damaged after keel wrote it)`);
  }
  return { body, sealed: true };
}

const TYPE_IDS = new Set(['smallint', 'integer', 'bigint', 'decimal', 'real', 'double', 'boolean', 'char', 'varchar', 'date', 'timestamp', 'timestamptz']);
const ENCODINGS = new Set(['auto', 'raw', 'dict', 'rle', 'delta', 'for', 'zstd']);
const DIST_STYLES = new Set(['even', 'key', 'all']);
const SEGMENT_FILE = /^(\d{6,})\.seg$/;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): x is number => Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max;

/**
 * Checks that a parsed catalog holds together; returns it typed. `file` names
 * catalog.json in the errors. Reads no other file.
 */
export function validateCatalog(parsed: unknown, file: string, formats: readonly number[]): Catalog {
  const bad = (what: string): never => {
    throw new StorageError('CORRUPT', `${file} is damaged: ${what}`);
  };
  if (!isObject(parsed)) return bad('not a catalog object');
  const c = parsed;
  if (!formats.includes(c.format as number)) bad(`format ${JSON.stringify(c.format)}, expected ${formats.join(' or ')}`);
  if (!isInt(c.slices, 1, 256)) bad(`slices ${JSON.stringify(c.slices)} is not an integer from 1 to 256`);
  const slices = c.slices as number;
  if (!isInt(c.blockRows, 1)) bad(`blockRows ${JSON.stringify(c.blockRows)} is not a positive integer`);
  if (c.autoAllMaxRows !== undefined && !isInt(c.autoAllMaxRows, 0)) bad(`autoAllMaxRows ${JSON.stringify(c.autoAllMaxRows)} is not a count`);
  if (!isInt(c.generation, 0)) bad(`generation ${JSON.stringify(c.generation)} is not a count`);
  if (!isInt(c.nextTableId, 1)) bad(`nextTableId ${JSON.stringify(c.nextTableId)} is not a positive integer`);
  if (!isObject(c.tables)) bad('missing or wrong fields: tables');
  if (!isObject(c.views)) bad('missing or wrong fields: views');
  const ids = new Set<number>();
  for (const [name, t] of Object.entries(c.tables as Record<string, unknown>)) {
    checkTable(name, t, slices, c.nextTableId as number, ids, bad);
  }
  for (const [name, v] of Object.entries(c.views as Record<string, unknown>)) {
    if (!isObject(v) || v.name !== name || typeof v.sql !== 'string') bad(`view "${name}" has missing or wrong fields`);
    const cols = (v as Record<string, unknown>).columns;
    if (cols !== null && !(Array.isArray(cols) && cols.every((x) => typeof x === 'string'))) bad(`view "${name}" has wrong column names`);
    if (c.tables && Object.hasOwn(c.tables, name)) bad(`"${name}" is both a table and a view`);
  }
  if (c.materializedViews !== undefined) {
    if (!isObject(c.materializedViews)) bad('materializedViews is not an object');
    for (const [name, v] of Object.entries(c.materializedViews as Record<string, unknown>)) {
      if (!isObject(v) || v.name !== name || typeof v.sql !== 'string' || typeof v.table !== 'string' || !Array.isArray(v.base) || !Array.isArray(v.refreshes)) {
        bad(`materialized view "${name}" has missing or wrong fields`);
      }
      const m = v as Record<string, unknown>;
      if (!(c.tables && Object.hasOwn(c.tables, m.table as string))) bad(`materialized view "${name}" names table "${m.table}", which does not exist`);
      if ((c.tables && Object.hasOwn(c.tables, name)) || Object.hasOwn(c.views as object, name)) bad(`"${name}" is both a materialized view and a table or view`);
    }
  }
  if (c.users !== undefined) checkUsers(c.users, c.nextUserId, bad);
  if (c.retired !== undefined) {
    if (!Array.isArray(c.retired)) bad('retired is not a list');
    for (const r of c.retired as unknown[]) {
      // retired files are deleted by path: only segment files of a table folder qualify
      if (!isObject(r) || typeof r.file !== 'string' || !/^tables\/\d+\/\d{6,}(\.seg|-\d{6,}\.del)$/.test(r.file) || typeof r.at !== 'number') {
        bad(`retired entry ${JSON.stringify(r)} is not a table's segment or delete vector file`);
      }
    }
  }
  return parsed as unknown as Catalog;
}

/** Users: an object by name, each with an id below nextUserId, unique, and a password verifier of a known kind or null. */
function checkUsers(users: unknown, nextUserId: unknown, bad: (what: string) => never): void {
  if (!isObject(users)) return bad('users is not an object');
  if (!isInt(nextUserId, 1)) bad(`nextUserId ${JSON.stringify(nextUserId)} is not a positive integer`);
  const ids = new Set<number>();
  for (const [name, u] of Object.entries(users)) {
    if (!isObject(u) || u.name !== name || !isInt(u.id, 1, (nextUserId as number) - 1) || typeof u.superuser !== 'boolean') bad(`user "${name}" has missing or wrong fields`);
    const m = u as Record<string, unknown>;
    if (ids.has(m.id as number)) bad(`user "${name}" has id ${m.id}, which another user has too`);
    ids.add(m.id as number);
    const pw = m.password;
    const known = pw === null || (isObject(pw) && (pw.kind === 'md5' ? typeof pw.hash === 'string' : pw.kind === 'scram-sha-256' && isInt(pw.iterations, 1) && typeof pw.salt === 'string' && typeof pw.storedKey === 'string' && typeof pw.serverKey === 'string'));
    if (!known) bad(`user "${name}" has a password of an unknown form`);
  }
}

function checkTable(name: string, t: unknown, slices: number, nextTableId: number, ids: Set<number>, bad: (what: string) => never): void {
  const where = `table "${name}"`;
  if (!isObject(t) || t.name !== name) return bad(`${where} has missing or wrong fields`);
  if (!isInt(t.id, 1, nextTableId - 1)) bad(`${where} has id ${JSON.stringify(t.id)}, not an id below nextTableId ${nextTableId}`);
  if (ids.has(t.id as number)) bad(`${where} has id ${t.id}, which another table has too`);
  ids.add(t.id as number);
  if (!Array.isArray(t.columns) || t.columns.length === 0) bad(`${where} has no columns`);
  const columns = new Set<string>();
  const columnIdsSeen = new Set<unknown>();
  for (const col of t.columns as unknown[]) {
    if (!isObject(col) || typeof col.name !== 'string' || !isObject(col.type) || !TYPE_IDS.has(col.type.id as string)) {
      bad(`${where} has a column with missing or wrong fields: ${JSON.stringify(col)}`);
    }
    const cm = col as Record<string, unknown>;
    if (columns.has(cm.name as string)) bad(`${where} has column "${cm.name}" twice`);
    columns.add(cm.name as string);
    if (!ENCODINGS.has(cm.encoding as string)) bad(`${where} column "${cm.name}" has unknown encoding ${JSON.stringify(cm.encoding)}`);
    if (cm.id !== undefined && (!isInt(cm.id, 0) || columnIdsSeen.has(cm.id))) bad(`${where} column "${cm.name}" has id ${JSON.stringify(cm.id)}, not a column id of its own`);
    columnIdsSeen.add(cm.id);
    if (cm.default !== undefined && typeof cm.default !== 'number' && typeof cm.default !== 'string') bad(`${where} column "${cm.name}" has default ${JSON.stringify(cm.default)}`);
  }
  if (!DIST_STYLES.has(t.distStyle as string)) bad(`${where} has unknown distribution style ${JSON.stringify(t.distStyle)}`);
  if (t.distStyle === 'key' ? !columns.has(t.distKey as string) : t.distKey !== null) {
    bad(`${where} has distribution ${JSON.stringify(t.distStyle)} with distribution key ${JSON.stringify(t.distKey)}`);
  }
  if (!Array.isArray(t.sortKey) || !t.sortKey.every((k) => columns.has(k as string))) bad(`${where} has a sort key naming no column of it`);
  if (!isInt(t.version, 1)) bad(`${where} has version ${JSON.stringify(t.version)}`);
  if (!isInt(t.evenCursor, 0, slices - 1)) bad(`${where} has evenCursor ${JSON.stringify(t.evenCursor)}, not a slice of ${slices}`);
  if (!isInt(t.nextSegment, 1)) bad(`${where} has nextSegment ${JSON.stringify(t.nextSegment)}`);
  if (!isInt(t.rows, 0)) bad(`${where} has row count ${JSON.stringify(t.rows)}`);
  if (!Array.isArray(t.segments)) return bad(`${where} has no segment list`);
  const files = new Set<string>();
  let rows = 0;
  for (const s of t.segments as unknown[]) {
    if (!isObject(s) || typeof s.file !== 'string') return bad(`${where} has a segment with missing or wrong fields: ${JSON.stringify(s)}`);
    const seg = `${where} segment ${s.file}`;
    const m = SEGMENT_FILE.exec(s.file);
    if (!m) bad(`${where} names segment file ${JSON.stringify(s.file)}, not a segment file name`);
    if (Number(m![1]) >= (t.nextSegment as number)) bad(`${seg} is numbered at or beyond the table's nextSegment ${t.nextSegment}`);
    if (files.has(s.file)) bad(`${seg} is listed twice`);
    files.add(s.file);
    if (t.distStyle === 'all' ? s.slice !== -1 : !isInt(s.slice, 0, slices - 1)) {
      bad(
        t.distStyle === 'all'
          ? `${seg} is on slice ${JSON.stringify(s.slice)}, but a DISTSTYLE ALL table keeps one copy (slice -1)`
          : `${seg} is on slice ${JSON.stringify(s.slice)}, but the directory has ${slices} slices (0 to ${slices - 1})`,
      );
    }
    if (!isInt(s.rows, 0)) bad(`${seg} has row count ${JSON.stringify(s.rows)}`);
    if (!isInt(s.bytes, 1)) bad(`${seg} has size ${JSON.stringify(s.bytes)}`);
    if (s.columns !== undefined && !(Array.isArray(s.columns) && s.columns.length > 0 && s.columns.every((x) => isInt(x, 0)))) bad(`${seg} has column ids ${JSON.stringify(s.columns)}`);
    if (s.deletes !== undefined) checkDeletes(s.deletes, s.file, s.rows as number, t.nextSegment as number, seg, bad);
    rows += s.rows as number;
  }
  if (rows !== t.rows) bad(`${where} has ${t.rows} rows, but its segments hold ${rows}`);
}

/** A segment's delete vector entry: its file named after the segment, below nextSegment, and fewer deleted rows than the segment has. */
function checkDeletes(d: unknown, segFile: string, segRows: number, nextSegment: number, seg: string, bad: (what: string) => never): void {
  if (!isObject(d) || typeof d.file !== 'string') return bad(`${seg} has a delete vector with missing or wrong fields: ${JSON.stringify(d)}`);
  const m = DELETE_FILE.exec(d.file);
  if (!m || Number(m[1]) !== Number.parseInt(segFile, 10) || Number(m[2]) >= nextSegment) bad(`${seg} names delete vector ${JSON.stringify(d.file)}, not one of its own`);
  if (!isInt(d.rows, 1, segRows - 1)) bad(`${seg} has ${JSON.stringify(d.rows)} deleted rows of ${segRows}`);
}

/** What a catalog says of one segment file: the entry, its table, and the directory's slice count. */
export interface SegmentClaim {
  readonly table: TableMeta;
  readonly segment: SegmentMeta;
  readonly slices: number;
}

const sameType = (a: SqlType, b: SqlType): boolean =>
  a.id === b.id && (a.precision ?? null) === (b.precision ?? null) && (a.scale ?? null) === (b.scale ?? null) && (a.length ?? null) === (b.length ?? null);

/** A file column of type `file` read as `table`: the same type, or a VARCHAR whose length ALTER COLUMN ... TYPE changed since (checked against the values then). */
const readableAs = (file: SqlType, table: SqlType): boolean => sameType(file, table) || (file.id === 'varchar' && table.id === 'varchar');

/**
 * Checks an open segment's footer against the catalog's entry for it; throws
 * CORRUPT naming the file and catalog.json when they disagree. Footer fields
 * that segments written before data format 2 lack are not compared.
 */
export function checkSegment(reader: SegmentReader, claim: SegmentClaim): void {
  const { table, segment, slices } = claim;
  const f = reader.footer;
  const catalogFile = path.join(path.dirname(reader.file), '..', '..', 'catalog.json');
  const bad = (what: string): never => {
    throw new StorageError('CORRUPT', `segment file ${reader.file} does not match the catalog ${catalogFile} (table "${table.name}"): ${what}`);
  };
  if (f.rows !== segment.rows) bad(`the catalog says ${segment.rows} rows, the file holds ${f.rows}`);
  if (reader.size !== segment.bytes) bad(`the catalog says ${segment.bytes} bytes, the file has ${reader.size}`);
  // the file's columns are the table's, or (after ADD/DROP COLUMN) the ones its entry lists (segment-columns.ts)
  const fileIds = fileColumnIds(table, segment);
  if (f.columns.length !== fileIds.length) bad(`the catalog says ${fileIds.length} columns, the file has ${f.columns.length}`);
  const ids = columnIds(table);
  for (let i = 0; i < f.columns.length; i++) {
    const fc = f.columns[i]!;
    const tc = table.columns[ids.indexOf(fileIds[i]!)];
    if (!tc) continue; // dropped since the file was written
    // a column's name is compared until it has an id: RENAME COLUMN gives every column one
    if (tc.id === undefined && fc.name !== tc.name) bad(`column ${i + 1} is "${tc.name}" in the catalog, "${fc.name}" in the file`);
    if (fc.type && !readableAs(fc.type, tc.type)) bad(`column "${tc.name}" is ${JSON.stringify(tc.type)} in the catalog, ${JSON.stringify(fc.type)} in the file`);
  }
  if (f.slice !== undefined && f.slice !== segment.slice) bad(`the catalog places it on slice ${segment.slice}, the file was written for slice ${f.slice}`);
  if (f.slices !== undefined && f.slices !== slices) bad(`the catalog says the directory has ${slices} slices, the file was placed for ${f.slices}`);
  // the file names its key column as it was called when written
  const fileKey = f.distKey ? table.columns[ids.indexOf(fileIds[f.columns.findIndex((c) => c.name === f.distKey)] ?? -1)]?.name ?? f.distKey : null;
  if (f.dist !== undefined && (f.dist !== table.distStyle || fileKey !== (table.distStyle === 'key' ? table.distKey : null))) {
    const show = (style: string, key: string | null | undefined) => (style === 'key' ? `KEY(${key})` : style.toUpperCase());
    bad(`the catalog says distribution ${show(table.distStyle, table.distKey)}, the file was placed by ${show(f.dist, f.distKey)}`);
  }
}
