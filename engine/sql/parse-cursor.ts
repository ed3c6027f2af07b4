/**
 * What the statement parsers (parse-ddl.ts, parse-dml.ts, ...) may use of the
 * parser: the token cursor, its errors, names, and the entry points into
 * queries, expressions and types. Each family of statements parses in its own
 * file against this interface, so parser.ts keeps to queries and expressions.
 */
import type { SqlError, ErrorCode } from '../errors.js';
import type { SqlType } from '../types.js';
import type * as ast from './ast.js';
import type { Token } from './lexer.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ParserCursor {
  /** The statement's source text. */
  readonly sql: string;
  /** The current token. */
  readonly tok: Token;
  peek(k: number): Token;
  advance(): Token;
  /** End offset of the last consumed token. */
  lastEnd(): number;
  isWord(w: string, k?: number): boolean;
  isOp(op: string, k?: number): boolean;
  acceptWord(w: string): boolean;
  acceptOp(op: string): boolean;
  expectWord(w: string): Token;
  expectOp(op: string): Token;

  error(code: ErrorCode, message: string, at: number): SqlError;
  unexpected(t?: Token): SqlError;
  expected(what: string, t?: Token): SqlError;
  unsupported(what: string, t?: Token): SqlError;

  /** An unquoted non-reserved word or a "quoted" identifier at offset k. */
  isName(k?: number): boolean;
  name(): ast.Ident;
  nameList(): ast.Ident[];
  objectName(): ast.Ident;

  /** Does a query (SELECT, WITH, VALUES, possibly behind parentheses) start `ahead` tokens from here? */
  startsQueryAt(ahead: number): boolean;
  query(): ast.Query;
  expr(): ast.Expr;
  exprList(): ast.Expr[];
  tableRef(): ast.TableRef;
  tablePrimary(): ast.TableRef;
  type(): SqlType;
}
