/**
 * The workload log's files in a data directory (layout.ts): reading raw
 * segments and compacted chunks, and compaction with retention.
 *
 * Readers take no lock. They list the raw segments first, then read the
 * manifest, then the files both name; compaction writes new chunks, commits a
 * new manifest (naming the segments it consumed), and only then deletes the
 * consumed segments and replaced chunks. A reader that races a compaction
 * finds a file gone and starts over, so it sees each record exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { concatParts, PartBuilder, recordsOf, rowsByStart, takeRows, type WorkloadPart } from './columns.js';
import { CHUNK_TABLES, chunkFile, readChunk, writeChunk } from './arrow-chunk.js';
import { FRAME_HEADER_BYTES, HEADER_BYTES, headerFormat, payloadTag, scanFrames } from './frame.js';
import { SegmentPartBuilder } from './segment-part.js';
import { chunkDir, fsyncDir, listSegments, manifestPath, mkdirDurable, processAlive, rawDir, workloadDir, writeFileAtomic, type SegmentFile } from './layout.js';
import { recordProblem, type EncodedRecord } from './codec.js';
import type { LogRecord } from './record.js';
import { flushWriters } from './segment-writer.js';

export interface Retention {
  /** Records older than this are dropped at compaction (default 30 days). */
  maxAgeDays: number;
  /** Compacted records beyond this size are dropped, oldest first (default 1 GiB). */
  maxBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxAgeDays: 30, maxBytes: 1024 * 1024 * 1024 };

export interface ChunkInfo {
  readonly stem: string;
  readonly records: number;
  readonly minStartMs: number;
  readonly maxStartMs: number;
  readonly bytes: number;
}

export interface Manifest {
  readonly format: 1;
  readonly nextChunk: number;
  readonly chunks: readonly ChunkInfo[];
  /** Segments whose records are in the chunks; deleted after the commit, ignored by readers if still there. */
  readonly consumed: readonly string[];
  readonly retention: Retention | null;
}

const EMPTY_MANIFEST: Manifest = { format: 1, nextChunk: 1, chunks: [], consumed: [], retention: null };

export type Warn = (message: string) => void;

export const stderrWarn: Warn = (m) => process.stderr.write(`keel: warning: workload log: ${m}\n`);

export interface StoreOptions {
  warn?: Warn;
}

export interface ReadOptions {
  /** Only records that started at or after this time (ms since the epoch). parts() skips the chunks that end before it; records() skips each record. */
  sinceMs?: number;
  /** Only records that started at or before this time (ms since the epoch), the same way. */
  untilMs?: number;
}

export interface CompactOptions {
  /** Retention to apply and remember for this directory (default: the remembered one, else DEFAULT_RETENTION). */
  retention?: Partial<Retention>;
  /** Records per chunk (default 100,000). */
  chunkRecords?: number;
  /** "Now", for tests of age retention. */
  nowMs?: number;
}

export interface CompactResult {
  readonly segments: number;
  readonly records: number;
  readonly droppedByAge: number;
  readonly droppedBySize: number;
  readonly chunks: number;
  readonly totalRecords: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

interface SegmentCache {
  /** Offset after the last whole frame read so far. */
  end: number;
  /** The segment's format (frame.ts): 1 JSON records, 2 binary, 3 binary with each SQL text once. */
  format: number;
  builder: PartBuilder | SegmentPartBuilder;
  part: WorkloadPart | null;
}

const EMPTY_PART = new PartBuilder().build();

/** The largest read buffer a store keeps for the next read: a segment is rotated at 16 MiB. */
const MAX_KEPT_READ_BUFFER = 32 * 1024 * 1024;

/** Reads into all of `buf` from `position`, or up to the end of the file; returns the bytes read. */
function readFully(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** A file's size; 0 when it is gone. */
function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class WorkloadStore {
  readonly warn: Warn;
  private readonly warned = new Set<string>();
  private readonly segments = new Map<string, SegmentCache>();
  private readonly chunks = new Map<string, WorkloadPart>();
  private scratch: Buffer = Buffer.alloc(0);

  constructor(
    readonly dataDir: string,
    options: StoreOptions = {},
  ) {
    this.warn = options.warn ?? stderrWarn;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }

  readManifest(): Manifest {
    let text: string;
    try {
      text = fs.readFileSync(manifestPath(this.dataDir), 'utf8');
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException)?.code === 'ENOTDIR') return EMPTY_MANIFEST;
      throw e;
    }
    try {
      const m = JSON.parse(text) as Manifest;
      if (m.format !== 1 || !Array.isArray(m.chunks)) throw new Error('unknown format');
      return m;
    } catch {
      this.warnOnce('manifest', `${manifestPath(this.dataDir)} is damaged; compacted records are not read (raw segments still are)`);
      return EMPTY_MANIFEST;
    }
  }

