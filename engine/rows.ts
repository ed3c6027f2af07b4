/** Building batches from plain values (already in physical form: scaled decimals, days, microseconds, strings). */
import type { Batch, SqlType, Vector } from './types.js';
import { physicalKind } from './types.js';

export type PhysicalValue = number | string | null;

export function vectorFromValues(type: SqlType, values: readonly PhysicalValue[]): Vector {
  const n = values.length;
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (values[i] === null) (nulls ??= new Uint8Array(n))[i] = 1;
  }
  const kind = physicalKind(type);
  if (kind === 'str') {
    const dict: string[] = [];
    const ids = new Map<string, number>();
    const codes = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null) continue;
      const s = String(v);
      let id = ids.get(s);
      if (id === undefined) {
        id = dict.length;
        ids.set(s, id);
        dict.push(s);
      }
      codes[i] = id;
    }
    return { kind, codes, dict: dict.length ? dict : [''], nulls, length: n };
  }
  const values2 = kind === 'i32' ? new Int32Array(n) : kind === 'f64' ? new Float64Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) values2[i] = values[i] === null ? 0 : Number(values[i]);
  return { kind, values: values2, nulls, length: n } as Vector;
}

/** A batch from rows of physical values, one type per column. */
export function batchFromRows(types: readonly SqlType[], rows: readonly (readonly PhysicalValue[])[]): Batch {
  return {
    length: rows.length,
    columns: types.map((t, c) => vectorFromValues(t, rows.map((r) => r[c] ?? null))),
  };
}
