/**
 * Typed errors with stable codes. A KeelError is a user-facing error: the CLI
 * prints its message (and caret excerpt, when there is one) without a stack.
 * Anything that is not a KeelError is a bug and is printed with its stack.
 */

export type ErrorCode =
  // SQL text and binding
  | 'SYNTAX'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'AMBIGUOUS_COLUMN'
  | 'TYPE_MISMATCH'
  | 'DUPLICATE_OBJECT'
  | 'INVALID_DDL'
  /** A DDL change that other objects (views) depend on: refused unless CASCADE drops them too. */
  | 'DEPENDENT_OBJECTS'
  | 'UNSUPPORTED'
  /** $n in a statement run without a value for it (not as a prepared statement, or with fewer parameters). */
  | 'UNDEFINED_PARAMETER'
  /** A query reads a stats-only table (imported statistics, no rows): its answer would be wrong, so it is refused. */
  | 'STATS_ONLY'
  /** Nesting beyond the stated limits (docs/sql.md, "Limits"): deeper than the engine can bind, plan and compile. */
  | 'TOO_COMPLEX'
  // users and privileges
  /** A user named in CREATE/ALTER/DROP USER, GRANT or REVOKE that does not exist. */
  | 'UNKNOWN_USER'
  /** The session's user lacks the privilege the statement needs (GRANT, ownership, superuser). */
  | 'INSUFFICIENT_PRIVILEGE'
  // runtime
  | 'DIVISION_BY_ZERO'
  | 'OVERFLOW'
  | 'INVALID_VALUE'
  | 'CARDINALITY'
  /** The statement was cancelled (Ctrl-C at the prompt, an AbortSignal, a cancel flag): its work stopped, it changed nothing. */
  | 'CANCELLED'
  /** A query's operator state would exceed the memory limit (docs/memory.md) in an operator that cannot spill, or still after spilling. */
  | 'MEMORY_LIMIT'
  // transactions
  /** A statement after a failed one in the same transaction block: nothing runs until ROLLBACK (or END/COMMIT, which roll back). */
  | 'TRANSACTION_ABORTED'
  /** A transaction's snapshot is stale for its first write: another transaction committed since it began reading. */
  | 'SERIALIZATION'
  // data loading
  | 'LOAD_FORMAT'
  | 'LOAD_VALUE'
  | 'FILE_NOT_FOUND'
  // storage and data directory
  | 'NOT_A_DATA_DIR'
  | 'CORRUPT'
  | 'VERSION'
  | 'LOCKED'
  | 'IO'
  // online (background) changes
  | 'CONFLICT'
  | 'ABORTED'
  // command line
  | 'USAGE';

export interface SourcePosition {
  /** 0-based offset into the SQL text. */
  offset: number;
  /** 1-based line and column. */
  line: number;
  column: number;
}

export class KeelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** How much of a long line SqlError.describe() shows. */
const EXCERPT_CHARS = 160;

/** An error in SQL text or its meaning; carries the position when known. */
export class SqlError extends KeelError {
  readonly position: SourcePosition | undefined;
  /** The SQL text the position refers to, for the caret excerpt. */
  readonly sql: string | undefined;
  constructor(code: ErrorCode, message: string, position?: SourcePosition, sql?: string) {
    super(code, message);
    this.position = position;
    this.sql = sql;
  }

  /**
   * "line 2, column 7: message" followed by the offending line and a caret.
   * A line longer than EXCERPT_CHARS (a generated statement of 20,000 terms)
   * is cut to that many characters around the caret, "..." where it is cut.
   */
  describe(): string {
    if (!this.position || this.sql === undefined) return this.message;
    const { line, column } = this.position;
    let lineText = this.sql.split(/\r?\n/)[line - 1] ?? '';
    let at = Math.max(0, column - 1);
    if (lineText.length > EXCERPT_CHARS) {
      const start = Math.max(0, Math.min(at - EXCERPT_CHARS / 2, lineText.length - EXCERPT_CHARS));
      const end = start + EXCERPT_CHARS;
      lineText = (start > 0 ? '...' : '') + lineText.slice(start, end) + (end < lineText.length ? '...' : '');
      at = at - start + (start > 0 ? 3 : 0);
    }
    const caret = ' '.repeat(at) + '^';
    return `line ${line}, column ${column}: ${this.message}\n  ${lineText}\n  ${caret}`;
  }
}

/** A runtime failure of a query (division by zero, overflow, bad cast). */
export class ExecError extends KeelError {}

/** A value or format problem while loading a file; names file, line and column. */
export class LoadError extends KeelError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: string | undefined;
  constructor(code: ErrorCode, message: string, file: string, line?: number, column?: string) {
    const where = [file, line !== undefined ? `line ${line}` : undefined, column !== undefined ? `column ${column}` : undefined]
      .filter((s) => s !== undefined)
      .join(', ');
    super(code, `${where}: ${message}`);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** The data directory or a table file is unreadable, foreign or damaged. */
export class StorageError extends KeelError {}

/** A command-line mistake: unknown flag, missing argument. */
export class UsageError extends KeelError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** TOO_COMPLEX errors made from a stack overflow, rather than from a stated limit. */
const overflows = new WeakSet<SqlError>();

/** Marks a TOO_COMPLEX error as standing for a stack overflow (see isStackOverflow); returns it. */
export function overflowError(e: SqlError): SqlError {
  overflows.add(e);
  return e;
}

/** Whether `e` is the JavaScript stack overflowing (also as relayed from a worker thread), or an error made from one. */
export function isStackOverflow(e: unknown): boolean {
  if (e instanceof SqlError) return overflows.has(e);
  return e instanceof Error && e.message.includes('Maximum call stack size exceeded');
}

/**
 * A stack overflow anywhere in binding, planning or running a statement as the
 * TOO_COMPLEX SqlError it means, at the statement's start; any other error as it is.
 * The nesting limits (sql/nesting.ts) keep statements far from it; this is the backstop.
 */
export function tooComplexIfOverflow(e: unknown, sql: string): unknown {
  if (!isStackOverflow(e) || e instanceof SqlError) return e;
  return overflowError(new SqlError('TOO_COMPLEX', 'statement too complex: too deeply nested or too large to run', positionAt(sql, 0), sql));
}

/** Computes line and column (1-based) of an offset in a text. */
export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}
