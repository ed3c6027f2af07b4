/**
 * A join's build side made once and read by every thread (docs/execution.md).
 *
 * A broadcast inner side is the same rows on every slice, so its hash table is
 * the same too. Built on each thread, it costs its whole build once per
 * thread, and the rows are structured-cloned into every task that probes it
 * (TPC-H q05 and q07 used 1.3-1.6x the serial CPU on two threads for that).
 * Here it is built once on the calling thread, and its rows and table arrays
 * copied into shared memory (SharedArrayBuffer): a structured clone of them
 * then shares the memory instead of copying it, and a worker takes the table
 * as it is (new JoinTable with its state) rather than building it again.
 * Nothing writes to them once shared: probes only read the table, and the
 * join's output gathers from the rows into new arrays.
 */
import type { Batch, Vector } from '../types.js';
import { JoinTable, type JoinKeys, type JoinTableState, type KeyArray } from './join-table.js';
import type { Built } from './ops/join.js';

/** A build side as plain data in shared memory: what a task carries to a worker. */
export interface SharedBuild {
  readonly batch: Batch;
  readonly keyCols: readonly number[];
  readonly table: JoinTableState;
}

type Typed = Int32Array | Float64Array | Uint8Array | Uint32Array;

/**
 * Copies typed arrays into shared memory, each once: the table's numeric key
 * column is the rows' own column, and stays one array.
 */
class Sharer {
  private readonly done = new Map<Typed, Typed>();

  array<T extends Typed>(a: T): T {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    let out = this.done.get(a) as T | undefined;
    if (out === undefined) {
      const Ctor = a.constructor as { new (b: SharedArrayBuffer, offset: number, length: number): T };
      out = new Ctor(new SharedArrayBuffer(a.byteLength), 0, a.length);
      out.set(a as never);
      this.done.set(a, out);
    }
    return out;
  }

  maybe<T extends Typed>(a: T | null): T | null {
    return a === null ? null : this.array(a);
  }

  vector(v: Vector): Vector {
    const nulls = this.maybe(v.nulls);
    switch (v.kind) {
      case 'str':
        return { kind: 'str', codes: this.array(v.codes), dict: v.dict, nulls, length: v.length };
      case 'i32':
        return { kind: 'i32', values: this.array(v.values), nulls, length: v.length };
      case 'f64':
        return { kind: 'f64', values: this.array(v.values), nulls, length: v.length };
      case 'bool':
        return { kind: 'bool', values: this.array(v.values), nulls, length: v.length };
    }
  }

  keys(k: JoinKeys): JoinKeys {
    return { cols: k.cols.map((c) => this.array<KeyArray>(c)), nulls: this.maybe(k.nulls), hashes: this.array(k.hashes) };
  }
}

/** A built side copied into shared memory, with the table's key test made first so no thread makes it again. */
export function shareBuilt(built: Pick<Built, 'batch' | 'table'>, keyCols: readonly number[]): SharedBuild {
  built.table.keyTest();
  const sharer = new Sharer();
  const batch: Batch = { length: built.batch.length, columns: built.batch.columns.map((v) => sharer.vector(v)) };
  const t = built.table.state();
  const table: JoinTableState = {
    ...t,
    first: sharer.maybe(t.first),
    present: sharer.maybe(t.present),
    firstBits: sharer.maybe(t.firstBits),
    slots: sharer.maybe(t.slots),
    heads: sharer.maybe(t.heads),
    next: sharer.array(t.next),
    keys: sharer.keys(t.keys),
  };
  return { batch, keyCols, table };
}

/**
 * The build side a SharedBuild holds, ready to probe: no row is hashed again.
 * Its memory is reserved by the thread that built it, so none here (bytes 0).
 */
export function builtFrom(shared: SharedBuild): Built {
  return { batch: shared.batch, table: new JoinTable(shared.batch, shared.keyCols, { state: shared.table }), bytes: 0 };
}
