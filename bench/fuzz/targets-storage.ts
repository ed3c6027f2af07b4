/**
 * Storage fuzz targets: a data directory with a table of every type and
 * encoding (several blocks and segments per slice), a DISTSTYLE ALL table and
 * a view, damaged and then opened and queried.
 *
 *  - segment: random bytes of one segment file flipped, cut, inserted or
 *    zeroed. Block and footer checksums guard everything read, so a query
 *    either fails CORRUPT or gives exactly the undamaged answer.
 *  - segment-forged: damage a checksum cannot see, because the checksums were
 *    recomputed: the footer's JSON edited (offsets, lengths, encodings, counts,
 *    zone maps, types), or a block's bytes changed and its CRC recomputed (the
 *    codecs' decoders fed bytes no encoder wrote), with catalog.json's size for
 *    the file and its checksum updated. Answers may differ (it is a forgery);
 *    crashes may not.
 *  - catalog: catalog.json's bytes damaged (CORRUPT, or the undamaged answer),
 *    or its JSON edited and resealed with a recomputed checksum
 *    (integrity.ts sealCatalog), or the KEEL marker damaged. An edit of a field
 *    that does not bear on answers (generation, timestamps, encodings, AUTO
 *    flags, ...) must leave the answers as they were.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { Database } from '../../engine/index.js';
import type { Catalog } from '../../engine/catalog/catalog.js';
import { sealCatalog } from '../../engine/storage/integrity.js';
import type { Target } from './campaign.js';
import { classify, OK, wrong, type Outcome } from './outcome.js';
import type { Rng } from './rng.js';
import { applyByteOps, randomByteOps, type ByteOp } from './targets-load.js';

const QUERIES = [
  'select * from seg_t',
  'select count(*), sum(a), min(c), max(d), sum(e), max(k), sum(b), min(s), max(h), avg(f) from seg_t',
  'select a, c from seg_t where a between 10 and 20',
  'select g, count(*) from seg_t group by g',
  "select count(*) from seg_t where d >= date '2020-06-01' and c like 'v1%'",
  'select * from seg_all',
  'select * from seg_v',
  'select t.a, u.x from seg_t t join seg_all u on t.a = u.x',
];

const SETUP = [
  `create table seg_t (a integer encode az64, b bigint encode delta, c varchar(20) encode bytedict, d date encode runlength,
     e decimal(12,2) encode raw, f double precision encode zstd, g boolean, h char(3) encode lzo, k timestamp encode delta32k,
     s smallint encode mostly8, z varchar(30)) diststyle even sortkey(a)`,
  `insert into seg_t select i, i * 1000003 - 7, 'v' || (i % 7), date '2020-01-01' + (i / 5) * 30, i * 1.25 - 40,
     case when i % 4 = 0 then null else i / 3.0e0 end, i % 3 = 0, case when i % 5 = 0 then null else 'h' || (i % 2) end,
     dateadd(hour, i, timestamp '2021-01-01 00:00:00'), (i % 50) - 25, repeat('z', i % 30)
     from (select a * 10 + b as i from (values (0),(1),(2),(3),(4),(5),(6)) as x (a), (values (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) as y (b)) as n`,
  'insert into seg_t select a + 100, b, c, d, e, f, g, h, k, s, z from seg_t where a % 3 = 0',
  'create table seg_all (x integer, y varchar(5) encode zstd) diststyle all',
  "insert into seg_all values (1, 'one'), (2, 'two'), (3, null), (null, 'four'), (25, 'tf')",
  'create view seg_v as select a, c, g from seg_t where s > 0',
];

export interface StorageContext {
  readonly work: string;
  readonly pristine: string;
  readonly dir: string;
  /** Segment files of the pristine directory, relative to it. */
  readonly segments: readonly string[];
  /** The undamaged answer of each query, as sorted JSON rows. */
  readonly reference: readonly string[];
}

function answer(rows: readonly unknown[][]): string {
  return JSON.stringify(rows.map((r) => JSON.stringify(r)).sort());
}

async function setupStorage(work: string): Promise<StorageContext> {
  const pristine = path.join(work, 'pristine');
  const dir = path.join(work, 'db');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const db = await Database.open(pristine, { slices: 2, blockRows: 8, workers: 0 });
  await db.execute(SETUP.join(';\n'));
  const reference: string[] = [];
  for (const q of QUERIES) reference.push(answer((await db.query(q)).rows()));
  const catalog = db.catalog();
  db.close();
  const segments = Object.values(catalog.tables).flatMap((t) => t.segments.map((s) => path.join('tables', String(t.id), s.file)));
  return { work, pristine, dir, segments, reference };
}

