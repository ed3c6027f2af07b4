/** What a built-in data generator hands to the loader, and helpers for building its batches. */
import type { Batch, ColumnDef, F64Vector, I32Vector, SqlType, StrVector } from '../types.js';
import { typeName } from '../types.js';

export interface GeneratedTable {
  /** Table name, e.g. 'lineitem'. */
  readonly name: string;
  /** CREATE TABLE statement (plain types, no layout clauses). */
  readonly ddl: string;
  readonly columns: readonly ColumnDef[];
  /** Exact number of rows that batches() yields. */
  readonly rows: number;
  /**
   * The rows in physical form, in batches of BATCH_ROWS (the last one shorter).
   * Deterministic: every call regenerates the same batches from scratch.
   */
  batches(): Iterable<Batch>;
}

/** Rows per generated batch. */
export const BATCH_ROWS = 65_536;

export const INTEGER: SqlType = { id: 'integer' };
export const DATE: SqlType = { id: 'date' };
export const MONEY: SqlType = { id: 'decimal', precision: 15, scale: 2 };
export const char = (length: number): SqlType => ({ id: 'char', length });
export const varchar = (length: number): SqlType => ({ id: 'varchar', length });

export function col(name: string, type: SqlType, notNull = true): ColumnDef {
  return { name, type, notNull };
}

/** `create table name (c1 type not null, ...)`, types spelled as in the TPC-H schema file. */
export function createTableSql(name: string, columns: readonly ColumnDef[]): string {
  const body = columns.map((c) => `${c.name} ${typeName(c.type)}${c.notNull ? ' not null' : ''}`).join(', ');
  return `create table ${name} (${body})`;
}

export function i32Vector(values: Int32Array, length: number): I32Vector {
  return { kind: 'i32', values: length === values.length ? values : values.slice(0, length), nulls: null, length };
}

export function f64Vector(values: Float64Array, length: number): F64Vector {
  return { kind: 'f64', values: length === values.length ? values : values.slice(0, length), nulls: null, length };
}

/** Codes into a fixed dictionary (shared, never mutated). */
export function dictVector(codes: Uint32Array, length: number, dict: readonly string[]): StrVector {
  return { kind: 'str', codes: length === codes.length ? codes : codes.slice(0, length), dict, nulls: null, length };
}

/** One dictionary entry per row (for values that are (nearly) all distinct). */
export function distinctVector(values: string[]): StrVector {
  const n = values.length;
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) codes[i] = i;
  return { kind: 'str', codes, dict: n ? values : [''], nulls: null, length: n };
}

/**
 * Interns small non-negative integer keys (e.g. clerk numbers) into a per-batch
 * dictionary, so a batch's dictionary holds only the values it uses.
 */
export class KeyInterner {
  private readonly ids: Int32Array;
  private dict: string[] = [];
  private codes: Uint32Array;
  private n = 0;

  constructor(
    maxKey: number,
    private readonly format: (key: number) => string,
    capacity = BATCH_ROWS,
  ) {
    this.ids = new Int32Array(maxKey + 1).fill(-1);
    this.codes = new Uint32Array(capacity);
  }

  add(key: number): void {
    let id = this.ids[key]!;
    if (id < 0) {
      id = this.dict.length;
      this.ids[key] = id;
      this.dict.push(this.format(key));
    }
    this.codes[this.n++] = id;
  }

  /** The vector of the values added since the last flush; resets the interner. */
  flush(): StrVector {
    const v: StrVector = {
      kind: 'str',
      codes: this.codes.slice(0, this.n),
      dict: this.dict.length ? this.dict : [''],
      nulls: null,
      length: this.n,
    };
    this.ids.fill(-1);
    this.dict = [];
    this.n = 0;
    return v;
  }
}
