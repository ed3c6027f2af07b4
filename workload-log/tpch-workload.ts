/**
 * `keel gen workload tpch`: a trace of the 22 TPC-H queries with their
 * substitution parameters drawn as the TPC-H specification (clause 2.4.x.3 of
 * each query) defines them, in a weighted mix that looks like a warehouse's
 * day: dashboards refreshing a handful of reports often, analysts running the
 * heavier questions now and then (docs/workload-log.md lists the weights).
 * Arrivals are a Poisson process. Seeded and deterministic: the same
 * --queries, --seed and --sf give the same trace byte for byte.
 */
import { COLORS, CONTAINERS, NATIONS, PART_TYPES, REGIONS, SEGMENTS, SHIP_MODES } from '../engine/gen/tpch-dists.js';
import { TEMPLATES } from './tpch-templates.js';
import type { TraceLine } from './trace.js';

export type TpchParams = Readonly<Record<string, string | number>>;

/** A small seeded generator (mulberry32): uniform draws, reproducible across platforms. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  /** k distinct values of xs. */
  distinct<T>(xs: readonly T[], k: number): T[] {
    const pool = [...xs];
    const out: T[] = [];
    for (let i = 0; i < k; i++) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]!);
    return out;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
/** First day of month `m` (0-based, counted from January 1993). */
const monthFrom1993 = (m: number) => `${1993 + Math.floor(m / 12)}-${pad((m % 12) + 1)}-01`;
const janFirst = (r: Rng) => `${r.int(1993, 1997)}-01-01`;
const brand = (r: Rng) => `Brand#${r.int(1, 5)}${r.int(1, 5)}`;
const nation = (r: Rng) => r.pick(NATIONS)[0];
const typeWords = (r: Rng) => r.pick(PART_TYPES.values).split(' ');
const SYLLABLE3 = [...new Set(PART_TYPES.values.map((t) => t.split(' ')[2]!))];

/** Substitution parameters per query, by the specification's rules (Q1 first). */
export const PARAMETERS: readonly ((r: Rng, sf: number) => TpchParams)[] = [
  // 2.4.1.3: DELTA in [60, 120]
  (r) => ({ delta: r.int(60, 120) }),
  // 2.4.2.3: SIZE in [1, 50]; TYPE a third syllable; REGION an R_NAME
  (r) => ({ size: r.int(1, 50), type: r.pick(SYLLABLE3), region: r.pick(REGIONS) }),
  // 2.4.3.3: SEGMENT a market segment; DATE a day in [1995-03-01, 1995-03-31]
  (r) => ({ segment: r.pick(SEGMENTS.values), date: `1995-03-${pad(r.int(1, 31))}` }),
  // 2.4.4.3: DATE the first of a month from January 1993 to October 1997
  (r) => ({ date: monthFrom1993(r.int(0, 57)) }),
  // 2.4.5.3: REGION; DATE January 1st of a year in [1993, 1997]
  (r) => ({ region: r.pick(REGIONS), date: janFirst(r) }),
  // 2.4.6.3: DATE January 1st of [1993, 1997]; DISCOUNT in [0.02, 0.09]; QUANTITY in [24, 25]
  (r) => ({ date: janFirst(r), discount: `.0${r.int(2, 9)}`, quantity: r.int(24, 25) }),
  // 2.4.7.3: NATION1 and NATION2, different
  (r) => {
    const [a, b] = r.distinct(NATIONS, 2);
    return { nation1: a![0], nation2: b![0] };
  },
  // 2.4.8.3: NATION; REGION the nation's region; TYPE a part type
  (r) => {
    const [name, region] = r.pick(NATIONS);
    return { nation: name, region: REGIONS[region]!, type: r.pick(PART_TYPES.values) };
  },
  // 2.4.9.3: COLOR a P_NAME word
  (r) => ({ color: r.pick(COLORS.values) }),
  // 2.4.10.3: DATE the first of a month from February 1993 to January 1995
  (r) => ({ date: monthFrom1993(r.int(1, 24)) }),
  // 2.4.11.3: NATION; FRACTION 0.0001 / SF
  (r, sf) => ({ nation: nation(r), fraction: (0.0001 / sf).toFixed(10) }),
  // 2.4.12.3: SHIPMODE1 and SHIPMODE2, different; DATE January 1st of [1993, 1997]
  (r) => {
    const [a, b] = r.distinct(SHIP_MODES.values, 2);
    return { shipmode1: a!, shipmode2: b!, date: janFirst(r) };
  },
  // 2.4.13.3: WORD1 and WORD2 from four values each
  (r) => ({ word1: r.pick(['special', 'pending', 'unusual', 'express']), word2: r.pick(['packages', 'requests', 'accounts', 'deposits']) }),
  // 2.4.14.3: DATE the first of a month of a year in [1993, 1997]
  (r) => ({ date: monthFrom1993(r.int(0, 59)) }),
  // 2.4.15.3: DATE the first of a month from January 1993 to October 1997
  (r) => ({ date: monthFrom1993(r.int(0, 57)) }),
  // 2.4.16.3: BRAND Brand#MN, M and N in [1, 5]; TYPE two syllables; SIZE1..8 distinct in [1, 50]
  (r) => {
    const [s1, s2] = typeWords(r);
    const sizes = r.distinct(Array.from({ length: 50 }, (_, i) => i + 1), 8);
    return { brand: brand(r), type: `${s1} ${s2}`, sizes: sizes.join(', ') };
  },
  // 2.4.17.3: BRAND; CONTAINER a container
  (r) => ({ brand: brand(r), container: r.pick(CONTAINERS.values) }),
  // 2.4.18.3: QUANTITY in [312, 315]
  (r) => ({ quantity: r.int(312, 315) }),
  // 2.4.19.3: QUANTITY1 in [1, 10], QUANTITY2 in [10, 20], QUANTITY3 in [20, 30]; BRAND1..3
  (r) => ({ quantity1: r.int(1, 10), quantity2: r.int(10, 20), quantity3: r.int(20, 30), brand1: brand(r), brand2: brand(r), brand3: brand(r) }),
  // 2.4.20.3: COLOR; DATE January 1st of [1993, 1997]; NATION
  (r) => ({ color: r.pick(COLORS.values), date: janFirst(r), nation: nation(r) }),
  // 2.4.21.3: NATION
  (r) => ({ nation: nation(r) }),
  // 2.4.22.3: I1..I7 distinct country codes in [10, 34]
  (r) => ({ codes: r.distinct(Array.from({ length: 25 }, (_, i) => i + 10), 7).map((c) => `'${c}'`).join(', ') }),
];

