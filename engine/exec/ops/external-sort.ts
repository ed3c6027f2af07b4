/**
 * The sort operator under the memory limit: input batches are held while the
 * query's accountant lets them; when the next one would not fit, the held
 * rows are sorted (sort.ts) into a run and written to a spill file, a chunk
 * of RUN_CHUNK rows a frame; a batch that alone is over the limit becomes a
 * run by itself. At the end, without runs, the rows are sorted in
 * memory as before; with runs, the rest becomes a last run and the runs are
 * merged (sort-merge.ts), at most MAX_FAN_IN at once: more are first merged
 * into longer runs. A top-N sort keeps only its first `limit` rows of each
 * run (the result's rows are among them).
 */
import type { Batch, PhysicalKind } from '../../types.js';
import type { SortNode } from '../../plan/physical.js';
import { concatBatches, rowsView } from '../batch.js';
import type { ExecContext } from '../context.js';
import { batchMemory, readSpill, removeSpillFile, SpillWriter } from '../memory/index.js';
import { sortBatch } from './sort.js';
import { mergeRuns } from './sort-merge.js';

/** Rows per frame of a run: what the merge holds of each run at once. */
const RUN_CHUNK = 4096;
/** Runs merged at once: each holds an open file and a chunk in memory. */
const MAX_FAN_IN = 64;

export function* runSort(node: SortNode, input: Iterable<Batch>, kinds: readonly PhysicalKind[], ctx: ExecContext): Generator<Batch> {
  const memory = ctx.memory;
  const stats = ctx.statsFor(node.id);
  let held: Batch[] = [];
  let heldBytes = 0;
  const runs: string[] = [];
  const writeRun = (rows: Iterable<Batch>): string => {
    const file = ctx.spill.file('sort-run');
    runs.push(file);
    const w = new SpillWriter(file);
    try {
      for (const b of rows) for (let at = 0; at < b.length; at += RUN_CHUNK) w.write({ length: Math.min(RUN_CHUNK, b.length - at), columns: b.columns.map((v) => rowsView(v, at, Math.min(b.length, at + RUN_CHUNK))) });
    } finally {
      w.close();
    }
    stats.bytesSpilled += w.bytes;
    stats.spillFiles++;
    return file;
  };
  const spillHeld = (): void => {
    writeRun([sortBatch(concatBatches(held, kinds), node.keys, node.limit)]);
    held = [];
    memory.release(heldBytes);
    heldBytes = 0;
  };
  try {
    for (const b of input) {
      if (b.length === 0) continue;
      const bytes = batchMemory(b);
      if (!memory.tryReserve(bytes)) {
        if (held.length > 0) spillHeld();
        if (!memory.tryReserve(bytes)) {
          // one batch alone over the limit (an exchange delivers a slice's rows at once): sorted on its own into a run
          writeRun([sortBatch(b, node.keys, node.limit)]);
          continue;
        }
      }
      held.push(b);
      heldBytes += bytes;
    }
    if (runs.length === 0) {
      if (held.length > 0) yield sortBatch(concatBatches(held, kinds), node.keys, node.limit);
      return;
    }
    if (held.length > 0) spillHeld();
    // merge passes until the runs fit one merge's fan-in
    while (runs.length > MAX_FAN_IN) {
      const group = runs.splice(0, MAX_FAN_IN);
      // the merged run goes after the others: runs stay in input order only if it takes the group's place
      const merged = writeRun(mergeRuns(group.map(readSpill), node.keys, kinds, node.limit));
      runs.pop();
      runs.unshift(merged);
      for (const f of group) removeSpillFile(f);
    }
    yield* mergeRuns(runs.map(readSpill), node.keys, kinds, node.limit);
  } finally {
    memory.release(heldBytes);
    for (const f of runs) removeSpillFile(f);
  }
}
