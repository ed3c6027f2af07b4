/**
 * What a window node computes, shared by the logical plan (arguments as
 * expressions over the input) and the physical plan (arguments as input
 * columns): the frame each function reads and the functions themselves.
 * One window node holds every function over one (PARTITION BY, ORDER BY):
 * its rows are sorted once for all of them.
 */
import type { SqlType } from '../types.js';
import type { AggFn } from '../functions/aggregate-kinds.js';

/**
 * A frame bound with its offset resolved to a constant. ROWS: rows. RANGE:
 * the distance in the single ORDER BY key's physical unit (a DECIMAL's scaled
 * integer, a DATE's days, a TIMESTAMP's microseconds), after `months` whole
 * months for an interval (a month is no fixed number of days).
 */
export type FrameBound =
  | { readonly kind: 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: number; readonly months: number };

export interface WindowFrame {
  readonly unit: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** The standard's default with ORDER BY: the partition's rows up to the current row's last peer. */
export const RUNNING_FRAME: WindowFrame = { unit: 'range', start: { kind: 'unboundedPreceding' }, end: { kind: 'currentRow' } };

/** The whole partition (the default without ORDER BY, where every row is a peer of every other). */
export const PARTITION_FRAME: WindowFrame = { unit: 'rows', start: { kind: 'unboundedPreceding' }, end: { kind: 'unboundedFollowing' } };

/** A sort key of LISTAGG's WITHIN GROUP: X is an expression (logical) or a column (physical). */
export interface WindowOrderKey<X> {
  readonly key: X;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/**
 * One window function. X is how an argument is given: an expression over the
 * node's input in the logical plan, an input column in the physical plan.
 * `type` is the result's.
 */
export type WindowFunc<X> =
  | { readonly kind: 'rowNumber' | 'rank' | 'denseRank' | 'percentRank' | 'cumeDist'; readonly type: SqlType }
  /** NTILE(buckets): null buckets make every row NULL. */
  | { readonly kind: 'ntile'; readonly buckets: number | null; readonly type: SqlType }
  /**
   * LAG / LEAD(arg, offset, fallback): arg on the row `offset` rows before
   * (after) in the partition, else the fallback's value on the current row (NULL
   * without one). The offset is a constant (`offset`, null for NULL) or, when
   * `offsetArg` is set, read per row; a negative offset looks the other way.
   */
  | {
      readonly kind: 'lag' | 'lead';
      readonly arg: X;
      readonly offset: number | null;
      readonly offsetArg: X | null;
      readonly fallback: X | null;
      readonly ignoreNulls: boolean;
      readonly type: SqlType;
    }
  | { readonly kind: 'firstValue' | 'lastValue'; readonly arg: X; readonly frame: WindowFrame; readonly ignoreNulls: boolean; readonly type: SqlType }
  | { readonly kind: 'nthValue'; readonly arg: X; readonly n: number | null; readonly frame: WindowFrame; readonly ignoreNulls: boolean; readonly type: SqlType }
  /**
   * An aggregate over the frame (arg null for COUNT(*)). DISTINCT forms, MEDIAN,
   * LISTAGG and the percentiles take the whole partition (the binder allows
   * them no ORDER BY).
   */
  | {
      readonly kind: 'aggregate';
      readonly fn: AggFn;
      readonly arg: X | null;
      readonly frame: WindowFrame;
      readonly order?: readonly WindowOrderKey<X>[];
      readonly separator?: string;
      readonly distinct?: boolean;
      /** PERCENTILE_CONT / PERCENTILE_DISC: the fraction and the WITHIN GROUP direction. */
      readonly fraction?: number;
      readonly desc?: boolean;
      readonly type: SqlType;
    };

/** A window ORDER BY key (logical: an expression). */
export interface WindowSortKey<X> {
  readonly key: X;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** The arguments a function reads, in a fixed order (for planning and for mapping them to columns). */
export function windowFuncArgs<X>(f: WindowFunc<X>): X[] {
  switch (f.kind) {
    case 'rowNumber':
    case 'rank':
    case 'denseRank':
    case 'percentRank':
    case 'cumeDist':
    case 'ntile':
      return [];
    case 'lag':
    case 'lead': {
      const out: X[] = [f.arg];
      if (f.offsetArg !== null) out.push(f.offsetArg);
      if (f.fallback !== null) out.push(f.fallback);
      return out;
    }
    case 'firstValue':
    case 'lastValue':
    case 'nthValue':
      return [f.arg];
    case 'aggregate': {
      const out: X[] = f.arg === null ? [] : [f.arg];
      for (const o of f.order ?? []) out.push(o.key);
      return out;
    }
  }
}

/** The function with each argument replaced by map(argument). */
export function mapWindowFunc<X, Y>(f: WindowFunc<X>, map: (x: X) => Y): WindowFunc<Y> {
  switch (f.kind) {
    case 'rowNumber':
    case 'rank':
    case 'denseRank':
    case 'percentRank':
    case 'cumeDist':
    case 'ntile':
      return f;
    case 'lag':
    case 'lead':
      return { ...f, arg: map(f.arg), offsetArg: f.offsetArg === null ? null : map(f.offsetArg), fallback: f.fallback === null ? null : map(f.fallback) };
    case 'firstValue':
    case 'lastValue':
    case 'nthValue':
      return { ...f, arg: map(f.arg) };
    case 'aggregate': {
      const { order, ...rest } = f;
      const arg = f.arg === null ? null : map(f.arg);
      return order ? { ...rest, arg, order: order.map((o) => ({ ...o, key: map(o.key) })) } : { ...rest, arg };
    }
  }
}
