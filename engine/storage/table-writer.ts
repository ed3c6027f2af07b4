/**
 * Writes rows into a table's slices: places each row by the distribution style,
 * buffers per slice, sorts each slice's rows by the sort key (compound: column
 * by column; interleaved: by z-value, zorder.ts) and writes them as segment
 * files cut into blocks.
 *
 * Memory stays bounded: when the buffered rows pass MEMORY_BUDGET, every slice's
 * buffer is sorted and written as a run; at the end, a slice with several runs is
 * merged into one sorted segment. The writer only creates files; the caller makes
 * them visible with one catalog commit (and removes them on failure).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch, ColumnDef, Vector } from '../types.js';
import { physicalKind } from '../types.js';
import type { ColumnMeta, DistStyle, SegmentMeta } from '../catalog/catalog.js';
import { ColumnBuilder } from './vectors.js';
import { SegmentReader, SegmentWriter, type SegmentColumn, type SegmentPlacement } from './segment.js';
import { hashInt32, hashNumber, hashString, NULL_HASH } from './hash.js';
import { sortByZ, ZOrder, zKindOf, type ZRange } from './zorder.js';

/** Bytes of buffered rows after which runs are spilled; keeps a load's peak RSS well under 2 GB. */
const MEMORY_BUDGET = 384 * 1024 * 1024;

export interface WriterLayout {
  readonly columns: readonly ColumnMeta[];
  readonly distStyle: DistStyle;
  readonly distKey: string | null;
  readonly sortKey: readonly string[];
  /** How the sort key orders rows; absent: compound. */
  readonly sortStyle?: 'compound' | 'interleaved';
  readonly slices: number;
  readonly blockRows: number;
  /** Where round-robin placement continues. */
  readonly evenCursor: number;
}

export interface WrittenSegments {
  readonly segments: SegmentMeta[];
  readonly rows: number;
  readonly evenCursor: number;
  readonly nextSegment: number;
}

/** Slice of every row of a batch by the hash of the key vector. */
export function hashSlices(v: Vector, slices: number, out: Uint32Array): void {
  const n = v.length;
  const nulls = v.nulls;
  switch (v.kind) {
    case 'i32': {
      const x = v.values;
      for (let i = 0; i < n; i++) out[i] = (nulls && nulls[i] ? NULL_HASH : hashInt32(x[i]!)) % slices;
      return;
    }
    case 'f64': {
      const x = v.values;
      for (let i = 0; i < n; i++) out[i] = (nulls && nulls[i] ? NULL_HASH : hashNumber(x[i]!)) % slices;
      return;
    }
    case 'bool': {
      const x = v.values;
      for (let i = 0; i < n; i++) out[i] = (nulls && nulls[i] ? NULL_HASH : hashInt32(x[i]!)) % slices;
      return;
    }
    case 'str': {
      // Hash each dictionary entry once, then look codes up.
      const dictHash = new Uint32Array(v.dict.length);
      for (let d = 0; d < v.dict.length; d++) dictHash[d] = hashString(v.dict[d]!) % slices;
      const codes = v.codes;
      for (let i = 0; i < n; i++) out[i] = nulls && nulls[i] ? NULL_HASH % slices : dictHash[codes[i]!]!;
      return;
    }
  }
}

class SliceBuffer {
  builders: ColumnBuilder[];
  constructor(readonly defs: readonly ColumnDef[]) {
    this.builders = defs.map((d) => new ColumnBuilder(physicalKind(d.type)));
  }
  get rows(): number {
    return this.builders[0]!.length;
  }
  reset(): void {
    this.builders = this.defs.map((d) => new ColumnBuilder(physicalKind(d.type)));
  }
}

export interface WriterOptions {
  /**
   * Write a slice's buffered rows as a sorted run as soon as it holds this many,
   * instead of when all buffers pass the memory budget. A background rewrite
   * sets it so that no single step (one sort, one run written) keeps the event
   * loop for long; the runs are merged at the end as usual. The caller must
   * then run spillFull() after every add().
   */
  readonly runRows?: number;
  /**
   * Known value ranges of the sort key's columns, in key order (a rewrite
   * passes the old version's zone maps): an interleaved key's z-order
   * mapping is set from them and the first rows sorted, so it needs no
   * widening for values the table already held.
   */
  readonly keyRanges?: readonly (ZRange | null)[];
}

