/**
 * A power-loss simulator for tests: a recording layer over node:fs and a model
 * of what a file system keeps when the machine loses power.
 *
 * A SIGKILL leaves the operating system's page cache intact, so a crash test
 * that kills processes cannot tell whether code fsyncs at all. This layer
 * can: install it with
 *
 *   vi.mock('node:fs', async (importOriginal) => {
 *     const { recordingFs } = await import('../../helpers/power-loss.js');
 *     return recordingFs(await importOriginal()).module;
 *   });
 *
 * (the factory must not import node:fs through this module: it takes the real
 * module as an argument and uses nothing else). While recording (begin(root)
 * .. end()), every call that changes a file or a directory under `root` is
 * noted, with the state the durability model needs:
 *
 * - the fsync of a file (fsyncSync, fdatasyncSync, fsync, fdatasync): the
 *   file's content at that moment (read back through /proc/self/fd), durable
 *   from then on;
 * - the fsync of a directory: its listing (name -> file) at that moment;
 * - every change of a directory's listing (creating, renaming, linking,
 *   removing a file or a directory): the new listing, not yet durable.
 *
 * Files are told apart by identities of our own (an inode number is reused
 * once its file is gone), assigned when a call creates a file or directory.
 *
 * Two models of a power loss, both with the state of `root` at begin() as
 * durable (as after sync(1)):
 *
 * - 'synced': only what was fsynced survives: a file's content as of its last
 *   fsync (nothing, for a file never fsynced), a directory's listing as of its
 *   last fsync (a file created, renamed or removed since is as before). The
 *   strict POSIX reading, and what an ext4 with delayed allocation can do to
 *   data.
 * - 'ordered': every change of a listing survives, in program order, as a
 *   journaling file system commits its metadata; file contents still only as
 *   of their last fsync. This is the model in which a rename over a file whose
 *   content was never fsynced leaves an empty file.
 *
 * A crash point is a moment between two recorded calls; crashStates() yields
 * the durable state at every point where it changes (in 'synced', after each
 * fsync; in 'ordered', after each call), which covers every crash point.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';

type Fs = typeof import('node:fs');
type PathLike = import('node:fs').PathLike;
type OpenMode = import('node:fs').OpenMode;
type Mode = import('node:fs').Mode;
type Kind = 'file' | 'dir';

export interface DirEntry {
  readonly name: string;
  readonly id: number;
  readonly kind: Kind;
}

type Event =
  | { readonly t: 'data'; readonly id: number; readonly content: Buffer; readonly seq: number; readonly what: string }
  | { readonly t: 'dir'; readonly id: number; readonly entries: readonly DirEntry[]; readonly synced: boolean; readonly what: string }
  | { readonly t: 'mark'; readonly label: string; readonly begins: boolean };

export type Model = 'synced' | 'ordered';

/** The durable state of the recorded tree at one crash point. */
export interface CrashState {
  readonly model: Model;
  /** Index of the last call before the crash (-1: before the first). */
  readonly at: number;
  /** The last call before the crash, for messages: "fsync dir db/tables/1". */
  readonly after: string;
  /** Steps (marked by the caller) that had returned before the crash. */
  readonly done: number;
  /** Whether a step had begun and not returned. */
  readonly inFlight: boolean;
  /** A digest of the durable tree: states with equal keys are the same files. */
  readonly key: string;
  /** Writes the durable tree into `target` (a new directory standing for `root`). */
  materialize(target: string): void;
}

interface Tree {
  readonly listings: ReadonlyMap<number, readonly DirEntry[]>;
  readonly contents: ReadonlyMap<number, { readonly content: Buffer; readonly seq: number }>;
}

const O_CREAT = 0o100;

function creates(flags: unknown): boolean {
  if (typeof flags === 'number') return (flags & O_CREAT) !== 0;
  return typeof flags === 'string' && /[wax]/.test(flags);
}

export class Recording {
  constructor(
    private readonly real: Fs,
    private readonly rootId: number,
    private readonly base: Tree,
    private readonly events: readonly Event[],
  ) {}

  /** How many fsyncs (files and directories) the recorded steps made. */
  get syncs(): number {
    return this.events.filter((e) => e.t === 'data' || (e.t === 'dir' && e.synced)).length;
  }