  // ------------------------------------------------------------ reading

  /** The records as columnar parts: compacted chunks first, then raw segments. */
  parts(options: ReadOptions = {}): WorkloadPart[] {
    // a chunk reads its tables' files on first use: read them all here, where a file gone means starting over
    return this.read((parts) => {
      for (const p of parts) void [p.scans, p.predicates, p.joins];
      return parts;
    }, options);
  }

  /**
   * Runs `fn` over the parts. Starts over when a file disappears under it: a
   * compaction in another process consumed a segment or replaced a chunk
   * after this reader listed them.
   */
  read<T>(fn: (parts: WorkloadPart[]) => T, options: ReadOptions = {}): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn(this.readParts(options));
      } catch (e) {
        if (!isMissing(e) || attempt >= 20) throw e;
        this.chunks.clear();
      }
    }
  }

  /** The records themselves (chunks first, then segments in creation order). */
  *records(options: ReadOptions = {}): Generator<LogRecord> {
    const since = options.sinceMs ?? -Infinity;
    const until = options.untilMs ?? Infinity;
    const bounded = options.sinceMs !== undefined || options.untilMs !== undefined;
    for (const part of this.parts(options)) {
      yield* recordsOf(part, bounded ? (i) => part.queries.startMs[i]! >= since && part.queries.startMs[i]! <= until : undefined);
    }
  }

  private readParts(options: ReadOptions): WorkloadPart[] {
    flushWriters(this.dataDir);
    const segments = listSegments(this.dataDir);
    const manifest = this.readManifest();
    const consumed = new Set(manifest.consumed);
    const out: WorkloadPart[] = [];
    for (const c of manifest.chunks) {
      if (options.sinceMs !== undefined && c.maxStartMs < options.sinceMs) continue;
      if (options.untilMs !== undefined && c.minStartMs > options.untilMs) continue;
      out.push(this.chunk(c.stem));
    }
    for (const s of segments) {
      if (consumed.has(s.name)) continue;
      const part = this.segment(s);
      if (part.queries.length) out.push(part);
    }
    return out;
  }

  private chunk(stem: string): WorkloadPart {
    let part = this.chunks.get(stem);
    if (!part) this.chunks.set(stem, (part = readChunk(chunkDir(this.dataDir), stem)));
    return part;
  }

  /**
   * A raw segment's records, read incrementally: only bytes appended since the
   * last read are parsed. With `into` (compaction), a sealed binary segment no
   * reader has cached is read into that builder instead, and null returned:
   * its records are in the part `into` builds.
   */
  private segment(s: SegmentFile): WorkloadPart;
  private segment(s: SegmentFile, into: SegmentPartBuilder): WorkloadPart | null;
  private segment(s: SegmentFile, into?: SegmentPartBuilder): WorkloadPart | null {
    // a sealed segment was an open one a moment ago: same records
    const key = s.name.slice(0, s.name.lastIndexOf('.'));
    let cache = this.segments.get(key);
    const fd = fs.openSync(s.path, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (!cache) {
        const header = Buffer.alloc(HEADER_BYTES);
        fs.readSync(fd, header, 0, HEADER_BYTES, 0);
        const format = headerFormat(header.subarray(0, Math.min(size, HEADER_BYTES)));
        if (typeof format === 'string') {
          // a live writer may not have written its header yet: look again next time
          if (s.live && size < HEADER_BYTES) return EMPTY_PART;
          if (size > 0) this.warnOnce(`${s.name}:header`, `${s.name}: ${format}; its ${size} bytes are ignored`);
          this.segments.set(key, { end: Infinity, format: 0, builder: new PartBuilder(), part: EMPTY_PART });
          return EMPTY_PART;
        }
        if (into && format >= 2 && !s.live) {
          // read once and consumed at once: nothing to cache
          into.startSegment(format);
          cache = { end: HEADER_BYTES, format, builder: into, part: null };
        } else {
          cache = { end: HEADER_BYTES, format, builder: format === 1 ? new PartBuilder() : new SegmentPartBuilder(format), part: null };
          this.segments.set(key, cache);
        }
      }
      if (size > cache.end) {
        const space = this.readBuffer(size - cache.end);
        const buf = space.subarray(0, readFully(fd, space, cache.end));
        const base = cache.end;
        const builder = cache.builder;
        // compaction told its builder the bytes of all the segments it reads
        if (builder instanceof SegmentPartBuilder && builder !== into) builder.expect(buf.length);
        // one warning per read for the unreadable records: a damaged frame can take many later ones with it
        let unread = 0;
        let firstUnread = '';
        const unreadable = (offset: number, problem: string) => {
          if (unread++ === 0) firstUnread = `at byte ${base + offset} (${problem})`;
        };
        const result = scanFrames(buf, 0, payloadTag(cache.format), (from, to) => {
          const offset = from - FRAME_HEADER_BYTES;
          if (builder instanceof SegmentPartBuilder) {
            const problem = builder.add(buf, from, to);
            if (problem) unreadable(offset, problem);
            return;
          }
          let rec: unknown;
          try {
            rec = JSON.parse(buf.toString('utf8', from, to));
          } catch {
            this.warnOnce(`${s.name}:${base + offset}`, `${s.name}: the record at byte ${base + offset} is not valid JSON; skipped`);
            return;
          }
          const problem = recordProblem(rec);
          if (problem) return unreadable(offset, problem);
          builder.addEncoded(rec as EncodedRecord);
        });
        if (unread > 0) {
          this.warnOnce(`${s.name}:${base}`, `${s.name}: ${unread === 1 ? 'the record' : `${unread} records, the first`} ${firstUnread} unreadable; skipped`);
        }
        for (const [at, len] of result.skipped) {
          this.warnOnce(
            `${s.name}:${base + at}`,
            `${s.name}: skipped ${len} damaged bytes at byte ${base + at}; the records after them are kept, but for those using a string only the damaged bytes held`,
          );
        }
        if (result.tornBytes > 0 && !s.live) {
          this.warnOnce(
            `${s.name}:${base + result.end}`,
            `${s.name}: dropped a torn last record (${result.tornBytes} bytes at byte ${base + result.end}); every record before it is kept`,
          );
        }
        cache.end = base + result.end;
        cache.part = null;
      }
      if (cache.builder === into) return null;
      return (cache.part ??= cache.builder.build());
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * A buffer of at least `n` bytes to read a segment into, not zero-filled:
   * only the bytes read are looked at. The builders copy out all they keep,
   * so one buffer serves every segment (no fresh pages per segment).
   */
  private readBuffer(n: number): Buffer {
    if (n > MAX_KEPT_READ_BUFFER) return Buffer.allocUnsafe(n);
    if (this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.min(MAX_KEPT_READ_BUFFER, Math.max(n, this.scratch.length * 2)));
    return this.scratch.subarray(0, n);
  }

  // ------------------------------------------------------------ sizes

  /** Sealed raw segments waiting for compaction, and what is compacted. */
  status(): { segments: number; segmentBytes: number; liveSegments: number; chunks: number; chunkRecords: number; chunkBytes: number; retention: Retention } {
    const manifest = this.readManifest();
    const consumed = new Set(manifest.consumed);
    let segments = 0;
    let segmentBytes = 0;
    let liveSegments = 0;
    for (const s of listSegments(this.dataDir)) {
      if (consumed.has(s.name)) continue;
      if (s.live) {
        liveSegments++;
        continue;
      }
      segments++;
      try {
        segmentBytes += fs.statSync(s.path).size;
      } catch {
        // compacted meanwhile
      }
    }
    return {
      segments,
      segmentBytes,
      liveSegments,
      chunks: manifest.chunks.length,
      chunkRecords: manifest.chunks.reduce((a, c) => a + c.records, 0),
      chunkBytes: manifest.chunks.reduce((a, c) => a + c.bytes, 0),
      retention: manifest.retention ?? DEFAULT_RETENTION,
    };
  }

  // ------------------------------------------------------------ compaction

  /**
   * Moves the records of every sealed segment (and of segments whose writer
   * died) into columnar chunks, then applies retention: records older than
   * maxAgeDays are dropped, and the oldest compacted records beyond maxBytes.
   * Returns null when another process is compacting.
   */
  compact(options: CompactOptions = {}): CompactResult | null {
    const started = performance.now();
    const dir = workloadDir(this.dataDir);
    mkdirDurable(chunkDir(this.dataDir));
    if (!this.lock(dir)) return null;
    try {
      const manifest = this.readManifest();
      const retention: Retention = { ...DEFAULT_RETENTION, ...(manifest.retention ?? {}), ...(options.retention ?? {}) };
      const chunkRecords = options.chunkRecords ?? 100_000;
      const cutoff = (options.nowMs ?? Date.now()) - retention.maxAgeDays * 86_400_000;
      const consumedBefore = new Set(manifest.consumed);
      // the manifest written below forgets the segments the last compaction consumed: their removal must be
      // durable first, or a power loss could bring them back, no longer listed, and their records be read twice
      if (manifest.consumed.length > 0) {
        for (const name of manifest.consumed) fs.rmSync(path.join(rawDir(this.dataDir), name), { force: true });
        fsyncDir(rawDir(this.dataDir));
      }
      const segments = listSegments(this.dataDir).filter((s) => !s.live && !consumedBefore.has(s.name));

      let next = manifest.nextChunk;
      const obsolete: string[] = [];
      const kept: ChunkInfo[] = [];
      const write = (part: WorkloadPart): ChunkInfo => {
        const stem = `c-${String(next++).padStart(6, '0')}`;
        const bytes = writeChunk(chunkDir(this.dataDir), stem, part);
        const start = part.queries.startMs;
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < start.length; i++) {
          if (start[i]! < min) min = start[i]!;
          if (start[i]! > max) max = start[i]!;
        }
        return { stem, records: part.queries.length, minStartMs: min, maxStartMs: max, bytes };
      };
      const young = (part: WorkloadPart) => (i: number) => part.queries.startMs[i]! >= cutoff;

      // existing chunks: drop or trim by age
      let droppedByAge = 0;
      for (const c of manifest.chunks) {
        if (c.minStartMs >= cutoff) kept.push(c);
        else {
          obsolete.push(c.stem);
          const part = this.chunk(c.stem);
          const rows = c.maxStartMs >= cutoff ? rowsByStart(part, young(part)) : new Int32Array(0);
          droppedByAge += c.records - rows.length;
          if (rows.length) kept.push(write(takeRows(part, rows)));
        }
      }

      // the segments' records, with a small last chunk's so chunks stay near chunkRecords
      // segments no reader has cached go into one part: nothing to concatenate, dictionaries built once
      const shared = new SegmentPartBuilder();
      shared.expect(segments.reduce((a, s) => a + fileSize(s.path), 0));
      const inputs: WorkloadPart[] = [];
      for (const s of segments) {
        const part = this.segment(s, shared);
        if (part) inputs.push(part);
      }
      if (shared.length) inputs.push(shared.build());
      const records = inputs.reduce((a, p) => a + p.queries.length, 0);
      const last = kept[kept.length - 1];
      if (records && last && last.records < chunkRecords / 2) {
        kept.pop();
        obsolete.push(last.stem);
        inputs.unshift(this.chunk(last.stem));
      }
      if (records) {
        const all = concatParts(inputs);
        const rows = rowsByStart(all, young(all));
        droppedByAge += all.queries.length - rows.length;
        for (let i = 0; i < rows.length; i += chunkRecords) kept.push(write(takeRows(all, rows.subarray(i, i + chunkRecords))));
      }

      // size: drop the oldest chunks; trim the one that straddles the limit to its newest records
      let droppedBySize = 0;
      let total = kept.reduce((a, c) => a + c.bytes, 0);
      while (total > retention.maxBytes && kept.length) {
        const oldest = kept.shift()!;
        obsolete.push(oldest.stem);
        total -= oldest.bytes;
        const room = retention.maxBytes - total;
        if (room <= 0) {
          droppedBySize += oldest.records;
          continue;
        }
        const part = this.chunk(oldest.stem);
        const rows = rowsByStart(part);
        // bytes are nearly proportional to records; shrink until the trimmed chunk fits
        let keepN = Math.floor((rows.length * room) / oldest.bytes);
        while (keepN > 0) {
          const trimmed = write(takeRows(part, rows.subarray(rows.length - keepN)));
          if (trimmed.bytes <= room) {
            kept.unshift(trimmed);
            total += trimmed.bytes;
            break;
          }
          obsolete.push(trimmed.stem);
          keepN = Math.min(keepN - 1, Math.floor((keepN * room) / trimmed.bytes));
        }
        droppedBySize += rows.length - Math.max(0, keepN);
        break;
      }

      const stems = new Set(kept.map((c) => c.stem));
      // the new chunks' names are durable before the manifest that names them is
      if (next !== manifest.nextChunk) fsyncDir(chunkDir(this.dataDir));
      writeFileAtomic(
        manifestPath(this.dataDir),
        JSON.stringify({ format: 1, nextChunk: next, chunks: kept, consumed: segments.map((s) => s.name), retention } satisfies Manifest, null, 1),
      );
      // committed: what follows only removes files nothing names any more
      for (const s of segments) {
        fs.rmSync(s.path, { force: true });
        this.segments.delete(s.name.slice(0, s.name.lastIndexOf('.')));
      }
      for (const stem of obsolete) if (!stems.has(stem)) for (const t of CHUNK_TABLES) fs.rmSync(chunkFile(chunkDir(this.dataDir), stem, t), { force: true });
      this.removeStrays(stems);
      for (const stem of obsolete) this.chunks.delete(stem);
      return {
        segments: segments.length,
        records,
        droppedByAge,
        droppedBySize,
        chunks: kept.length,
        totalRecords: kept.reduce((a, c) => a + c.records, 0),
        bytes: total,
        elapsedMs: performance.now() - started,
      };
    } finally {
      this.unlock(dir);
    }
  }

  /** Chunk files no manifest names: left by a compaction that crashed before its commit. */
  private removeStrays(stems: Set<string>): void {
    for (const f of fs.readdirSync(chunkDir(this.dataDir))) {
      const stem = f.split('.')[0]!;
      if (!stems.has(stem)) fs.rmSync(path.join(chunkDir(this.dataDir), f), { force: true });
    }
  }

  private lock(dir: string): boolean {
    const file = path.join(dir, 'compact.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const text = fs.readFileSync(file, 'utf8');
        // an empty file is a lock being taken right now
        if (text === '' || (processAlive(Number(text)) && Number(text) !== process.pid)) return false;
        fs.rmSync(file, { force: true });
      }
    }
    return false;
  }

  private unlock(dir: string): void {
    fs.rmSync(path.join(dir, 'compact.lock'), { force: true });
  }
}