/** Opens the damaged copy and runs every query: the worst outcome, each answer compared when `compare`. */
async function openAndQuery(ctx: StorageContext, compare: boolean): Promise<{ outcome: Outcome; checked: boolean }> {
  let db: Database;
  try {
    db = await Database.open(ctx.dir, { workers: 0, create: false });
  } catch (e) {
    return { outcome: classify(e), checked: false };
  }
  let first: Outcome | null = null;
  let checked = false;
  try {
    for (let i = 0; i < QUERIES.length; i++) {
      let o: Outcome;
      try {
        const rows = (await db.query(QUERIES[i]!)).rows();
        o = OK;
        if (compare) {
          checked = true;
          if (answer(rows) !== ctx.reference[i]) o = wrong('damaged storage read as data', `${QUERIES[i]}: ${answer(rows).slice(0, 300)} instead of ${ctx.reference[i]!.slice(0, 300)}`);
        }
      } catch (e) {
        o = classify(e);
      }
      if (o.kind === 'crash' || o.kind === 'wrong') return { outcome: o, checked };
      if (first === null || (first.kind === 'ok' && o.kind === 'error')) first = o;
    }
  } finally {
    db.close();
  }
  return { outcome: first ?? OK, checked };
}

function freshCopy(ctx: StorageContext): void {
  fs.rmSync(ctx.dir, { recursive: true, force: true });
  fs.cpSync(ctx.pristine, ctx.dir, { recursive: true });
}

// ------------------------------------------------------------------ JSON edits

type JsonPath = readonly (string | number)[];
export type JsonOp =
  | { readonly op: 'set'; readonly path: JsonPath; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: JsonPath }
  | { readonly op: 'add'; readonly path: JsonPath; readonly delta: number }
  | { readonly op: 'dup'; readonly path: JsonPath };

const WEIRD: readonly unknown[] = [
  -1, 0, 1, 2, 7, 2 ** 31, 2 ** 32 + 5, 2 ** 53, 1e308, -1e308, 0.5, 1e-300, '', 'x', 'raw', 'dict', 'rle', 'delta', 'for', 'zstd', 'auto', 'bogus',
  null, true, false, [], {}, 'varchar', 'key', 'all', 'even', 'interleaved', { id: 'integer' }, { id: 'varchar', length: 3 }, { id: 'decimal', precision: 100, scale: 50 },
  { id: 'char' }, { id: 'date' }, 'x'.repeat(3000), '../../../etc/passwd', '000001.seg', 'tables/1/000001.seg', [1, 2, 3], { a: 1 }, '\u0000', -0,
];

