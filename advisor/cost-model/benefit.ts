/**
 * A saving over the logged workload as seconds per day: the log's queries
 * are taken as the workload of the days they span. A log shorter than a day
 * (a test, a benchmark run) counts as one day's workload rather than being
 * extrapolated from minutes.
 */
import type { Workload } from '../../workload-log/index.js';

/** Days the selected queries span, at least 1. */
export function workloadDays(w: Workload): number {
  let lo = Infinity;
  let hi = -Infinity;
  w.parts.forEach((p, k) => {
    const mask = w.masks[k];
    const s = p.queries.startMs;
    for (let i = 0; i < s.length; i++) {
      if (mask && !mask[i]) continue;
      if (s[i]! < lo) lo = s[i]!;
      if (s[i]! > hi) hi = s[i]!;
    }
  });
  return hi > lo ? Math.max(1, (hi - lo) / 86_400_000) : 1;
}

/** Milliseconds saved over the workload, as seconds per day (rounded to 0.001 s). */
export function secondsPerDay(msSavedOverWorkload: number, days: number): number {
  return Math.round((msSavedOverWorkload / 1000 / days) * 1000) / 1000;
}