  /** Every recorded call, as text (for a test that checks the order of a commit's steps). */
  get calls(): string[] {
    return this.events.flatMap((e) => (e.t === 'mark' ? [`${e.begins ? 'begin' : 'end'} ${e.label}`] : [e.what]));
  }

  /**
   * The durable state at every crash point of the model (where it differs from
   * the point before). `same(path)`: files whose differences alone do not make
   * states worth checking apart (their `key`s are equal).
   */
  *crashStates(model: Model, same?: (rel: string) => boolean): Generator<CrashState> {
    const listings = new Map(this.base.listings);
    const contents = new Map(this.base.contents);
    let done = 0;
    let inFlight = false;
    const state = (at: number, after: string): CrashState => {
      const tree: Tree = { listings: new Map(listings), contents: new Map(contents) };
      return {
        model,
        at,
        after,
        done,
        inFlight,
        key: this.digest(tree, same),
        materialize: (target) => this.materialize(tree, target),
      };
    };
    yield state(-1, 'nothing (the state at the start)');
    for (let i = 0; i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.t === 'mark') {
        if (e.begins) inFlight = true;
        else {
          inFlight = false;
          done++;
        }
        continue;
      }
      if (e.t === 'data') {
        // an asynchronous fsync reports after a later synchronous one may have: keep the newer content
        if ((contents.get(e.id)?.seq ?? -1) < e.seq) contents.set(e.id, { content: e.content, seq: e.seq });
        yield state(i, e.what);
        continue;
      }
      if (!e.synced && model === 'synced') continue;
      listings.set(e.id, e.entries);
      yield state(i, e.what);
    }
  }

  private walk(tree: Tree, visit: (rel: string, entry: DirEntry) => void): void {
    const go = (id: number, rel: string, depth: number) => {
      if (depth > 64) throw new Error(`power-loss model: directory cycle at ${rel}`);
      for (const entry of tree.listings.get(id) ?? []) {
        const p = rel ? `${rel}/${entry.name}` : entry.name;
        visit(p, entry);
        if (entry.kind === 'dir') go(entry.id, p, depth + 1);
      }
    };
    go(this.rootId, '', 0);
  }

  private digest(tree: Tree, same?: (rel: string) => boolean): string {
    const h = createHash('sha256');
    this.walk(tree, (rel, entry) => {
      if (same?.(rel)) return;
      h.update(`${rel}\0${entry.kind}\0`);
      if (entry.kind === 'file') h.update(tree.contents.get(entry.id)?.content ?? Buffer.alloc(0));
      h.update('\0');
    });
    return h.digest('hex');
  }

  private materialize(tree: Tree, target: string): void {
    this.real.mkdirSync(target, { recursive: true });
    this.walk(tree, (rel, entry) => {
      const p = path.join(target, rel);
      if (entry.kind === 'dir') this.real.mkdirSync(p);
      else this.real.writeFileSync(p, tree.contents.get(entry.id)?.content ?? Buffer.alloc(0));
    });
  }
}

export class FsRecorder {
  /** The wrapped module, to return from vi.mock('node:fs'). */
  readonly module: Fs & { default: Fs };
  private root: string | null = null;
  private events: Event[] = [];
  private nextId = 1;
  private seq = 0;
  private readonly ids = new Map<number, number>(); // inode -> our identity
  private readonly fds = new Map<number, { id: number; path: string; kind: Kind }>();
  private base: Tree | null = null;
  private rootId = 0;
  /** Paths under the root that changed by a call this layer does not know: the model would be wrong. */
  readonly untracked: string[] = [];

  constructor(private readonly real: Fs) {
    const wrapped = this.wrap();
    const mod = { ...real, ...wrapped } as Fs;
    this.module = { ...mod, default: mod };
  }

