/**
 * Result columns on the wire: each column's description and the writer of its
 * values in the format the client asked for (text, or binary for the types
 * pg-binary.ts knows), chosen once per column; then DataRows from keel's text
 * rows.
 */
import type { ResultColumn } from '../engine/index.js';
import { binaryOut } from './pg-binary.js';
import { pgColumnType } from './pg-types.js';
import type { ColumnDescription } from './protocol/backend.js';
import type { MessageWriter } from './protocol/writer.js';

/** Writes one non-NULL value (keel's text of it) as a DataRow field: its length, then its bytes. */
export type ValueOut = (w: MessageWriter, keelText: string) => void;

export interface WireColumns {
  readonly descriptions: readonly ColumnDescription[];
  readonly formats: readonly number[];
  readonly outs: readonly ValueOut[];
}

/** `formats`: one format code per column (0 text, 1 binary). */
export function wireColumns(columns: readonly ResultColumn[], formats: readonly number[]): WireColumns {
  const descriptions: ColumnDescription[] = [];
  const outs: ValueOut[] = [];
  columns.forEach((c, i) => {
    const t = pgColumnType(c.type);
    descriptions.push({ name: c.name, ...t.description });
    if (formats[i] === 1) outs.push(binaryOut(t.description.typeOid));
    else {
      const text = t.textOut;
      outs.push(text ? (w, s) => w.lengthPrefixed(text(s)) : (w, s) => w.lengthPrefixed(s));
    }
  });
  return { descriptions, formats, outs };
}

/**
 * The format of each of `n` columns from a Bind's result format codes: none
 * means all text, one applies to every column, else one per column. Null when
 * the count fits neither (the Bind is refused).
 */
export function columnFormats(codes: readonly number[], n: number): number[] | null {
  if (codes.length === 0) return new Array<number>(n).fill(0);
  if (codes.length === 1) return new Array<number>(n).fill(codes[0]!);
  return codes.length === n ? [...codes] : null;
}

/** One DataRow. */
export function writeDataRow(w: MessageWriter, row: readonly (string | null)[], outs: readonly ValueOut[]): void {
  w.begin('D').int16(row.length);
  for (let c = 0; c < row.length; c++) {
    const v = row[c];
    if (v === null || v === undefined) w.int32(-1);
    else outs[c]!(w, v);
  }
  w.end();
}
