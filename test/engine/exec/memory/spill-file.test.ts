/** Spill files (engine/exec/memory/spill-file.ts) give back the batches written, every kind, with NULLs and dictionaries; the limit's parsing; stale spill folders go on open. */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Batch } from '../../../../engine/types.js';
import { SpillWriter, readSpill, parseMemoryLimit, cleanStaleSpill, MemoryAccountant } from '../../../../engine/exec/memory/index.js';
import { Database, ExecError, UsageError } from '../../../../engine/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-spill-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sample(n: number, dict: string[]): Batch {
  const nulls = new Uint8Array(n);
  for (let i = 0; i < n; i += 3) nulls[i] = 1;
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) codes[i] = (i * 7) % dict.length;
  return {
    length: n,
    columns: [
      { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => i - 5), nulls: null, length: n },
      { kind: 'f64', values: Float64Array.from({ length: n }, (_, i) => i / 3), nulls, length: n },
      { kind: 'bool', values: Uint8Array.from({ length: n }, (_, i) => i & 1), nulls: null, length: n },
      { kind: 'str', codes, dict, nulls, length: n },
    ],
  };
}

/** A batch as plain values, NULLs as null and strings by value (dictionaries may differ). */
function values(b: Batch): unknown[][] {
  return b.columns.map((v) => {
    const out: unknown[] = [];
    for (let i = 0; i < b.length; i++) out.push(v.nulls?.[i] ? null : v.kind === 'str' ? v.dict[v.codes[i]!] : v.values[i]);
    return out;
  });
}

describe('spill files', () => {
  it('read back what was written, frame by frame, with dictionaries cut to what the rows use', () => {
    const big = Array.from({ length: 5000 }, (_, i) => `value ${i} ✓`);
    const batches = [sample(10, ['a', 'bé', '']), sample(0, ['x']), sample(100, big)];
    const file = path.join(dir, 'a.kspl');
    const w = new SpillWriter(file);
    for (const b of batches) w.write(b);
    w.close();
    expect(w.bytes).toBe(fs.statSync(file).size);
    const back = [...readSpill(file)];
    expect(back.map((b) => b.length)).toEqual([10, 100]);
    expect(values(back[0]!)).toEqual(values(batches[0]!));
    expect(values(back[1]!)).toEqual(values(batches[2]!));
    const s = back[1]!.columns[3]!;
    expect(s.kind === 'str' && s.dict.length).toBeLessThanOrEqual(100);
  });

  it('a damaged file is a CORRUPT error, not a crash', () => {
    const file = path.join(dir, 'b.kspl');
    const w = new SpillWriter(file);
    w.write(sample(50, ['p', 'q']));
    w.close();
    fs.truncateSync(file, fs.statSync(file).size - 9);
    expect(() => [...readSpill(file)]).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
  });
});

describe('the memory limit', () => {
  it('parses bytes and units, and names the flag when wrong', () => {
    expect(parseMemoryLimit('1048576', '--memory-limit')).toBe(1 << 20);
    expect(parseMemoryLimit('4MB', '--memory-limit')).toBe(4 << 20);
    expect(parseMemoryLimit('1.5g', '--memory-limit')).toBe(1.5 * 2 ** 30);
    expect(() => parseMemoryLimit('12XB', '--memory-limit')).toThrow(/--memory-limit: expected a number of bytes/);
    expect(() => parseMemoryLimit('-3', '--memory-limit')).toThrow(UsageError);
    expect(() => parseMemoryLimit('100', '--memory-limit')).toThrow(/--memory-limit: the memory limit must be .* at least 65536/);
  });

  it('a bad memoryLimit option is a USAGE error at open', async () => {
    await expect(Database.open(path.join(dir, 'bad'), { memoryLimit: 0.5 })).rejects.toThrow(/memoryLimit: the memory limit must be a whole number/);
  });

  it('an operator that cannot spill fails with MEMORY_LIMIT naming it', () => {
    const m = new MemoryAccountant(1000);
    expect(m.tryReserve(800)).toBe(true);
    expect(m.tryReserve(300)).toBe(false);
    let error: unknown;
    try {
      m.reserve(300, 'hash join build');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExecError);
    expect(error).toMatchObject({ code: 'MEMORY_LIMIT' });
    expect((error as Error).message).toMatch(/^hash join build needs about/);
  });

  it('opening a data directory removes the spill folders of processes that are gone, not its own', async () => {
    const data = path.join(dir, 'crashed');
    (await Database.open(data)).close();
    const stale = path.join(data, 'spill', '999999999-0-0-dead');
    const mine = path.join(data, 'spill', `${process.pid}-0-0-live`);
    for (const d of [stale, mine]) {
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'sort-run-0.kspl'), 'KSP1');
    }
    cleanStaleSpill(data);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(mine)).toBe(true);
    fs.rmSync(mine, { recursive: true });
    fs.mkdirSync(stale, { recursive: true });
    (await Database.open(data)).close();
    expect(fs.existsSync(stale)).toBe(false);
  });
});