  /** Starts recording changes under `root`; what is there now counts as durable. */
  begin(root: string): void {
    this.root = path.resolve(root);
    this.events = [];
    this.untracked.length = 0;
    const listings = new Map<number, DirEntry[]>();
    const contents = new Map<number, { content: Buffer; seq: number }>();
    this.rootId = this.identify(this.root, true);
    const walk = (dir: string, id: number) => {
      const entries = this.listing(dir);
      listings.set(id, entries);
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.kind === 'dir') walk(p, e.id);
        else contents.set(e.id, { content: this.real.readFileSync(p), seq: 0 });
      }
    };
    walk(this.root, this.rootId);
    this.base = { listings, contents };
  }

  /** Marks the start or the end of a step: a crash inside it may keep it whole or lose it whole. */
  mark(label: string, begins: boolean): void {
    if (this.root !== null) this.events.push({ t: 'mark', label, begins });
  }

  /** Stops recording and returns what was recorded. */
  end(): Recording {
    if (this.root === null || this.base === null) throw new Error('power-loss recorder: end() without begin()');
    const r = new Recording(this.real, this.rootId, this.base, this.events);
    this.root = null;
    this.base = null;
    this.events = [];
    this.fds.clear();
    return r;
  }

  private under(p: unknown): string | null {
    if (this.root === null || (typeof p !== 'string' && !(p instanceof URL) && !Buffer.isBuffer(p))) return null;
    const abs = path.resolve(p instanceof URL ? p.pathname : String(p));
    return abs === this.root || abs.startsWith(this.root + path.sep) ? abs : null;
  }

  private rel(abs: string): string {
    return path.relative(this.root!, abs) || '.';
  }

  private exists(p: string): boolean {
    try {
      this.real.lstatSync(p);
      return true;
    } catch {
      return false;
    }
  }

  /** Our identity of the file at `p`: a new one when the call just created it. */
  private identify(p: string, fresh: boolean): number {
    const ino = this.real.lstatSync(p).ino;
    let id = this.ids.get(ino);
    if (fresh || id === undefined) {
      if (!fresh && this.base !== null) this.untracked.push(this.rel(p));
      id = this.nextId++;
      this.ids.set(ino, id);
    }
    return id;
  }

  private listing(dir: string): DirEntry[] {
    return this.real
      .readdirSync(dir, { withFileTypes: true })
      .map((d) => {
        const kind: Kind = d.isDirectory() ? 'dir' : 'file';
        return { name: d.name, kind, id: this.identify(path.join(dir, d.name), false) };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A directory's listing changed (not durable until it is fsynced). */
  private changed(dir: string, what: string): void {
    if (this.under(dir) === null || !this.exists(dir)) return;
    this.events.push({ t: 'dir', id: this.identify(dir, false), entries: this.listing(dir), synced: false, what });
  }

  /** The event of an fsync of `fd` (null when it is not a file under the root). */
  private syncEvent(fd: number, how: string): Event | null {
    const f = this.fds.get(fd);
    if (!f) return null;
    if (f.kind === 'dir') return { t: 'dir', id: f.id, entries: this.listing(f.path), synced: true, what: `${how} dir ${this.rel(f.path)}` };
    // the descriptor may be write-only: read the file through /proc, which opens it anew
    return { t: 'data', id: f.id, content: this.real.readFileSync(`/proc/self/fd/${fd}`), seq: ++this.seq, what: `${how} ${this.rel(f.path)}` };
  }

  private wrap(): Partial<Fs> {
    const real = this.real;
    const self = this;
    /** Runs a call that creates `p` (if it did not exist) and notes the new file. */
    const creating = <R>(p: unknown, call: () => R, what: string): R => {
      const abs = self.under(p);
      if (abs === null) return call();
      const existed = self.exists(abs);
      const r = call();
      if (!existed && self.exists(abs)) {
        self.identify(abs, true);
        self.changed(path.dirname(abs), `${what} ${self.rel(abs)}`);
      }
      return r;
    };
    const open = real.openSync as (p: PathLike, flags?: OpenMode, mode?: Mode) => number;
    const w = {
      openSync(p: PathLike, flags?: OpenMode, mode?: Mode): number {
        const abs = self.under(p);
        const fd = creates(flags) ? creating(p, () => open(p, flags, mode), 'create') : open(p, flags, mode);
        if (abs !== null) {
          const kind: Kind = real.fstatSync(fd).isDirectory() ? 'dir' : 'file';
          self.fds.set(fd, { id: self.identify(abs, false), path: abs, kind });
        }
        return fd;
      },
      closeSync(fd: number): void {
        self.fds.delete(fd);
        real.closeSync(fd);
      },
      fsyncSync(fd: number): void {
        real.fsyncSync(fd);
        const e = self.syncEvent(fd, 'fsync');
        if (e) self.events.push(e);
      },
      fdatasyncSync(fd: number): void {
        real.fdatasyncSync(fd);
        const e = self.syncEvent(fd, 'fdatasync');
        if (e) self.events.push(e);
      },
      fsync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
        // durable once the callback reports success; the content is what was written before the call
        const e = self.syncEvent(fd, 'fsync (async)');
        const events = self.events;
        real.fsync(fd, (err) => {
          if (!err && e && self.events === events) events.push(e);
          cb(err);
        });
      },
      writeFileSync(file: Parameters<Fs['writeFileSync']>[0], data: Parameters<Fs['writeFileSync']>[1], options?: Parameters<Fs['writeFileSync']>[2]): void {
        if (typeof file === 'number') return real.writeFileSync(file, data, options);
        creating(file, () => real.writeFileSync(file, data, options), 'create');
      },
      appendFileSync(file: Parameters<Fs['appendFileSync']>[0], data: Parameters<Fs['appendFileSync']>[1], options?: Parameters<Fs['appendFileSync']>[2]): void {
        if (typeof file === 'number') return real.appendFileSync(file, data, options);
        creating(file, () => real.appendFileSync(file, data, options), 'create');
      },
      copyFileSync(src: Parameters<Fs['copyFileSync']>[0], dest: Parameters<Fs['copyFileSync']>[1], mode?: number): void {
        const abs = self.under(dest);
        real.copyFileSync(src, dest, mode);
        if (abs !== null) {
          self.identify(abs, true);
          self.changed(path.dirname(abs), `copy to ${self.rel(abs)}`);
        }
      },
      mkdirSync(p: Parameters<Fs['mkdirSync']>[0], options?: Parameters<Fs['mkdirSync']>[1]): string | undefined {
        const abs = self.under(p);
        if (abs === null) return real.mkdirSync(p, options as never) as string | undefined;
        const missing: string[] = [];
        for (let d = abs; self.under(d) !== null && !self.exists(d); d = path.dirname(d)) missing.unshift(d);
        const r = real.mkdirSync(p, options as never) as string | undefined;
        for (const d of missing) {
          if (!self.exists(d)) continue;
          self.identify(d, true);
          self.changed(path.dirname(d), `mkdir ${self.rel(d)}`);
        }
        return r;
      },
      renameSync(from: Parameters<Fs['renameSync']>[0], to: Parameters<Fs['renameSync']>[1]): void {
        real.renameSync(from, to);
        const a = self.under(from);
        const b = self.under(to);
        const what = `rename ${a ? self.rel(a) : String(from)} -> ${b ? self.rel(b) : String(to)}`;
        if (a !== null) self.changed(path.dirname(a), what);
        if (b !== null && (a === null || path.dirname(a) !== path.dirname(b))) self.changed(path.dirname(b), what);
      },
      linkSync(existing: Parameters<Fs['linkSync']>[0], newPath: Parameters<Fs['linkSync']>[1]): void {
        real.linkSync(existing, newPath);
        const b = self.under(newPath);
        if (b !== null) self.changed(path.dirname(b), `link ${self.rel(b)}`);
      },
      unlinkSync(p: Parameters<Fs['unlinkSync']>[0]): void {
        real.unlinkSync(p);
        const abs = self.under(p);
        if (abs !== null) self.changed(path.dirname(abs), `unlink ${self.rel(abs)}`);
      },
      rmSync(p: Parameters<Fs['rmSync']>[0], options?: Parameters<Fs['rmSync']>[1]): void {
        const abs = self.under(p);
        const existed = abs !== null && self.exists(abs);
        real.rmSync(p, options);
        if (abs !== null && existed) self.changed(path.dirname(abs), `rm ${self.rel(abs)}`);
      },
      rmdirSync(p: Parameters<Fs['rmdirSync']>[0], options?: Parameters<Fs['rmdirSync']>[1]): void {
        real.rmdirSync(p, options);
        const abs = self.under(p);
        if (abs !== null) self.changed(path.dirname(abs), `rmdir ${self.rel(abs)}`);
      },
    };
    return w as unknown as Partial<Fs>;
  }
}

/** Wraps the real node:fs (see the top of this file). */
export function recordingFs(real: Fs): FsRecorder {
  return new FsRecorder(real);
}
