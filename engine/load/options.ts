/**
 * What a load is told, and what it hands back: the options of readFile (shared
 * by `keel load`, Database.load and COPY) and the batches it yields. A module
 * of its own so the readers can name these types without importing the entry
 * point that imports them (no import cycle).
 */
import type { LoadError } from '../errors.js';
import type { Batch } from '../types.js';

export interface LoadOptions {
  /** Default: by extension: .parquet → parquet; .arrow, .arrows, .ipc, .feather → arrow; anything else text (gzip'd when it ends in .gz or starts with gzip's magic bytes). */
  format?: 'text' | 'parquet' | 'arrow';
  /** Text: one character; the two characters `\t` also mean tab. Default '|' for .tbl, ',' for .csv, tab for .tsv (also with .gz), else '|'. */
  delimiter?: string;
  /** Text: the first record is a header and is skipped (columns are matched by position). */
  header?: boolean;
  /** Text: this many records at the start are skipped (COPY's IGNOREHEADER); `header` is 1. */
  ignoreHeader?: number;
  /** Text: an unquoted field equal to this is NULL. Default `\N`. Empty unquoted fields are NULL in every column unless emptyAsNull is false. */
  nullAs?: string;
  /** Text: the quote character, default '"'; '' turns quoting off. */
  quote?: string;
  /** Text: the file is gzip'd (true), or not (false); default: by name (.gz) or gzip's magic bytes. */
  gzip?: boolean;
  /** Text: an empty unquoted field in a CHAR or VARCHAR column is NULL (default true); false loads the empty string (Redshift COPY without EMPTYASNULL). */
  emptyAsNull?: boolean;
  /** Text: a CHAR or VARCHAR field of nothing but blanks is NULL (COPY's BLANKSASNULL). */
  blanksAsNull?: boolean;
  /** A CHAR or VARCHAR value longer than the column is cut to fit, at a character boundary (COPY's TRUNCATECOLUMNS), instead of an error. */
  truncateColumns?: boolean;
  /** Text: each invalid UTF-8 sequence becomes this character instead of an error (COPY's ACCEPTINVCHARS). */
  acceptInvChars?: string;
  /** Text: how DATE fields are written: 'auto' (several common forms) or a pattern like 'MM/DD/YYYY' (datetime-format.ts). Default: ISO forms only. */
  dateFormat?: string;
  /** Text: how TIMESTAMP fields are written: 'auto', 'epochsecs', 'epochmillisecs' or a pattern like 'YYYY-MM-DD HH24:MI:SS'. */
  timeFormat?: string;
  /** Parquet and Arrow: table columns take the file's columns in order (COPY, as Redshift), instead of by name. */
  matchByPosition?: boolean;
  /**
   * Text: called for each record that cannot be loaded, instead of failing;
   * the record is skipped. Throwing from it stops the load with that error.
   * Parquet and Arrow ignore it: a bad value there fails the load.
   */
  onBadRecord?: (bad: BadRecord) => void;
  /** Rows per batch, default 65,536. */
  batchRows?: number;
}

/** A record a text load skipped (onBadRecord): the error, with the record's text and the bad field's. */
export interface BadRecord {
  readonly error: LoadError;
  /** The record as it is in the file (its line end excluded), cut to 1,024 characters. */
  readonly rawLine: string;
  /** The field that was bad, when one was (cut to 1,024 characters). */
  readonly rawField: string | null;
}

/** A batch plus progress: bytes of the file consumed so far (compressed bytes for .gz) and the file's size. */
export interface LoadedBatch extends Batch {
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export const DEFAULT_BATCH_ROWS = 65_536;
