/**
 * Ranking window functions, from the partitions and peer groups alone:
 * ROW_NUMBER, RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST and NTILE. They take
 * no frame (a frame written with them is ignored, as in PostgreSQL).
 */
import type { Vector } from '../../types.js';
import type { WindowFunc } from '../../plan/window-spec.js';
import type { WindowLayout } from './window-layout.js';

type RankFunc = Extract<WindowFunc<number>, { kind: 'rowNumber' | 'rank' | 'denseRank' | 'percentRank' | 'cumeDist' | 'ntile' }>;

/** The function's value for every input row, as BIGINT or DOUBLE PRECISION (both f64). */
export function ranking(f: RankFunc, layout: WindowLayout): Vector {
  const { n, perm, parts, peerStart, peerEnd } = layout;
  const out = new Float64Array(n);
  if (f.kind === 'ntile' && f.buckets === null) return { kind: 'f64', values: out, nulls: new Uint8Array(n).fill(1), length: n };
  for (let p = 0; p + 1 < parts.length; p++) {
    const s = parts[p]!;
    const e = parts[p + 1]!;
    const size = e - s;
    switch (f.kind) {
      case 'rowNumber':
        for (let i = s; i < e; i++) out[perm[i]!] = i - s + 1;
        break;
      case 'rank':
        for (let i = s; i < e; i++) out[perm[i]!] = peerStart[i]! - s + 1;
        break;
      case 'denseRank': {
        let r = 0;
        for (let i = s; i < e; i++) {
          if (peerStart[i] === i) r++;
          out[perm[i]!] = r;
        }
        break;
      }
      case 'percentRank':
        for (let i = s; i < e; i++) out[perm[i]!] = size > 1 ? (peerStart[i]! - s) / (size - 1) : 0;
        break;
      case 'cumeDist':
        for (let i = s; i < e; i++) out[perm[i]!] = (peerEnd[i]! - s) / size;
        break;
      case 'ntile': {
        // size rows in k buckets: the first size % k buckets hold one row more than the others
        const k = f.buckets!;
        const q = Math.floor(size / k);
        const big = size % k;
        const cut = big * (q + 1);
        for (let i = s; i < e; i++) {
          const j = i - s;
          out[perm[i]!] = j < cut ? Math.floor(j / (q + 1)) + 1 : big + Math.floor((j - cut) / q) + 1;
        }
        break;
      }
    }
  }
  return { kind: 'f64', values: out, nulls: null, length: n };
}
