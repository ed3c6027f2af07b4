/**
 * The workload without the advisor's own statements: its sampling SELECTs,
 * skew counts and ALTERs are logged with source "advisor", and counting them
 * would make the advisor recommend for its own reads.
 */
import type { Workload } from '../workload-log/index.js';

export function withoutAdvisor(w: Workload): Workload {
  let queries = 0;
  const masks = w.parts.map((p, k) => {
    const src = p.queries.source;
    const advisor = src.dict.indexOf('advisor');
    const prior = w.masks[k];
    if (advisor < 0) {
      queries += prior ? prior.reduce((a, b) => a + b, 0) : p.queries.length;
      return prior;
    }
    const mask = new Uint8Array(p.queries.length);
    for (let i = 0; i < mask.length; i++) {
      mask[i] = (prior ? prior[i]! : 1) && src.codes[i] !== advisor ? 1 : 0;
      queries += mask[i]!;
    }
    return mask;
  });
  return { parts: w.parts, masks, queries };
}