function pathsOf(v: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

function getAt(root: unknown, p: JsonPath): unknown {
  let v = root;
  for (const k of p) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[k];
  return v;
}

export function randomJsonOps(rng: Rng, doc: unknown, count = 1 + rng.small(2)): JsonOp[] {
  const paths = pathsOf(doc);
  const ops: JsonOp[] = [];
  for (let i = 0; i < count && paths.length; i++) {
    const p = rng.pick(paths);
    const v = getAt(doc, p);
    const kind = rng.weighted({ set: 6, delete: 1, add: typeof v === 'number' ? 4 : 0, dup: 1 });
    if (kind === 'set') ops.push({ op: 'set', path: p, value: rng.pick(WEIRD) });
    else if (kind === 'delete') ops.push({ op: 'delete', path: p });
    else if (kind === 'add') ops.push({ op: 'add', path: p, delta: rng.pick([1, -1, 2, -2, 100, -100, 8, 4096, -4096]) });
    else ops.push({ op: 'dup', path: p });
  }
  return ops;
}

export function applyJsonOps<T>(doc: T, ops: readonly JsonOp[]): T {
  const root = structuredClone(doc) as unknown;
  for (const o of ops) {
    const parent = getAt(root, o.path.slice(0, -1));
    const key = o.path[o.path.length - 1]!;
    if (parent === null || typeof parent !== 'object') continue;
    const obj = parent as Record<string | number, unknown>;
    if (!(key in obj)) continue;
    switch (o.op) {
      case 'set':
        obj[key] = structuredClone(o.value);
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete obj[key];
        break;
      case 'add':
        if (typeof obj[key] === 'number') obj[key] = (obj[key] as number) + o.delta;
        break;
      case 'dup':
        if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
        else obj[`${key}`] = structuredClone(obj[key]);
        break;
    }
  }
  return root as T;
}

// ------------------------------------------------------------------ segment files

const TAIL = Buffer.from('KSEGEND1');

interface SegmentParts {
  readonly data: Buffer;
  readonly footer: { rows: number; columns: { name: string; blocks: { offset: number; length: number; nullBytes: number; crc: number; encoding: string }[] }[] } & Record<string, unknown>;
}

function splitSegment(file: Buffer): SegmentParts {
  const footerLength = file.readUInt32LE(file.length - 16);
  const footerStart = file.length - 16 - footerLength;
  return { data: file.subarray(0, footerStart), footer: JSON.parse(file.subarray(footerStart, file.length - 16).toString('utf8')) };
}

function joinSegment(data: Buffer, footer: unknown): Buffer {
  const f = Buffer.from(JSON.stringify(footer));
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(f.length, 0);
  trailer.writeUInt32LE(crc32(f), 4);
  return Buffer.concat([data, f, trailer, TAIL]);
}

/** Rewrites the catalog with a file's new size (and the edits `more` makes), resealed. */
function resealCatalog(dir: string, relFile: string | null, bytes: number | null, more: (c: Catalog) => Catalog = (c) => c): void {
  const file = path.join(dir, 'catalog.json');
  const text = fs.readFileSync(file, 'utf8');
  const body = JSON.parse(text) as Catalog & { checksum?: string };
  let c: Catalog = body;
  if (relFile !== null && bytes !== null) {
    const [, id, seg] = relFile.split(path.sep);
    const tables = Object.fromEntries(
      Object.entries(c.tables).map(([n, t]) => [n, String(t.id) === id ? { ...t, segments: t.segments.map((s) => (s.file === seg ? { ...s, bytes } : s)) } : t]),
    );
    c = { ...c, tables };
  }
  fs.writeFileSync(file, sealCatalog(more(c)));
}

export interface SegmentInput {
  readonly segment: number;
  readonly ops: readonly ByteOp[];
}

export const segmentTarget: Target<StorageContext, SegmentInput> = {
  kind: 'segment',
  setup: (work) => setupStorage(work),
  generate: (rng, ctx) => ({ segment: rng.int(0, ctx.segments.length - 1), ops: randomByteOps(rng) }),
  async run(ctx, input) {
    freshCopy(ctx);
    const file = path.join(ctx.dir, ctx.segments[input.segment]!);
    fs.writeFileSync(file, applyByteOps(fs.readFileSync(file), input.ops));
    return openAndQuery(ctx, true);
  },
  show: (i) => `segment ${i.segment} with ${JSON.stringify(i.ops)}`,
  parts: (input) => ({ items: input.ops, rebuild: (items) => ({ ...input, ops: items as ByteOp[] }) }),
  async teardown() {},
};

export interface ForgedSegmentInput {
  readonly segment: number;
  /** Footer edits, or (block) the block whose bytes change, with their edits. */
  readonly footer: readonly JsonOp[];
  readonly block: { readonly column: number; readonly block: number; readonly ops: readonly ByteOp[] } | null;
}

export const forgedSegmentTarget: Target<StorageContext, ForgedSegmentInput> = {
  kind: 'segment-forged',
  setup: (work) => setupStorage(work),
  generate(rng, ctx) {
    const segment = rng.int(0, ctx.segments.length - 1);
    const { footer } = splitSegment(fs.readFileSync(path.join(ctx.pristine, ctx.segments[segment]!)));
    if (rng.chance(0.5)) return { segment, footer: randomJsonOps(rng, footer), block: null };
    const column = rng.int(0, footer.columns.length - 1);
    const blocks = footer.columns[column]!.blocks;
    const block = rng.int(0, Math.max(0, blocks.length - 1));
    // flips and overwrites keep the block's length; cuts and insertions change it (the footer follows)
    return { segment, footer: [], block: { column, block, ops: randomByteOps(rng) } };
  },
  async run(ctx, input) {
    freshCopy(ctx);
    const rel = ctx.segments[input.segment]!;
    const file = path.join(ctx.dir, rel);
    const { data, footer } = splitSegment(fs.readFileSync(file));
    let bytes: Buffer;
    if (input.block) {
      const meta = footer.columns[input.block.column]?.blocks[input.block.block];
      if (!meta) return { outcome: OK };
      const before = data.subarray(0, meta.offset);
      const block = applyByteOps(data.subarray(meta.offset, meta.offset + meta.length), input.block.ops);
      const after = data.subarray(meta.offset + meta.length);
      const shift = block.length - meta.length;
      for (const c of footer.columns) for (const b of c.blocks) if (b.offset > meta.offset) b.offset += shift;
      meta.length = block.length;
      meta.nullBytes = Math.min(meta.nullBytes, block.length);
      meta.crc = crc32(block.subarray(meta.nullBytes), crc32(block.subarray(0, meta.nullBytes)));
      bytes = joinSegment(Buffer.concat([before, block, after]), footer);
    } else bytes = joinSegment(data, applyJsonOps(footer, input.footer));
    fs.writeFileSync(file, bytes);
    resealCatalog(ctx.dir, rel, bytes.length);
    return openAndQuery(ctx, false);
  },
  show: (i) => `segment ${i.segment}: ${i.block ? `column ${i.block.column} block ${i.block.block} bytes ${JSON.stringify(i.block.ops)}, CRC recomputed` : `footer edits ${JSON.stringify(i.footer)}`}`,
  parts: (input) =>
    input.block
      ? { items: input.block.ops, rebuild: (items) => ({ ...input, block: { ...input.block!, ops: items as ByteOp[] } }) }
      : { items: input.footer, rebuild: (items) => ({ ...input, footer: items as JsonOp[] }) },
  async teardown() {},
};

// ------------------------------------------------------------------ catalog.json and the marker

/** Catalog fields whose value bears on no answer: an edit of only these must leave the answers alone. */
const HARMLESS = new Set(['generation', 'modifiedAt', 'encoding', 'encodingExplicit', 'distAuto', 'distPinned', 'sortAuto', 'autoAllMaxRows', 'blockRows', 'retired', 'nextSegment', 'nextTableId', 'version', 'evenCursor', 'at']);

export interface CatalogInput {
  readonly mode: 'bytes' | 'json' | 'marker';
  readonly bytes: readonly ByteOp[];
  readonly json: readonly JsonOp[];
}

export const catalogTarget: Target<StorageContext, CatalogInput> = {
  kind: 'catalog',
  setup: (work) => setupStorage(work),
  generate(rng, ctx) {
    const mode = rng.weighted({ bytes: 3, json: 6, marker: 1 });
    if (mode !== 'json') return { mode, bytes: randomByteOps(rng), json: [] };
    const catalog = JSON.parse(fs.readFileSync(path.join(ctx.pristine, 'catalog.json'), 'utf8')) as Record<string, unknown>;
    delete catalog.checksum;
    return { mode, bytes: [], json: randomJsonOps(rng, catalog) };
  },
  async run(ctx, input) {
    freshCopy(ctx);
    if (input.mode === 'marker') {
      const file = path.join(ctx.dir, 'KEEL');
      fs.writeFileSync(file, applyByteOps(fs.readFileSync(file), input.bytes));
      return openAndQuery(ctx, true);
    }
    const file = path.join(ctx.dir, 'catalog.json');
    if (input.mode === 'bytes') {
      fs.writeFileSync(file, applyByteOps(fs.readFileSync(file), input.bytes));
      return openAndQuery(ctx, true);
    }
    resealCatalog(ctx.dir, null, null, (c) => applyJsonOps(c, input.json));
    const harmless = input.json.every((o) => o.op !== 'dup' && o.op !== 'delete' && o.path.some((k) => typeof k === 'string' && HARMLESS.has(k)));
    return openAndQuery(ctx, harmless);
  },
  show: (i) => (i.mode === 'json' ? `catalog.json edited and resealed: ${JSON.stringify(i.json)}` : `${i.mode === 'marker' ? 'KEEL marker' : 'catalog.json'} bytes ${JSON.stringify(i.bytes)}`),
  parts: (input) =>
    input.mode === 'json'
      ? { items: input.json, rebuild: (items) => ({ ...input, json: items as JsonOp[] }) }
      : { items: input.bytes, rebuild: (items) => ({ ...input, bytes: items as ByteOp[] }) },
  async teardown() {},
};
