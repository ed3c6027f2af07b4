/**
 * A query result as a Parquet file (hyparquet-writer, snappy), with the
 * types COPY and other readers take back exactly: SMALLINT and INTEGER as
 * INT32 (INT_16 / INT_32), BIGINT as INT64, DECIMAL(p,s) as INT64 DECIMAL(p,s)
 * (its exact scaled integer), REAL as FLOAT, DOUBLE PRECISION as DOUBLE,
 * BOOLEAN, CHAR/VARCHAR as UTF-8 strings, DATE as INT32 DATE, TIMESTAMP and
 * TIMESTAMPTZ as INT64 microseconds (TIMESTAMPTZ adjusted to UTC). Every
 * column is optional (nullable), as Redshift writes them.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import type { Field } from '../plan/physical.js';
import type { Batch, SqlType, Vector } from '../types.js';

function element(name: string, type: SqlType): SchemaElement {
  const base = { name, repetition_type: 'OPTIONAL' as const };
  switch (type.id) {
    case 'smallint':
      return { ...base, type: 'INT32', converted_type: 'INT_16' };
    case 'integer':
      return { ...base, type: 'INT32' };
    case 'bigint':
      return { ...base, type: 'INT64' };
    case 'decimal':
      return { ...base, type: 'INT64', converted_type: 'DECIMAL', precision: type.precision ?? 18, scale: type.scale ?? 0 };
    case 'real':
      return { ...base, type: 'FLOAT' };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    case 'char':
    case 'varchar':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE' };
    case 'timestamp':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } };
    case 'timestamptz':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } };
  }
}

/** Rows [from, to) of one column as the values hyparquet-writer takes (NULL as null). */
function values(v: Vector, type: SqlType, from: number, to: number): unknown[] {
  const out = new Array<unknown>(to - from);
  const nulls = v.nulls;
  const wide = type.id === 'bigint' || type.id === 'decimal' || type.id === 'timestamp' || type.id === 'timestamptz';
  for (let i = from; i < to; i++) {
    if (nulls !== null && nulls[i] === 1) {
      out[i - from] = null;
      continue;
    }
    switch (v.kind) {
      case 'str':
        out[i - from] = v.dict[v.codes[i]!]!;
        break;
      case 'bool':
        out[i - from] = v.values[i] === 1;
        break;
      case 'i32':
        out[i - from] = v.values[i]!;
        break;
      case 'f64':
        out[i - from] = wide ? BigInt(v.values[i]!) : v.values[i]!;
        break;
    }
  }
  return out;
}

/** Rows [from, to) of the result as the bytes of a Parquet file. */
export function parquetFile(fields: readonly Field[], batch: Batch, from: number, to: number): Uint8Array {
  const schema: SchemaElement[] = [{ name: 'schema', num_children: fields.length }, ...fields.map((f) => element(f.name, f.type))];
  const columnData = fields.map((f, k) => ({ name: f.name, data: values(batch.columns[k]!, f.type, from, to) as never[] }));
  return new Uint8Array(parquetWriteBuffer({ columnData, schema }));
}
