/**
 * Logged predicates as the zone-map tests the engine's scan applies
 * (engine/exec/ops/scan.ts mayMatch): the literal turned into the column's
 * physical value (days for dates, scaled integers for decimals, microseconds
 * for timestamps), and which operators can skip a block at all.
 */
import type { SqlType } from '../../engine/index.js';
import { physicalFromText, physicalKind } from '../../engine/index.js';
import type { LoggedPredicate } from './scans.js';

/** eq, lt, le, gt, ge compare with `value`; prefix keeps strings in [value, value + U+FFFF). */
export type ZoneOp = 'eq' | 'lt' | 'le' | 'gt' | 'ge' | 'prefix';

export interface ZoneTest {
  readonly column: string;
  readonly op: ZoneOp;
  readonly value: number | string;
}

const OPS: Readonly<Record<string, ZoneOp>> = { '=': 'eq', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

/** A literal as the column's physical value; NaN when it does not read as one. */
export const physicalValue = (literal: string, type: SqlType): number | string => physicalFromText(literal, type);

/**
 * The zone-map test of a logged predicate, or null when zone maps cannot use
 * it: <>, NOT IN, NOT LIKE, expressions ("other"), a LIKE with no fixed
 * prefix, and IN — the log keeps only an IN list's first value, so the blocks
 * its other values need are unknown and the what-if does not prune on it.
 */
export function zoneTest(p: LoggedPredicate, type: SqlType): ZoneTest | null {
  if (p.literal === null) return null;
  if (p.op === 'like') {
    if (physicalKind(type) !== 'str') return null;
    const m = /^[^%_\\]*/.exec(p.literal)![0];
    return m.length ? { column: p.column, op: 'prefix', value: m } : null;
  }
  const op = OPS[p.op];
  if (!op) return null;
  const value = physicalValue(p.literal, type);
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  if (typeof value === 'string' && physicalKind(type) !== 'str') return null;
  return { column: p.column, op, value };
}

/** Whether a block with these bounds may hold a row passing the test (as the engine's scan decides). */
export function mayMatch(min: number | string, max: number | string, t: ZoneTest): boolean {
  const v = t.value;
  switch (t.op) {
    case 'eq':
      return v >= min && v <= max;
    case 'lt':
      return min < v;
    case 'le':
      return min <= v;
    case 'gt':
      return max > v;
    case 'ge':
      return max >= v;
    case 'prefix':
      return (max as string) >= (v as string) && (min as string) < (v as string) + '\uffff';
  }
}