/** The SQL of query q (1..22) for the given parameters. */
export function tpchQuery(q: number, params: TpchParams): string {
  const t = TEMPLATES[q - 1];
  if (!t) throw new RangeError(`TPC-H has queries 1 to 22, not ${q}`);
  return t(params);
}

/**
 * Who runs what, and how often (weights out of 100): the dashboards' reports
 * (pricing summary, revenue forecast, shipping priority, order priority, local
 * supplier volume, returned items, shipping modes, promotion effect) run all
 * day; analysts ask the rest, the heavy ones (Q9, Q13, Q18, Q21) least.
 */
export const MIX: readonly { readonly query: number; readonly weight: number; readonly user: 'dashboard' | 'analyst' }[] = [
  { query: 1, weight: 10, user: 'dashboard' },
  { query: 6, weight: 12, user: 'dashboard' },
  { query: 3, weight: 10, user: 'dashboard' },
  { query: 4, weight: 6, user: 'dashboard' },
  { query: 5, weight: 6, user: 'dashboard' },
  { query: 10, weight: 6, user: 'dashboard' },
  { query: 12, weight: 6, user: 'dashboard' },
  { query: 14, weight: 8, user: 'dashboard' },
  { query: 2, weight: 3, user: 'analyst' },
  { query: 7, weight: 3, user: 'analyst' },
  { query: 8, weight: 3, user: 'analyst' },
  { query: 9, weight: 2, user: 'analyst' },
  { query: 11, weight: 3, user: 'analyst' },
  { query: 13, weight: 2, user: 'analyst' },
  { query: 15, weight: 3, user: 'analyst' },
  { query: 16, weight: 3, user: 'analyst' },
  { query: 17, weight: 2, user: 'analyst' },
  { query: 18, weight: 2, user: 'analyst' },
  { query: 19, weight: 3, user: 'analyst' },
  { query: 20, weight: 2, user: 'analyst' },
  { query: 21, weight: 1, user: 'analyst' },
  { query: 22, weight: 4, user: 'analyst' },
];

export interface TpchWorkloadOptions {
  queries: number;
  seed?: number;
  /** Scale factor of the data the trace will run on (Q11's FRACTION is 0.0001 / SF; default 1). */
  sf?: number;
  /** Time of the first query (default 2024-01-01T08:00:00Z, so traces are reproducible). */
  startMs?: number;
  /** Mean time between arrivals in ms (default 2000). */
  meanGapMs?: number;
}

export interface TpchTraceLine extends TraceLine {
  readonly ts: string;
  readonly user: string;
  readonly session: string;
}

/** The trace's lines, in arrival order. */
export function* tpchWorkload(options: TpchWorkloadOptions): Generator<TpchTraceLine & { readonly query: number }> {
  const r = new Rng(options.seed ?? 1);
  const sf = options.sf ?? 1;
  const meanGap = options.meanGapMs ?? 2000;
  const total = MIX.reduce((a, m) => a + m.weight, 0);
  let t = options.startMs ?? Date.UTC(2024, 0, 1, 8, 0, 0);
  for (let i = 0; i < options.queries; i++) {
    let x = r.next() * total;
    let m = MIX[0]!;
    for (const c of MIX) {
      m = c;
      if ((x -= c.weight) < 0) break;
    }
    const user = m.user === 'dashboard' ? 'dashboard' : `analyst${r.int(1, 4)}`;
    yield {
      query: m.query,
      ts: new Date(Math.round(t)).toISOString(),
      sql: tpchQuery(m.query, PARAMETERS[m.query - 1]!(r, sf)),
      user,
      session: user,
    };
    t += -Math.log(1 - r.next()) * meanGap;
  }
}