/** Runs a step generator to its end and returns its result. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export class TableWriter {
  private readonly buffers: SliceBuffer[];
  /** Runs written so far, per slice (slot 0 only for ALL). */
  private readonly runs: SegmentMeta[][];
  private readonly sortIdx: number[];
  /** The z-order mapping of an interleaved key (one for the whole write, so its runs merge), else null. */
  private readonly zorder: ZOrder | null;
  private readonly keyIdx: number;
  private evenCursor: number;
  private rowsAdded = 0;
  private nextSegment: number;
  private readonly created: string[] = [];
  private sliceOf = new Uint32Array(0);
  /** A batch's row positions grouped by slice; where each slice's group starts (slices + 1 entries); the next free place of each. */
  private selection = new Uint32Array(0);
  private readonly sliceStarts: Uint32Array;
  private readonly sliceNext: Uint32Array;
  private bytesDone = 0;
  private openWriter: SegmentWriter | null = null;
  /** The first directory this writer's mkdir created (the table's folder on its first write), removed again by abort(). */
  private readonly madeFolder: string | undefined;

  constructor(
    private readonly folder: string,
    private readonly layout: WriterLayout,
    firstSegment: number,
    private readonly options: WriterOptions = {},
  ) {
    this.madeFolder = fs.mkdirSync(folder, { recursive: true });
    const physicalSlices = layout.distStyle === 'all' ? 1 : layout.slices;
    this.buffers = Array.from({ length: physicalSlices }, () => new SliceBuffer(layout.columns));
    this.runs = Array.from({ length: physicalSlices }, () => []);
    this.sortIdx = layout.sortKey.map((k) => layout.columns.findIndex((c) => c.name === k));
    this.zorder =
      layout.sortStyle === 'interleaved' && this.sortIdx.length > 0
        ? new ZOrder(this.sortIdx.map((i) => zKindOf(layout.columns[i]!.type)), options.keyRanges ?? [])
        : null;
    this.keyIdx = layout.distKey ? layout.columns.findIndex((c) => c.name === layout.distKey) : -1;
    this.evenCursor = layout.evenCursor;
    this.nextSegment = firstSegment;
    this.sliceStarts = new Uint32Array(layout.slices + 1);
    this.sliceNext = new Uint32Array(layout.slices);
  }

  /** Files this writer created (for cleanup when the write is abandoned). */
  get files(): readonly string[] {
    return this.created;
  }

  /** Encoded bytes written to disk so far (runs and merged segments alike). */
  get bytesWritten(): number {
    return this.bytesDone + (this.openWriter?.bytes ?? 0);
  }

  /** Rows added so far. */
  get rows(): number {
    return this.rowsAdded;
  }

  /** The interleaved key's z-order mapping as it stands (final once finish() returned), or null for other keys. */
  get zOrder(): ZOrder | null {
    return this.zorder;
  }

  add(batch: Batch): void {
    const n = batch.length;
    if (n === 0) return;
    const { distStyle, slices } = this.layout;
    if (distStyle === 'all') {
      const b = this.buffers[0]!;
      for (let c = 0; c < batch.columns.length; c++) b.builders[c]!.append(batch.columns[c]!);
    } else {
      if (this.sliceOf.length < n) this.sliceOf = new Uint32Array(n);
      const sliceOf = this.sliceOf;
      if (distStyle === 'key') {
        hashSlices(batch.columns[this.keyIdx]!, slices, sliceOf);
      } else {
        let s = this.evenCursor;
        for (let i = 0; i < n; i++) {
          sliceOf[i] = s;
          s = s + 1 === slices ? 0 : s + 1;
        }
        this.evenCursor = s;
      }
      // Each slice's rows of the batch, in order, as one selection (a counting sort by slice), appended at once:
      // neighbouring rows go to different slices, and a copy per row and column was most of an UPDATE's time.
      if (this.selection.length < n) this.selection = new Uint32Array(n);
      const sel = this.selection;
      const starts = this.sliceStarts;
      starts.fill(0);
      for (let i = 0; i < n; i++) starts[sliceOf[i]! + 1]!++;
      for (let s = 0; s < slices; s++) starts[s + 1]! += starts[s]!;
      const next = this.sliceNext;
      next.set(starts.subarray(0, slices));
      for (let i = 0; i < n; i++) sel[next[sliceOf[i]!]!++] = i;
      for (let s = 0; s < slices; s++) {
        const from = starts[s]!;
        const to = starts[s + 1]!;
        if (from === to) continue;
        const b = this.buffers[s]!;
        for (let c = 0; c < batch.columns.length; c++) b.builders[c]!.appendSelected(batch.columns[c]!, sel, from, to);
      }
    }
    this.rowsAdded += n;
    // with runRows the caller writes full runs in steps (spillFull); else spill here when memory runs short
    if (this.options.runRows === undefined && this.bufferedBytes() > MEMORY_BUDGET) this.spill();
  }

  /** With runRows: writes every slice buffer that holds a full run, pausing after each block. */
  *spillFull(): Generator<void, void> {
    const runRows = this.options.runRows;
    if (runRows === undefined) return;
    for (let s = 0; s < this.buffers.length; s++) {
      if (this.buffers[s]!.rows >= runRows) {
        yield;
        yield* this.spillSlice(s, true);
      }
    }
  }

  private bufferedBytes(): number {
    let total = 0;
    for (const b of this.buffers) for (const col of b.builders) total += col.bytes();
    return total;
  }

  private newFile(): string {
    const name = `${String(this.nextSegment++).padStart(6, '0')}.seg`;
    this.created.push(path.join(this.folder, name));
    return name;
  }

  private columnsToWrite(): SegmentColumn[] {
    return this.layout.columns.map((c) => ({ name: c.name, encoding: c.encoding, type: c.type }));
  }

  /** What the footer of a segment of slice buffer `s` records of its placement. */
  private placement(s: number): SegmentPlacement {
    const { distStyle, distKey, slices } = this.layout;
    return { slice: distStyle === 'all' ? -1 : s, slices, dist: distStyle, distKey: distStyle === 'key' ? distKey : null };
  }

  /** Sorts every slice buffer and writes it as a run. */
  private spill(): void {
    for (let s = 0; s < this.buffers.length; s++) drain(this.spillSlice(s, true));
  }

  /**
   * Sorts one slice's buffer and writes it as a run, pausing after each block.
   * With `wholeBlocks`, an unsorted run (which stays a segment of its own, not
   * merged) takes only whole blocks and the rest waits for the next run, so a
   * table written in many runs has as many blocks as one written at once.
   */
  private *spillSlice(s: number, wholeBlocks = false): Generator<void, void> {
    const buf = this.buffers[s]!;
    const blockRows = this.layout.blockRows;
    const sorted = this.sortIdx.length > 0;
    const rows = wholeBlocks && !sorted ? buf.rows - (buf.rows % blockRows) : buf.rows;
    if (rows === 0) return;
    const order = sorted ? this.sortOrder(buf) : undefined;
    const name = this.newFile();
    const writer = (this.openWriter = new SegmentWriter(path.join(this.folder, name), this.columnsToWrite(), this.placement(s)));
    // the buffer takes new rows at once (after the rows this run leaves behind); this run is written from the builders it had
    const builders = buf.builders;
    const left = buf.rows > rows ? builders.map((b) => b.build(undefined, rows, b.length)) : null;
    buf.reset();
    if (left) left.forEach((v, c) => buf.builders[c]!.append(v));
    for (let from = 0; from < rows; from += blockRows) {
      const to = Math.min(rows, from + blockRows);
      writer.writeBlock(builders.map((b) => b.build(order, from, to)));
      yield;
    }
    const { bytes } = writer.finish();
    this.openWriter = null;
    this.bytesDone += bytes;
    this.runs[s]!.push({ file: name, slice: this.placement(s).slice, rows, bytes });
  }

  private sortOrder(buf: SliceBuffer): Uint32Array {
    const order = new Uint32Array(buf.rows);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.zorder) {
      const keys = this.keyVectors(buf);
      // the first sort sets the mapping from every row buffered so far (all slices): the widest view it will get before runs exist
      if (!this.zorder.ready) this.zorder.cover(this.buffers.filter((b) => b.rows > 0 && b !== buf).map((b) => this.keyVectors(b)).concat([keys]));
      else this.zorder.cover([keys]);
      sortByZ(order, this.zorder.zValues(keys));
      return order;
    }
    const cmps = this.sortIdx.map((i) => buf.builders[i]!.comparator());
    if (cmps.length === 1) order.sort(cmps[0]!);
    else
      order.sort((a, b) => {
        for (let k = 0; k < cmps.length; k++) {
          const r = cmps[k]!(a, b);
          if (r !== 0) return r;
        }
        return a - b;
      });
    return order;
  }

  private keyVectors(buf: SliceBuffer): Vector[] {
    return this.sortIdx.map((i) => buf.builders[i]!.build());
  }

  /** Writes what is buffered, merges multi-run slices, and returns the new segments. */
  finish(): WrittenSegments {
    return drain(this.finishSteps());
  }

  /** finish() in steps: it pauses after every block written, for a caller that yields to the event loop between. */
  *finishSteps(): Generator<void, WrittenSegments> {
    for (let s = 0; s < this.buffers.length; s++) yield* this.spillSlice(s);
    const segments: SegmentMeta[] = [];
    for (let s = 0; s < this.runs.length; s++) {
      const runs = this.runs[s]!;
      if (runs.length > 1 && this.sortIdx.length > 0) segments.push(yield* this.merge(runs, s));
      else segments.push(...runs);
    }
    return { segments, rows: this.rowsAdded, evenCursor: this.evenCursor, nextSegment: this.nextSegment };
  }

  /** K-way merge of sorted runs of one slice into one sorted segment, block by block. */
  private *merge(runs: SegmentMeta[], slice: number): Generator<void, SegmentMeta> {
    const { columns, blockRows } = this.layout;
    const kinds = columns.map((c) => physicalKind(c.type));
    const readers = runs.map((r) => SegmentReader.open(path.join(this.folder, r.file)));
    const blockCounts = readers.map((r) => r.footer.columns[0]?.blocks.length ?? 0);
    const current: (Vector[] | null)[] = readers.map(() => null);
    // interleaved: each loaded block's z-values under the write's final mapping, which every run was sorted compatibly with
    const zs: Float64Array[] = readers.map(() => new Float64Array(0));
    const zorder = this.zorder;
    const blockNo = readers.map(() => -1);
    const pos = readers.map(() => 0);
    const load = (r: number): boolean => {
      blockNo[r]!++;
      if (blockNo[r]! >= blockCounts[r]!) {
        current[r] = null;
        return false;
      }
      const cols = kinds.map((k, c) => readers[r]!.readBlock(c, blockNo[r]!, k));
      current[r] = cols;
      if (zorder) zs[r] = zorder.zValues(this.sortIdx.map((k) => cols[k]!));
      pos[r] = 0;
      return true;
    };
    for (let r = 0; r < readers.length; r++) load(r);
    /** Row i of run ra against row j of run rb; ties go to the earlier run, so the merge is stable. */
    const compareAt = (ra: number, i: number, rb: number, j: number): number => {
      if (zorder) return zs[ra]![i]! - zs[rb]![j]! || ra - rb;
      const a = current[ra]!;
      const b = current[rb]!;
      for (const k of this.sortIdx) {
        const c = compareValues(a[k]!, i, b[k]!, j);
        if (c !== 0) return c;
      }
      return ra - rb;
    };
    const name = this.newFile();
    const writer = (this.openWriter = new SegmentWriter(path.join(this.folder, name), this.columnsToWrite(), this.placement(slice)));
    let out = columns.map((c) => new ColumnBuilder(physicalKind(c.type), blockRows));
    let total = 0;
    try {
      for (;;) {
        let best = -1;
        let second = -1;
        for (let r = 0; r < readers.length; r++) {
          if (!current[r]) continue;
          if (best < 0 || compareAt(r, pos[r]!, best, pos[best]!) < 0) {
            second = best;
            best = r;
          } else if (second < 0 || compareAt(r, pos[r]!, second, pos[second]!) < 0) second = r;
        }
        if (best < 0) break;
        const cols = current[best]!;
        const p = pos[best]!;
        // take every row of the best run that still sorts before the other runs' heads, in one append
        const limit = Math.min(cols[0]!.length, p + blockRows - out[0]!.length);
        let end = p + 1;
        if (second < 0) end = limit;
        else while (end < limit && compareAt(best, end, second, pos[second]!) < 0) end++;
        for (let c = 0; c < cols.length; c++) out[c]!.append(cols[c]!, p, end);
        total += end - p;
        if (out[0]!.length === blockRows) {
          writer.writeBlock(out.map((b) => b.build()));
          out = columns.map((c) => new ColumnBuilder(physicalKind(c.type), blockRows));
          yield;
        }
        pos[best] = end;
        if (end >= cols[0]!.length) load(best);
      }
    } finally {
      for (const r of readers) r.close();
    }
    if (out[0]!.length > 0) writer.writeBlock(out.map((b) => b.build()));
    const { bytes } = writer.finish();
    this.openWriter = null;
    this.bytesDone += bytes;
    for (const r of runs) fs.rmSync(path.join(this.folder, r.file), { force: true });
    return { file: name, slice: this.placement(slice).slice, rows: total, bytes };
  }

  /** Removes every file this writer created, and the folders it created when they are empty again: a discarded write leaves no trace. */
  abort(): void {
    this.openWriter?.abort();
    this.openWriter = null;
    for (const f of this.created) fs.rmSync(f, { force: true });
    if (this.madeFolder === undefined) return;
    for (let d = this.folder; ; d = path.dirname(d)) {
      try {
        fs.rmdirSync(d);
      } catch {
        return; // not empty (another writer's files), or gone
      }
      if (path.resolve(d) === path.resolve(this.madeFolder)) return;
    }
  }
}

/** Compares row i of a with row j of b (same kind), NULLs first. */
function compareValues(a: Vector, i: number, b: Vector, j: number): number {
  const an = a.nulls ? a.nulls[i]! : 0;
  const bn = b.nulls ? b.nulls[j]! : 0;
  if (an || bn) return bn - an;
  if (a.kind === 'str') {
    const x = a.dict[a.codes[i]!]!;
    const y = (b as typeof a).dict[(b as typeof a).codes[j]!]!;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.values[i]! - (b as typeof a).values[j]!;
}

