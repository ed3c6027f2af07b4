/**
 * The SQL parser: Redshift's dialect of PostgreSQL, by recursive descent over
 * the lexer's token array, producing the syntax tree of ./ast.ts.
 *
 * Expressions use one function per precedence level, lowest first, exactly as
 * PostgreSQL ranks them:
 *
 *   OR < AND < NOT < IS < comparison < BETWEEN/IN/LIKE < || < + - < * / % < unary + - < ::
 *
 * Comparisons and BETWEEN/IN/LIKE are non-associative (`a = b = c` is an
 * error), the binary operators are left-associative.
 *
 * Errors point at the first character of the offending token and name it:
 * `syntax error at or near "form"`, `expected ")" but found "from"`,
 * `unexpected end of input`. Syntax this engine recognizes but does not run
 * (GROUPS frames, DEFAULT, UPDATE, ...) is an UNSUPPORTED error instead.
 */
import type { ParamValue } from '../types.js';
import { SqlError, overflowError, positionAt, type ErrorCode } from '../errors.js';
import type { SqlType } from '../types.js';
import type * as ast from './ast.js';
import { selectQuery } from './build.js';
import { RESERVED_WORDS, tokenize, type Token } from './lexer.js';
import { REGCLASS_NAME, REGCLASS_OID, REGCLASS_TABLE, RELSIZE_BYTES, RELSIZE_TABLE } from './regclass.js';
import { checkExpressionNesting, checkNesting, MAX_PARSE_DEPTH } from './nesting.js';
import type { ParserCursor } from './parse-cursor.js';
import { alterStatement, createStatement, dropStatement, refreshStatement } from './parse-ddl.js';
import { deleteStatement, insertStatement, mergeStatement, truncateStatement, updateStatement } from './parse-dml.js';
import { copyStatement, unloadStatement } from './parse-copy.js';
import { analyzeStatement, vacuumStatement } from './parse-maintenance.js';
import { grantStatement } from './parse-users.js';
import { arrayExpr } from './parse-array.js';
import { transactionStatement } from './parse-transaction.js';
import { resetStatement, setStatement, showStatement } from './parse-session.js';
import { commentStatement } from './parse-ignored.js';

export interface ParsedStatement {
  readonly statement: ast.Statement;
  /** The statement's source text, first to last token, without the terminating semicolon. */
  readonly text: string;
  /** Offset of `text` in the script. */
  readonly pos: number;
  /** The values of its parameters ($1, $2 ...), when it runs as a prepared statement. */
  readonly params?: readonly ParamValue[];
}

/** Parses a script of `;`-separated statements. Empty statements and comments yield nothing. */
export function parseStatements(sql: string): ParsedStatement[] {
  const p = new Parser(sql);
  return p.guarded(() => p.script());
}

/** Parses text that must hold exactly one statement (a trailing `;` is fine). */
export function parseStatement(sql: string): ast.Statement {
  const all = parseStatements(sql);
  if (all.length === 1) return all[0]!.statement;
  if (all.length === 0) throw new SqlError('SYNTAX', 'expected a statement but found end of input', positionAt(sql, sql.length), sql);
  throw new SqlError('SYNTAX', `expected one statement but found ${all.length}`, positionAt(sql, all[1]!.pos), sql);
}

/** Parses one expression (and nothing after it). */
export function parseExpression(sql: string): ast.Expr {
  const p = new Parser(sql, 0);
  return p.guarded(() => {
    const e = p.expr();
    p.expectEnd();
    checkExpressionNesting(e, sql);
    return e;
  });
}

// ---------------------------------------------------------------- vocabulary

type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
const COMPARE_OPS: ReadonlyMap<string, CompareOp> = new Map([
  ['=', '='], ['<>', '<>'], ['!=', '<>'], ['<', '<'], ['<=', '<='], ['>', '>'], ['>=', '>='],
]);

/** Words that start statements we recognize but do not run. */
const UNSUPPORTED_STATEMENTS: ReadonlySet<string> = new Set([
  'call', 'declare', 'fetch',
  'close', 'prepare', 'execute', 'deallocate', 'lock', 'cancel',
]);

/** Units of an interval string, as [field, factor]: months, days or microseconds. */
type IntervalField = 'months' | 'days' | 'micros';
const INTERVAL_UNITS: ReadonlyMap<string, readonly [IntervalField, number]> = new Map(
  (
    [
      [['millennium', 'millennia', 'millenniums', 'mil', 'mils'], 'months', 12_000],
      [['century', 'centuries', 'c', 'cent', 'cents'], 'months', 1_200],
      [['decade', 'decades', 'dec', 'decs'], 'months', 120],
      [['year', 'years', 'y', 'yr', 'yrs'], 'months', 12],
      [['quarter', 'quarters', 'qtr', 'qtrs'], 'months', 3],
      [['month', 'months', 'mon', 'mons'], 'months', 1],
      [['week', 'weeks', 'w'], 'days', 7],
      [['day', 'days', 'd'], 'days', 1],
      [['hour', 'hours', 'h', 'hr', 'hrs'], 'micros', 3_600_000_000],
      [['minute', 'minutes', 'm', 'min', 'mins'], 'micros', 60_000_000],
      [['second', 'seconds', 's', 'sec', 'secs'], 'micros', 1_000_000],
      [['millisecond', 'milliseconds', 'ms', 'msec', 'msecs'], 'micros', 1_000],
      [['microsecond', 'microseconds', 'us', 'usec', 'usecs'], 'micros', 1],
    ] as const
  ).flatMap(([names, field, factor]) => names.map((n): [string, readonly [IntervalField, number]] => [n, [field, factor]])),
);

/** The unit words allowed after an interval string: INTERVAL '90' DAY. */
const INTERVAL_QUALIFIERS: ReadonlySet<string> = new Set(['year', 'month', 'week', 'day', 'hour', 'minute', 'second']);

/** Functions written as bare keywords, without parentheses. */
const BARE_FUNCTIONS: ReadonlySet<string> = new Set(['current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'sysdate', 'current_user', 'session_user']);

/** Reserved words that are still function names when a parenthesis follows: LEFT(s, 3). */
const RESERVED_FUNCTIONS: ReadonlySet<string> = new Set(['left', 'right']);

/** Types PostgreSQL or Redshift have and we do not, for a clearer error than "does not exist". */
const UNSUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'time', 'timetz', 'interval', 'json', 'jsonb', 'super', 'geometry', 'geography', 'hllsketch',
  'varbyte', 'varbinary', 'binary', 'bytea', 'uuid', 'serial', 'bigserial', 'smallserial', 'money', 'bit', 'array',
]);

// Redshift's limits (bytes for character types).
const MAX_DECIMAL_PRECISION = 38;
const MAX_CHAR_LENGTH = 4096;
const MAX_VARCHAR_LENGTH = 65535;
const DEFAULT_VARCHAR_LENGTH = 256;

// ---------------------------------------------------------------- the parser

class Parser implements ParserCursor {
  private readonly toks: Token[];
  private i = 0;
  /**
   * Current recursion depth, against MAX_PARSE_DEPTH (./nesting.ts): each
   * parenthesis takes about 13 JavaScript frames here; the tree made is
   * measured against MAX_NESTING once parsed. The statement's own query is
   * level 0, so `select ((1))` is 2 levels deep (as is `((1))` alone, an
   * expression parsed by itself starting at level 0).
   */
  private depth: number;

  constructor(
    readonly sql: string,
    startDepth = -1,
  ) {
    this.depth = startDepth;
    this.toks = tokenize(sql);
  }

  // ------------------------------------------------------------ token helpers

  get tok(): Token {
    return this.toks[this.i]!;
  }

  peek(k: number): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  advance(): Token {
    const t = this.toks[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  /** End offset of the last consumed token: where a node's source text stops. */
  lastEnd(): number {
    return this.i > 0 ? this.toks[this.i - 1]!.end : 0;
  }

  isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && t.value === w;
  }

  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }

  acceptWord(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.i++;
    return true;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  expectWord(w: string): Token {
    if (!this.isWord(w)) throw this.expected(w.toUpperCase());
    return this.advance();
  }

  expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.expected(`"${op}"`);
    return this.advance();
  }

  expectEnd(): void {
    if (this.tok.kind !== 'eof') throw this.unexpected();
  }

  // ------------------------------------------------------------ errors

  error(code: ErrorCode, message: string, at: number): SqlError {
    return new SqlError(code, message, positionAt(this.sql, at), this.sql);
  }

  /** The token as the user wrote it, quoted, for messages. */
  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of input';
    const text = this.sql.slice(t.pos, t.end);
    return `"${text.length > 60 ? text.slice(0, 57) + '...' : text}"`;
  }

  unexpected(t: Token = this.tok): SqlError {
    const message = t.kind === 'eof' ? 'unexpected end of input' : `syntax error at or near ${this.describe(t)}`;
    return this.error('SYNTAX', message, t.pos);
  }

  expected(what: string, t: Token = this.tok): SqlError {
    return this.error('SYNTAX', `expected ${what} but found ${this.describe(t)}`, t.pos);
  }

  unsupported(what: string, t: Token = this.tok): SqlError {
    return this.error('UNSUPPORTED', `${what} is not supported`, t.pos);
  }

  /**
   * One recursion level deeper (leave() when done, in a finally): past
   * MAX_PARSE_DEPTH the statement is TOO_COMPLEX, reported at the token where
   * the level would start.
   */
  private enter(): void {
    if (this.depth >= MAX_PARSE_DEPTH) {
      throw this.error('TOO_COMPLEX', `statement too complex: parentheses, calls and subqueries nested deeper than ${MAX_PARSE_DEPTH} levels`, this.tok.pos);
    }
    this.depth++;
  }

  private leave(): void {
    this.depth--;
  }

  /**
   * Tries `first`, and on a SqlError rewinds and tries `second`. Used only
   * where a parenthesis can open either a query or an expression/join, e.g.
   * `((select 1) + 2)`. When both fail, the error that got further wins: it
   * is the likelier reading of what the user meant.
   */
  private orElse<T>(first: () => T, second: () => T): T {
    const start = this.i;
    try {
      return first();
    } catch (e1) {
      // too deep one way is too deep the other way too: no second attempt
      if (!(e1 instanceof SqlError) || e1.code === 'TOO_COMPLEX') throw e1;
      this.i = start;
      try {
        return second();
      } catch (e2) {
        if (e2 instanceof SqlError && (e1.position?.offset ?? 0) >= (e2.position?.offset ?? 0)) throw e1;
        throw e2;
      }
    }
  }

  /**
   * Runs `parse`, turning a stack overflow into a TOO_COMPLEX SqlError at the
   * token where it happened instead of a crash. MAX_PARSE_DEPTH keeps the
   * parser well inside the stack; this is the backstop for a caller that
   * starts it with little stack left.
   */
  guarded<T>(parse: () => T): T {
    try {
      return parse();
    } catch (e) {
      if (e instanceof RangeError) throw overflowError(this.error('TOO_COMPLEX', 'statement too complex: nested too deeply to parse', this.tok.pos));
      throw e;
    }
  }

  // ------------------------------------------------------------ names

  /** An unquoted non-reserved word or a "quoted" identifier at offset k. */
  isName(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'qident' || (t.kind === 'word' && !RESERVED_WORDS.has(t.value));
  }

  private ident(t: Token): ast.Ident {
    return { name: t.value, pos: t.pos };
  }

  /** A column, table or alias name: reserved words need quotes. */
  name(): ast.Ident {
    if (!this.isName()) throw this.unexpected();
    return this.ident(this.advance());
  }

  /** A name where any word fits (after AS, after a dot), as in PostgreSQL. */
  private label(): ast.Ident {
    const t = this.tok;
    if (t.kind !== 'word' && t.kind !== 'qident') throw this.unexpected();
    return this.ident(this.advance());
  }

  /** (a, b, c) */
  nameList(): ast.Ident[] {
    this.expectOp('(');
    const names: ast.Ident[] = [];
    do names.push(this.name());
    while (this.acceptOp(','));
    this.expectOp(')');
    return names;
  }

  /**
   * A table or view name. There is one schema, so `public.t` is `t`; other
   * schemas do not exist here.
   */
  objectName(): ast.Ident {
    const first = this.name();
    if (!this.isOp('.')) return first;
    if (first.name !== 'public') throw this.unsupported('schema-qualified names (other than public.)', this.peek(-1));
    this.advance();
    return this.name();
  }

  /**
   * A relation to read (FROM, DESCRIBE): a table or view name, or a system
   * view: information_schema.tables and .columns keep their schema in the name;
   * pg_catalog.x is x (pg_table_def, svv_columns: there is one search path).
   */
  private relationName(): ast.Ident {
    const t = this.tok;
    if (t.kind === 'word' && (t.value === 'information_schema' || t.value === 'pg_catalog') && this.peek(1).kind === 'op' && this.peek(1).value === '.') {
      this.advance();
      this.advance();
      const name = this.label();
      return t.value === 'pg_catalog' ? name : { name: `information_schema.${name.name}`, pos: t.pos };
    }
    return this.objectName();
  }

  // ------------------------------------------------------------ statements

  script(): ParsedStatement[] {
    const out: ParsedStatement[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      const first = this.tok;
      if (first.kind === 'eof') return out;
      const statement = this.statement();
      if (!this.isOp(';') && this.tok.kind !== 'eof') throw this.unexpected();
      checkNesting(statement, this.sql);
      out.push({ statement, text: this.sql.slice(first.pos, this.lastEnd()), pos: first.pos });
    }
  }

  private statement(): ast.Statement {
    const t = this.tok;
    if (t.kind === 'op' && t.value === '(') return this.selectStatement();
    if (t.kind !== 'word') throw this.unexpected();
    switch (t.value) {
      case 'select':
      case 'with':
      case 'values':
        return this.selectStatement();
      case 'explain':
        return this.explainStatement();
      case 'create':
        return createStatement(this);
      case 'drop':
        return dropStatement(this);
      case 'insert':
        return insertStatement(this);
      case 'delete':
        return deleteStatement(this);
      case 'update':
        return updateStatement(this);
      case 'truncate':
        return truncateStatement(this);
      case 'merge':
        return mergeStatement(this);
      case 'alter':
        return alterStatement(this);
      case 'refresh':
        return refreshStatement(this);
      case 'copy':
        return copyStatement(this);
      case 'unload':
        return unloadStatement(this);
      case 'vacuum':
        return vacuumStatement(this);
      case 'analyze':
      case 'analyse':
        return analyzeStatement(this);
      case 'describe':
      case 'desc':
        return this.describeStatement();
      case 'begin':
      case 'start':
      case 'commit':
      case 'end':
      case 'rollback':
      case 'abort':
        return transactionStatement(this);
      case 'comment':
        return commentStatement(this);
      case 'show':
        if (this.peek(1).kind === 'word' && this.peek(1).value === 'tables') return this.showTablesStatement();
        return showStatement(this);
      case 'set':
        return setStatement(this);
      case 'reset':
        return resetStatement(this);
      case 'grant':
      case 'revoke':
        return grantStatement(this);
      default:
        if (UNSUPPORTED_STATEMENTS.has(t.value)) throw this.unsupported(t.value.toUpperCase());
        throw this.unexpected();
    }
  }

  private selectStatement(): ast.SelectStatement {
    const pos = this.tok.pos;
    return { kind: 'select', query: this.query(), pos };
  }

  /** DESCRIBE name, DESC name */
  private describeStatement(): ast.DescribeStatement {
    const pos = this.advance().pos;
    return { kind: 'describe', name: this.relationName(), pos };
  }

  /** SHOW TABLES */
  private showTablesStatement(): ast.ShowTablesStatement {
    const pos = this.advance().pos;
    this.expectWord('tables');
    return { kind: 'showTables', pos };
  }

  private explainStatement(): ast.ExplainStatement {
    const pos = this.advance().pos;
    const analyze = this.acceptWord('analyze') || this.acceptWord('analyse');
    this.acceptWord('verbose');
    // EXPLAIN EXPLAIN ... nests: each EXPLAIN explained is a level
    const nested = this.isWord('explain');
    if (nested) this.enter();
    try {
      return { kind: 'explain', analyze, statement: this.statement(), pos };
    } finally {
      if (nested) this.leave();
    }
  }

  // ------------------------------------------------------------ queries

  startsQueryAt(ahead: number): boolean {
    return this.startsQuery(this.i + ahead);
  }

  /** Does a query start at token k (SELECT, WITH, VALUES, possibly behind parentheses)? */
  private startsQuery(k: number): boolean {
    let j = k;
    while (this.toks[j]?.kind === 'op' && this.toks[j]!.value === '(') j++;
    const t = this.toks[j];
    return t !== undefined && t.kind === 'word' && (t.value === 'select' || t.value === 'with' || t.value === 'values');
  }

  /** [WITH ctes] body [ORDER BY ...] [LIMIT n | LIMIT ALL] [OFFSET n] */
  query(): ast.Query {
    this.enter();
    try {
      return this.queryAt();
    } finally {
      this.leave();
    }
  }

  private queryAt(): ast.Query {
    const pos = this.tok.pos;
    const ctes: ast.CommonTableExpr[] = [];
    if (this.acceptWord('with')) {
      if (this.isWord('recursive')) throw this.unsupported('WITH RECURSIVE');
      do ctes.push(this.commonTableExpr());
      while (this.acceptOp(','));
    }
    let body = this.setExpr();
    const orderBy = this.isWord('order') ? this.orderBy() : [];
    let { limit, offset } = this.limitOffset();
    // SELECT TOP n is LIMIT n, applied after ORDER BY
    const top = topOf(body);
    if (top) {
      if (limit) throw this.error('SYNTAX', 'SELECT TOP and LIMIT cannot be used together', top.pos);
      limit = top;
      body = withoutTop(body as TopSelect);
    }
    const query = { with: ctes, body, orderBy, limit, offset, pos };
    // "((select ...))" is the inner query: the parentheses add nothing.
    if (body.kind === 'nested' && isPlain(query)) return body.query;
    return query;
  }

  private commonTableExpr(): ast.CommonTableExpr {
    const name = this.name();
    const columns = this.isOp('(') ? this.nameList() : null;
    this.expectWord('as');
    this.expectOp('(');
    const query = this.query();
    this.expectOp(')');
    return { name, columns, query, pos: name.pos };
  }

  private orderBy(): ast.OrderItem[] {
    this.expectWord('order');
    this.expectWord('by');
    const items: ast.OrderItem[] = [];
    do {
      const expr = this.expr();
      const desc = this.acceptWord('desc');
      if (!desc) this.acceptWord('asc');
      let nullsFirst: boolean | null = null;
      if (this.acceptWord('nulls')) {
        if (this.acceptWord('first')) nullsFirst = true;
        else if (this.acceptWord('last')) nullsFirst = false;
        else throw this.expected('FIRST or LAST');
      }
      items.push({ expr, desc, nullsFirst, pos: expr.pos });
    } while (this.acceptOp(','));
    return items;
  }

  /** LIMIT, OFFSET and FETCH FIRST in either order, each at most once. */
  private limitOffset(): { limit: ast.Expr | null; offset: ast.Expr | null } {
    let limit: ast.Expr | null = null;
    let offset: ast.Expr | null = null;
    let sawLimit = false;
    let sawOffset = false;
    for (;;) {
      const t = this.tok;
      if (this.isWord('limit') || this.isWord('fetch')) {
        if (sawLimit) throw this.unexpected();
        sawLimit = true;
        limit = this.advance().value === 'limit' ? this.limitValue() : this.fetchFirst();
      } else if (this.acceptWord('offset')) {
        if (sawOffset) throw this.unexpected(t);
        sawOffset = true;
        offset = this.expr();
        if (!this.acceptWord('rows')) this.acceptWord('row');
      } else {
        return { limit, offset };
      }
    }
  }

  private limitValue(): ast.Expr | null {
    return this.acceptWord('all') ? null : this.expr();
  }

  /** FETCH FIRST|NEXT [n] ROW|ROWS ONLY (after FETCH) */
  private fetchFirst(): ast.Expr {
    if (!this.acceptWord('first') && !this.acceptWord('next')) throw this.expected('FIRST or NEXT');
    const count: ast.Expr = this.isWord('row') || this.isWord('rows') ? { kind: 'number', text: '1', pos: this.tok.pos } : this.expr();
    if (!this.acceptWord('rows') && !this.acceptWord('row')) throw this.expected('ROWS');
    this.expectWord('only');
    return count;
  }

  /** UNION / EXCEPT / MINUS, left-associative, over INTERSECT terms. */
  private setExpr(): ast.QueryBody {
    let left = this.setTerm();
    for (;;) {
      const op = this.isWord('union') ? 'union' : this.isWord('except') || this.isWord('minus') ? 'except' : null;
      if (op === null) return left;
      this.advance();
      const all = this.setQuantifier();
      left = { kind: 'setOp', op, all, left: topAsLimit(left), right: topAsLimit(this.setTerm()), pos: left.pos };
    }
  }

  /** INTERSECT binds tighter than UNION and EXCEPT. */
  private setTerm(): ast.QueryBody {
    let left = this.setPrimary();
    while (this.acceptWord('intersect')) {
      const all = this.setQuantifier();
      left = { kind: 'setOp', op: 'intersect', all, left: topAsLimit(left), right: topAsLimit(this.setPrimary()), pos: left.pos };
    }
    return left;
  }

  private setQuantifier(): boolean {
    if (this.acceptWord('all')) return true;
    this.acceptWord('distinct');
    return false;
  }

  private setPrimary(): ast.QueryBody {
    const t = this.tok;
    if (this.isWord('select')) return this.selectBody();
    if (this.isWord('values')) return this.valuesBody();
    if (this.acceptOp('(')) {
      const query = this.query();
      this.expectOp(')');
      return isPlain(query) ? query.body : { kind: 'nested', query, pos: t.pos };
    }
    throw this.unexpected();
  }

  private valuesBody(): ast.ValuesBody {
    const pos = this.advance().pos;
    const rows: ast.Expr[][] = [];
    do {
      const open = this.expectOp('(');
      const row = this.exprList();
      this.expectOp(')');
      if (rows.length > 0 && row.length !== rows[0]!.length) {
        throw this.error('SYNTAX', 'VALUES lists must all be the same length', open.pos);
      }
      rows.push(row);
    } while (this.acceptOp(','));
    return { kind: 'values', rows, pos };
  }

  private selectBody(): ast.SelectBody | TopSelect {
    const pos = this.advance().pos;
    // SELECT TOP n (Redshift): the query (or set operand) takes it as its LIMIT, see topOf
    let top: ast.NumberLiteral | null = null;
    if (this.isWord('top') && this.peek(1).kind === 'number') {
      this.advance();
      const n = this.advance();
      top = { kind: 'number', text: n.value, pos: n.pos };
    }
    let distinct = false;
    if (this.acceptWord('distinct')) {
      if (this.isWord('on')) throw this.unsupported('DISTINCT ON');
      distinct = true;
    } else {
      this.acceptWord('all');
    }
    const items: ast.SelectItem[] = [];
    do items.push(this.selectItem());
    while (this.acceptOp(','));
    if (this.isWord('into')) throw this.unsupported('SELECT INTO');
    const from: ast.TableRef[] = [];
    if (this.acceptWord('from')) {
      do from.push(this.tableRef());
      while (this.acceptOp(','));
    }
    const where = this.acceptWord('where') ? this.expr() : null;
    let groupBy: ast.Expr[] = [];
    let groupingSets: ast.GroupingElement[] = [];
    if (this.acceptWord('group')) {
      this.expectWord('by');
      ({ groupBy, groupingSets } = this.groupByItems());
    }
    const having = this.acceptWord('having') ? this.expr() : null;
    // WINDOW and QUALIFY, in either order (DuckDB writes WINDOW first, Redshift has QUALIFY alone)
    const windows: ast.NamedWindow[] = [];
    let qualify: ast.Expr | null = null;
    for (;;) {
      const t = this.tok;
      if (this.acceptWord('window')) {
        if (windows.length) throw this.unexpected(t);
        do {
          const name = this.name();
          if (windows.some((w) => w.name.name === name.name)) throw this.error('SYNTAX', `window "${name.name}" is already defined`, name.pos);
          this.expectWord('as');
          windows.push({ name, spec: this.windowSpec(), pos: name.pos });
        } while (this.acceptOp(','));
      } else if (this.acceptWord('qualify')) {
        if (qualify !== null) throw this.unexpected(t);
        qualify = this.expr();
      } else {
        break;
      }
    }
    const body: ast.SelectBody = { kind: 'select', distinct, items, from, where, groupBy, ...(groupingSets.length ? { groupingSets } : {}), having, windows, qualify, pos };
    return top ? { ...body, top } : body;
  }

  // ------------------------------------------------------------ GROUP BY

  /** GROUP BY's items: plain expressions, and ROLLUP, CUBE, GROUPING SETS and () elements apart. */
  private groupByItems(): { groupBy: ast.Expr[]; groupingSets: ast.GroupingElement[] } {
    const groupBy: ast.Expr[] = [];
    const groupingSets: ast.GroupingElement[] = [];
    do {
      const g = this.groupingElement(false);
      if (g) groupingSets.push(g);
      else groupBy.push(this.expr());
    } while (this.acceptOp(','));
    return { groupBy, groupingSets };
  }

  /**
   * ROLLUP (...), CUBE (...), GROUPING SETS (...) or (); inside GROUPING SETS
   * also a parenthesized list (a, b) or one expression, as a set. Null for a
   * plain GROUP BY expression (not consumed).
   */
  private groupingElement(inSets: boolean): ast.GroupingElement | null {
    const t = this.tok;
    if (this.isOp('(') && this.isOp(')', 1)) {
      this.i += 2;
      return { kind: 'set', exprs: [], pos: t.pos };
    }
    if ((this.isWord('rollup') || this.isWord('cube')) && this.isOp('(', 1)) {
      this.advance();
      this.expectOp('(');
      const items: ast.Expr[][] = [];
      do items.push(this.groupingItem());
      while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: t.value as 'rollup' | 'cube', items, pos: t.pos };
    }
    if (this.isWord('grouping') && this.isWord('sets', 1) && this.isOp('(', 2)) {
      this.i += 3;
      this.enter();
      try {
        const elements: ast.GroupingElement[] = [];
        do {
          const at = this.tok.pos;
          elements.push(this.groupingElement(true) ?? { kind: 'set', exprs: this.groupingItem(), pos: at });
        } while (this.acceptOp(','));
        this.expectOp(')');
        return { kind: 'groupingSets', elements, pos: t.pos };
      } finally {
        this.leave();
      }
    }
    if (inSets && this.isOp('(')) {
      // (a, b) is one set; ((a + b) * 2) is an expression
      const list = this.orElse(
        () => this.parenthesizedList(),
        () => null,
      );
      if (list) return { kind: 'set', exprs: list, pos: t.pos };
    }
    return null;
  }

  /** A ROLLUP, CUBE or GROUPING SETS item: a parenthesized list kept together, or one expression. */
  private groupingItem(): ast.Expr[] {
    if (this.isOp('(')) {
      const list = this.orElse(
        () => this.parenthesizedList(),
        () => null,
      );
      if (list) return list;
    }
    return [this.expr()];
  }

  /** (e, e, ...) followed by "," or ")": a grouping list (a SqlError otherwise, for orElse to try an expression). */
  private parenthesizedList(): ast.Expr[] {
    this.expectOp('(');
    const list = this.exprList();
    this.expectOp(')');
    if (!this.isOp(',') && !this.isOp(')')) throw this.unexpected();
    return list;
  }

  private selectItem(): ast.SelectItem {
    const t = this.tok;
    if (this.acceptOp('*')) return { kind: 'star', table: null, pos: t.pos };
    if ((t.kind === 'word' || t.kind === 'qident') && this.isOp('.', 1) && this.isOp('*', 2)) {
      this.i += 3;
      return { kind: 'star', table: this.ident(t), pos: t.pos };
    }
    const expr = this.expr();
    return { kind: 'expr', expr, alias: this.alias(true), pos: t.pos };
  }

  /**
   * [AS] alias. Without AS only a non-reserved word will do; after AS a column
   * alias may be any word (select 1 as from), a table alias may not (PostgreSQL's rules).
   */
  private alias(column: boolean): ast.Ident | null {
    if (this.acceptWord('as')) return column ? this.label() : this.name();
    // QUALIFY is not reserved, but a bare one after a select item or table starts the clause
    return this.isName() && !this.isWord('qualify') ? this.name() : null;
  }

  // ------------------------------------------------------------ FROM

  /** A FROM item with its joins, left-associative. */
  tableRef(): ast.TableRef {
    this.enter();
    try {
      return this.tableRefAt();
    } finally {
      this.leave();
    }
  }

  private tableRefAt(): ast.TableRef {
    let left = this.tablePrimary();
    for (;;) {
      const natural = this.acceptWord('natural');
      const type = this.joinType();
      if (type === null) {
        if (natural) throw this.expected('JOIN');
        return left;
      }
      if (natural && type === 'cross') throw this.unexpected(this.peek(-2));
      const right = this.tablePrimary();
      let on: ast.Expr | null = null;
      let using: ast.Ident[] | null = null;
      if (type !== 'cross' && !natural) {
        if (this.acceptWord('on')) on = this.expr();
        else if (this.acceptWord('using')) using = this.nameList();
        else throw this.expected('ON or USING');
      }
      left = { kind: 'join', type, natural, left, right, on, using, pos: left.pos };
    }
  }

  /** Consumes [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | CROSS] JOIN; null when no join follows. */
  private joinType(): ast.JoinKind | null {
    const t = this.tok;
    if (t.kind !== 'word') return null;
    let type: ast.JoinKind;
    switch (t.value) {
      case 'join':
        this.advance();
        return 'inner';
      case 'inner':
      case 'cross':
        type = t.value;
        this.advance();
        break;
      case 'left':
      case 'right':
      case 'full':
        type = t.value;
        this.advance();
        this.acceptWord('outer');
        break;
      default:
        return null;
    }
    this.expectWord('join');
    return type;
  }

  tablePrimary(): ast.TableRef {
    const t = this.tok;
    if (this.isOp('(')) {
      const parenthesizedJoin = (): ast.TableRef => {
        this.expectOp('(');
        const ref = this.tableRef();
        this.expectOp(')');
        if (this.isWord('as') || this.isName()) throw this.unsupported('an alias on a parenthesized join');
        return ref;
      };
      return this.startsQuery(this.i + 1) ? this.orElse(() => this.derivedTable(), parenthesizedJoin) : parenthesizedJoin();
    }
    if (this.isWord('lateral')) throw this.unsupported('LATERAL');
    const name = this.relationName();
    if (this.isOp('(')) throw this.unsupported('a table function');
    // information_schema.tables is called tables in the query, as in PostgreSQL
    const alias = this.alias(false) ?? (name.name.startsWith('information_schema.') ? { name: name.name.slice('information_schema.'.length), pos: name.pos } : null);
    const columnAliases = alias && this.isOp('(') ? this.nameList() : null;
    return { kind: 'table', name, alias, columnAliases, pos: t.pos };
  }

  /** (query) [AS] alias [(columns)] */
  private derivedTable(): ast.SubqueryRef {
    const pos = this.expectOp('(').pos;
    const query = this.query();
    this.expectOp(')');
    const alias = this.alias(false);
    const columnAliases = alias && this.isOp('(') ? this.nameList() : null;
    return { kind: 'subquery', query, alias, columnAliases, pos };
  }

  // ------------------------------------------------------------ expressions

  exprList(): ast.Expr[] {
    const list: ast.Expr[] = [];
    do list.push(this.expr());
    while (this.acceptOp(','));
    return list;
  }

  expr(): ast.Expr {
    let left = this.andExpr();
    while (this.acceptWord('or')) left = binary('or', left, this.andExpr());
    return left;
  }

  private andExpr(): ast.Expr {
    let left = this.notExpr();
    while (this.acceptWord('and')) left = binary('and', left, this.notExpr());
    return left;
  }

  /**
   * [NOT] x [IS [NOT] NULL | TRUE | FALSE | UNKNOWN]. The IS level lives in the
   * same function as NOT: one frame fewer per parenthesis (MAX_PARSE_DEPTH).
   */
  private notExpr(): ast.Expr {
    if (this.isWord('not')) {
      const pos = this.tok.pos;
      this.enter();
      let arg: ast.Expr;
      try {
        this.advance();
        arg = this.notExpr();
      } finally {
        this.leave();
      }
      // NOT EXISTS (...) is its own node; NOT (EXISTS ... = x) is not.
      if (arg.kind === 'exists' && !arg.negated) return { ...arg, negated: true, pos };
      return { kind: 'unary', op: 'not', arg, pos };
    }
    let arg = this.comparison();
    while (this.acceptWord('is')) {
      const negated = this.acceptWord('not');
      const t = this.tok;
      if (this.acceptWord('null') || this.acceptWord('unknown')) {
        arg = { kind: 'isNull', arg, negated, pos: arg.pos };
      } else if (this.acceptWord('true') || this.acceptWord('false')) {
        arg = { kind: 'isBool', arg, value: t.value === 'true', negated, pos: arg.pos };
      } else if (this.acceptWord('distinct')) {
        this.expectWord('from');
        arg = { kind: 'distinctFrom', left: arg, right: this.comparison(), negated, pos: arg.pos };
      } else {
        throw this.expected('NULL, TRUE, FALSE or UNKNOWN');
      }
    }
    return arg;
  }

  /** a op b, a op ANY|SOME|ALL (query); non-associative. */
  private comparison(): ast.Expr {
    const left = this.predicate();
    const op = this.compareOp();
    if (op === null) return left;
    this.advance();
    let result: ast.Expr;
    if (this.isWord('any') || this.isWord('some') || this.isWord('all')) {
      const q = this.advance();
      const quantifier = q.value === 'all' ? 'all' : 'any';
      this.expectOp('(');
      if (!this.startsQuery(this.i)) throw this.unsupported(`${q.value.toUpperCase()} with a value list (use IN)`, q);
      const query = this.query();
      this.expectOp(')');
      result = { kind: 'quantified', op, quantifier, arg: left, query, pos: left.pos };
    } else {
      result = { kind: 'binary', op, left, right: this.predicate(), pos: left.pos };
    }
    if (this.compareOp() !== null) throw this.unexpected();
    return result;
  }

  private compareOp(): CompareOp | null {
    const t = this.tok;
    return t.kind === 'op' ? (COMPARE_OPS.get(t.value) ?? null) : null;
  }

  /** [NOT] BETWEEN, [NOT] IN, [NOT] LIKE | ILIKE | SIMILAR TO, ~ and its kin; operands bind tighter (they are || level). */
  private predicate(): ast.Expr {
    const arg = this.concat();
    const posix = this.posixMatch(arg);
    if (posix) return posix;
    let negated = false;
    const next = this.peek(1);
    if (this.isWord('not') && next.kind === 'word' && ['between', 'in', 'like', 'ilike', 'similar'].includes(next.value)) {
      this.advance();
      negated = true;
    }
    const t = this.tok;
    if (t.kind !== 'word') return arg;
    switch (t.value) {
      case 'between': {
        this.advance();
        if (this.isWord('symmetric')) throw this.unsupported('BETWEEN SYMMETRIC');
        this.acceptWord('asymmetric');
        const low = this.concat();
        this.expectWord('and');
        return { kind: 'between', arg, low, high: this.concat(), negated, pos: arg.pos };
      }
      case 'in':
        this.advance();
        return this.inPredicate(arg, negated);
      case 'like':
      case 'ilike': {
        this.advance();
        const pattern = this.concat();
        const escape = this.acceptWord('escape') ? this.concat() : null;
        return { kind: 'like', arg, pattern, escape, negated, caseInsensitive: t.value === 'ilike', pos: arg.pos };
      }
      case 'similar': {
        this.advance();
        this.expectWord('to');
        const pattern = this.concat();
        const escape = this.acceptWord('escape') ? this.concat() : null;
        return { kind: 'match', syntax: 'similar', arg, pattern, escape, negated, caseInsensitive: false, pos: arg.pos };
      }
      default:
        return arg;
    }
  }

  /** x ~ pattern, x ~* pattern, x !~ pattern, x !~* pattern (POSIX regular expressions), if an operator follows. */
  private posixMatch(arg: ast.Expr): ast.Expr | null {
    const t = this.tok;
    if (t.kind !== 'op' || !(t.value === '~' || t.value === '~*' || t.value === '!~' || t.value === '!~*')) return null;
    this.advance();
    const pattern = this.concat();
    return { kind: 'match', syntax: 'posix', arg, pattern, escape: null, negated: t.value.startsWith('!'), caseInsensitive: t.value.endsWith('*'), pos: arg.pos };
  }

  /** The part after IN: (query) or (list). */
  private inPredicate(arg: ast.Expr, negated: boolean): ast.Expr {
    const asQuery = (): ast.Expr => {
      this.expectOp('(');
      const query = this.query();
      this.expectOp(')');
      return { kind: 'inSubquery', arg, query, negated, pos: arg.pos };
    };
    const asList = (): ast.Expr => {
      this.expectOp('(');
      const list = this.exprList();
      this.expectOp(')');
      return { kind: 'inList', arg, list, negated, pos: arg.pos };
    };
    if (!this.isOp('(')) throw this.expected('"("');
    if (!this.startsQuery(this.i + 1)) return asList();
    // (select ...) is a subquery; ((select 1), 2) is a list holding one.
    return this.isOp('(', 1) ? this.orElse(asQuery, asList) : asQuery();
  }

  private concat(): ast.Expr {
    let left = this.additive();
    while (this.acceptOp('||')) left = binary('||', left, this.additive());
    return left;
  }

  private additive(): ast.Expr {
    let left = this.multiplicative();
    for (;;) {
      if (this.acceptOp('+')) left = binary('+', left, this.multiplicative());
      else if (this.acceptOp('-')) left = binary('-', left, this.multiplicative());
      else return left;
    }
  }

  private multiplicative(): ast.Expr {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'op' || (t.value !== '*' && t.value !== '/' && t.value !== '%')) return left;
      this.advance();
      left = binary(t.value as '*' | '/' | '%', left, this.unary());
    }
  }

  /**
   * Prefix - and +, which bind looser than :: (so -x::int is -(x::int)), and
   * the postfix x::type, repeatable (one function: a frame fewer per parenthesis).
   */
  private unary(): ast.Expr {
    const t = this.tok;
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.enter();
      try {
        this.advance();
        return { kind: 'unary', op: t.value as '-' | '+', arg: this.unary(), pos: t.pos };
      } finally {
        this.leave();
      }
    }
    let e = this.primary();
    for (;;) {
      if (this.acceptOp('::')) e = this.regtypeCast(e) ?? { kind: 'cast', arg: e, type: this.type(), pos: e.pos };
      else if (this.isWord('collate')) this.collation();
      else if (this.isOp('[')) throw this.unsupported('array subscripts');
      else if (this.isWord('at') && this.isWord('time', 1) && this.isWord('zone', 2)) e = this.atTimeZone(e);
      else return e;
    }
  }

  /**
   * oid::regtype (psql's \\d writes c.reloftype::pg_catalog.regtype::pg_catalog.text):
   * keel has no regtype type; the cast's text is the type's name as
   * format_type(oid, NULL) gives it, which is what the query reads. And
   * x::regclass (regclassLookup). Null when the type after :: is another.
   */
  private regtypeCast(e: ast.Expr): ast.Expr | null {
    const k = this.isWord('pg_catalog') && this.isOp('.', 1) ? 2 : 0;
    if (this.isWord('regclass', k)) {
      this.i += k + 1;
      return regclassLookup(e);
    }
    if (!this.isWord('regtype', k)) return null;
    const t = this.peek(k);
    this.i += k + 1;
    if (e.kind === 'string') return regtypeLookup(e);
    return { kind: 'function', name: 'format_type', args: [e, { kind: 'null', pos: t.pos }], distinct: false, star: false, pos: e.pos };
  }

  /**
   * COLLATE name after a value (psql writes `COLLATE pg_catalog.default` after
   * its name patterns): keel compares strings by code point, which is the
   * default collation and PostgreSQL's "C" and "POSIX", so those change
   * nothing; any other is refused.
   */
  private collation(): void {
    const at = this.advance();
    if (this.isWord('pg_catalog') && this.isOp('.', 1)) this.i += 2;
    const t = this.tok;
    if (t.kind !== 'word' && t.kind !== 'qident') throw this.expected('a collation name');
    this.advance();
    // a bare word is lower-cased already: "C" quoted, c bare
    if (!['default', 'c', 'posix'].includes(t.value.toLowerCase())) {
      throw this.unsupported(`COLLATE ${t.kind === 'qident' ? `"${t.value}"` : t.value} (keel compares strings by code point: the default collation, "C" and "POSIX")`, at);
    }
  }

  /**
   * x AT TIME ZONE zone: Redshift's TIMEZONE(zone, x), as PostgreSQL defines
   * the operator; the zone is a primary (a string, a column, a parenthesized
   * expression), so it binds as tightly as ::.
   */
  private atTimeZone(e: ast.Expr): ast.Expr {
    this.i += 3;
    const zone = this.primary();
    return { kind: 'function', name: 'timezone', args: [zone, e], distinct: false, star: false, pos: e.pos };
  }

  /** Every nested expression (parentheses, calls, CASE, CAST, subqueries) starts here: one parse level (a leaf takes none). */
  private primary(): ast.Expr {
    const t = this.tok;
    const nests = t.kind === 'op' || this.isOp('(', 1) || (t.kind === 'word' && t.value === 'case');
    if (nests) this.enter();
    try {
      switch (t.kind) {
        case 'number':
          this.advance();
          return { kind: 'number', text: t.value, pos: t.pos };
        case 'string':
          this.advance();
          return { kind: 'string', value: t.value, pos: t.pos };
        case 'param': {
          const index = Number(t.value);
          // PostgreSQL's limit: a Bind message counts its parameters in an int16
          if (index < 1 || index > 65535) throw this.error('SYNTAX', `parameter $${t.value} is out of range (1 to 65535)`, t.pos);
          this.advance();
          return { kind: 'param', index, pos: t.pos };
        }
        case 'qident':
          return this.isOp('(', 1) ? this.functionCall() : this.columnRef();
        case 'word':
          return this.wordExpr(t);
        case 'op':
          if (t.value === '(') return this.parenthesized();
          throw this.unexpected();
        default: // eof
          throw this.unexpected();
      }
    } finally {
      if (nests) this.leave();
    }
  }

  /** (expr) or (query): a scalar subquery. */
  private parenthesized(): ast.Expr {
    const asExpr = (): ast.Expr => {
      this.expectOp('(');
      const e = this.expr();
      if (this.isOp(',')) throw this.unsupported('row values');
      this.expectOp(')');
      return e;
    };
    if (!this.startsQuery(this.i + 1)) {
      // asExpr() written out: a frame fewer per parenthesis
      this.expectOp('(');
      const e = this.expr();
      if (this.isOp(',')) throw this.unsupported('row values');
      this.expectOp(')');
      return e;
    }
    const asSubquery = (): ast.Expr => {
      const pos = this.expectOp('(').pos;
      const query = this.query();
      this.expectOp(')');
      return { kind: 'subquery', query, pos };
    };
    // (select ...) + 1 and ((select 1) + 2) both start "(("-ish: try the subquery reading first.
    return this.isOp('(', 1) ? this.orElse(asSubquery, asExpr) : asSubquery();
  }

  /** A primary that starts with a word: literals, keywords with their own syntax, calls, columns. */
  private wordExpr(t: Token): ast.Expr {
    const next = this.peek(1);
    switch (t.value) {
      case 'true':
      case 'false':
        this.advance();
        return { kind: 'boolean', value: t.value === 'true', pos: t.pos };
      case 'null':
        this.advance();
        return { kind: 'null', pos: t.pos };
      case 'case':
        return this.caseExpr();
      case 'cast':
        return this.castExpr();
      case 'exists':
        if (next.kind === 'op' && next.value === '(') return this.existsExpr();
        break;
      case 'array':
        if (next.kind === 'op' && next.value === '(') return arrayExpr(this);
        break;
      case 'date':
        if (next.kind === 'string') return this.typedLiteral({ id: 'date' });
        break;
      case 'timestamp':
        if (next.kind === 'string' || (next.kind === 'word' && (next.value === 'without' || next.value === 'with'))) {
          return this.timestampLiteral();
        }
        break;
      case 'timestamptz':
        if (next.kind === 'string') return this.typedLiteral({ id: 'timestamptz' });
        break;
      case 'interval':
        if (next.kind === 'string') return this.intervalLiteral();
        break;
      case 'default':
        throw this.unsupported('DEFAULT');
      case 'approximate':
        if (next.kind === 'word' && this.isOp('(', 2)) return this.approximateCall();
        break;
      case 'array':
        if (next.kind === 'op' && (next.value === '(' || next.value === '[')) throw this.unsupported('arrays (ARRAY[...] and ARRAY(subquery): keel has no array type)');
        break;
      case 'pg_catalog':
        // pg_catalog.version(), as psql and drivers qualify the built-in functions: the same functions
        if (next.kind === 'op' && next.value === '.' && (this.peek(2).kind === 'word' || this.peek(2).kind === 'qident') && this.isOp('(', 3)) {
          this.i += 2;
          return this.functionCall();
        }
        break;
      default:
        if (BARE_FUNCTIONS.has(t.value)) {
          this.advance();
          return { kind: 'function', name: t.value, args: [], distinct: false, star: false, pos: t.pos };
        }
    }
    if (next.kind === 'op' && next.value === '(' && (!RESERVED_WORDS.has(t.value) || RESERVED_FUNCTIONS.has(t.value))) {
      return this.functionCall();
    }
    return this.columnRef();
  }

  /** a | t.a (t.* only appears as a select item). */
  private columnRef(): ast.ColumnRef {
    const first = this.name();
    if (!this.acceptOp('.')) return { kind: 'column', table: null, name: first, pos: first.pos };
    const second = this.label();
    if (this.isOp('.')) throw this.unsupported('schema-qualified column names');
    return { kind: 'column', table: first, name: second, pos: first.pos };
  }

  private caseExpr(): ast.CaseExpr {
    const pos = this.advance().pos;
    const operand = this.isWord('when') ? null : this.expr();
    const whens: { when: ast.Expr; then: ast.Expr }[] = [];
    while (this.acceptWord('when')) {
      const when = this.expr();
      this.expectWord('then');
      whens.push({ when, then: this.expr() });
    }
    if (whens.length === 0) throw this.expected('WHEN');
    const otherwise = this.acceptWord('else') ? this.expr() : null;
    this.expectWord('end');
    return { kind: 'case', operand, whens, otherwise, pos };
  }

  /** CAST(x AS type) */
  private castExpr(): ast.CastExpr {
    const pos = this.advance().pos;
    this.expectOp('(');
    const arg = this.expr();
    this.expectWord('as');
    const type = this.type();
    this.expectOp(')');
    return { kind: 'cast', arg, type, pos };
  }

  private existsExpr(): ast.ExistsExpr {
    const pos = this.advance().pos;
    this.expectOp('(');
    const query = this.query();
    this.expectOp(')');
    return { kind: 'exists', query, negated: false, pos };
  }

  private typedLiteral(type: SqlType): ast.TypedLiteral {
    const pos = this.advance().pos;
    return { kind: 'typed', type, value: this.advance().value, pos };
  }

  /** TIMESTAMP [WITH[OUT] TIME ZONE] '...' */
  private timestampLiteral(): ast.TypedLiteral {
    const pos = this.tok.pos;
    const type = this.type();
    if (this.tok.kind !== 'string') throw this.expected('a string');
    return { kind: 'typed', type, value: this.advance().value, pos };
  }

  /** INTERVAL 'text' [unit [(precision)]] */
  private intervalLiteral(): ast.IntervalLiteral {
    const pos = this.advance().pos;
    const text = this.advance();
    let unit: string | null = null;
    const q = this.tok;
    if (q.kind === 'word' && INTERVAL_QUALIFIERS.has(q.value)) {
      unit = q.value;
      this.advance();
      if (this.isOp('(') && this.peek(1).kind === 'number' && this.isOp(')', 2)) this.i += 3; // DAY(3): precision, ignored
      if (this.isWord('to')) throw this.unsupported(`INTERVAL ... ${unit.toUpperCase()} TO ...`);
    }
    const value = parseInterval(text.value, unit);
    if (value === null) throw this.error('SYNTAX', `invalid interval "${text.value}"`, text.pos);
    return { kind: 'interval', ...value, pos };
  }

  // ------------------------------------------------------------ function calls

  /** name(...), including the special syntaxes normalized to plain calls (see ast.FunctionCall). */
  private functionCall(): ast.Expr {
    const t = this.tok;
    if (t.kind === 'word') {
      switch (t.value) {
        case 'extract':
          return this.extractCall();
        case 'date_part':
        case 'datepart':
          return this.datePartCall();
        case 'substring':
          return this.substringCall();
        case 'position':
          return this.positionCall();
        case 'trim':
          return this.trimCall();
        case 'convert':
          return this.convertCall();
        case 'dateadd':
        case 'datediff':
          return this.dateArithmeticCall();
      }
    }
    this.advance();
    this.expectOp('(');
    let call: ast.FunctionCall;
    if (this.acceptOp('*')) {
      call = { kind: 'function', name: t.value, args: [], distinct: false, star: true, pos: t.pos };
    } else {
      const distinct = this.setQuantifierInCall();
      const args = this.isOp(')') ? [] : this.exprList();
      call = { kind: 'function', name: t.value, args, distinct, star: false, pos: t.pos };
    }
    // IGNORE | RESPECT NULLS inside the parentheses (DuckDB's place) or after them (Redshift's and the standard's)
    let nulls = this.nullTreatment();
    this.expectOp(')');
    const lookup = catalogLookup(call);
    if (lookup) return lookup;
    if (this.isWord('within') && this.isWord('group', 1)) {
      // LISTAGG(x, ',') WITHIN GROUP (ORDER BY ...); the binder decides which functions take it
      this.advance();
      this.advance();
      this.expectOp('(');
      call = { ...call, withinGroup: this.orderBy() };
      this.expectOp(')');
    }
    if (this.isWord('filter') && this.isOp('(', 1) && this.isWord('where', 2)) {
      // agg(...) FILTER (WHERE condition); the binder refuses it on other functions
      this.i += 3;
      call = { ...call, filter: this.expr() };
      this.expectOp(')');
    }
    if (nulls === null) nulls = this.nullTreatment();
    if (this.isWord('over') && (this.isOp('(', 1) || this.isName(1))) {
      call = { ...call, over: this.overClause() };
    } else if (nulls !== null) {
      throw this.expected('OVER');
    }
    if (nulls === true) call = { ...call, ignoreNulls: true };
    if (this.isWord('within') && this.isWord('group', 1)) throw this.unsupported('WITHIN GROUP');
    return call;
  }

  /** IGNORE NULLS (true), RESPECT NULLS (false), or neither (null). */
  private nullTreatment(): boolean | null {
    if (!this.isWord('nulls', 1) || !(this.isWord('ignore') || this.isWord('respect'))) return null;
    const ignore = this.advance().value === 'ignore';
    this.advance();
    return ignore;
  }

  /** OVER name | OVER (window specification) */
  private overClause(): ast.WindowSpec {
    this.expectWord('over');
    if (this.isOp('(')) return this.windowSpec();
    const base = this.name();
    return { base, partitionBy: [], orderBy: [], frame: null, pos: base.pos };
  }

  /** ([base window] [PARTITION BY exprs] [ORDER BY items] [frame]) */
  private windowSpec(): ast.WindowSpec {
    const pos = this.expectOp('(').pos;
    this.enter();
    try {
      // a window's name first, unless the first word starts a clause (such a window needs quotes)
      const starts = ['partition', 'order', 'rows', 'range', 'groups'].some((w) => this.isWord(w));
      const base = !starts && this.isName() ? this.name() : null;
      let partitionBy: ast.Expr[] = [];
      if (this.acceptWord('partition')) {
        this.expectWord('by');
        partitionBy = this.exprList();
      }
      const orderBy = this.isWord('order') ? this.orderBy() : [];
      let frame: ast.WindowFrame | null = null;
      if (this.isWord('rows') || this.isWord('range')) frame = this.windowFrame();
      else if (this.isWord('groups')) throw this.unsupported('GROUPS frames (use ROWS or RANGE)');
      this.expectOp(')');
      return { base, partitionBy, orderBy, frame, pos };
    } finally {
      this.leave();
    }
  }

  /**
   * ROWS | RANGE frame_start, or ROWS | RANGE BETWEEN frame_start AND frame_end,
   * with PostgreSQL's checks on the bounds' order.
   */
  private windowFrame(): ast.WindowFrame {
    const t = this.advance();
    const unit = t.value as 'rows' | 'range';
    let start: ast.FrameBound;
    let end: ast.FrameBound;
    if (this.acceptWord('between')) {
      start = this.frameBound();
      this.expectWord('and');
      end = this.frameBound();
    } else {
      start = this.frameBound();
      end = { kind: 'currentRow', pos: start.pos };
    }
    if (this.isWord('exclude')) throw this.unsupported('EXCLUDE in a window frame');
    if (start.kind === 'unboundedFollowing') throw this.error('SYNTAX', 'frame start cannot be UNBOUNDED FOLLOWING', start.pos);
    if (end.kind === 'unboundedPreceding') throw this.error('SYNTAX', 'frame end cannot be UNBOUNDED PRECEDING', end.pos);
    if (start.kind === 'currentRow' && end.kind === 'preceding') throw this.error('SYNTAX', 'frame starting from current row cannot have preceding rows', end.pos);
    if (start.kind === 'following' && (end.kind === 'preceding' || end.kind === 'currentRow')) {
      throw this.error('SYNTAX', 'frame starting from following row cannot have preceding rows', end.pos);
    }
    return { unit, start, end, pos: t.pos };
  }

  /** UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW | offset PRECEDING | offset FOLLOWING */
  private frameBound(): ast.FrameBound {
    const pos = this.tok.pos;
    if (this.acceptWord('unbounded')) {
      if (this.acceptWord('preceding')) return { kind: 'unboundedPreceding', pos };
      if (this.acceptWord('following')) return { kind: 'unboundedFollowing', pos };
      throw this.expected('PRECEDING or FOLLOWING');
    }
    if (this.acceptWord('current')) {
      this.expectWord('row');
      return { kind: 'currentRow', pos };
    }
    // at || level, so the AND of BETWEEN ... AND ... is not read as part of it
    const offset = this.concat();
    if (this.acceptWord('preceding')) return { kind: 'preceding', offset, pos };
    if (this.acceptWord('following')) return { kind: 'following', offset, pos };
    throw this.expected('PRECEDING or FOLLOWING');
  }

  /** f(DISTINCT x) / f(ALL x) */
  private setQuantifierInCall(): boolean {
    if (this.acceptWord('distinct')) return true;
    this.acceptWord('all');
    return false;
  }

  /** APPROXIMATE COUNT(DISTINCT x) (Redshift): a HyperLogLog estimate; the binder checks the DISTINCT. */
  private approximateCall(): ast.Expr {
    const t = this.advance();
    if (this.isWord('percentile_disc')) throw this.unsupported('APPROXIMATE PERCENTILE_DISC');
    if (!this.isWord('count')) throw this.expected('COUNT after APPROXIMATE');
    const call = this.functionCall() as ast.FunctionCall;
    return { ...call, approximate: true, pos: t.pos };
  }

  private call(name: string, args: ast.Expr[], pos: number): ast.FunctionCall {
    return { kind: 'function', name, args, distinct: false, star: false, pos };
  }

  /**
   * A date part written as a word (year) or a string ('year'), lower-cased:
   * the function registry knows the parts and their abbreviations
   * (functions/date.ts), and what each function takes.
   */
  private datePart(): { name: string; token: Token } {
    const t = this.tok;
    if (t.kind !== 'word' && t.kind !== 'string') throw this.expected('a date part');
    this.advance();
    return { name: t.value.toLowerCase(), token: t };
  }

  /** EXTRACT(field FROM x) */
  private extractCall(): ast.ExtractExpr {
    const pos = this.advance().pos;
    this.expectOp('(');
    const field = this.datePart().name;
    this.expectWord('from');
    const arg = this.expr();
    this.expectOp(')');
    return { kind: 'extract', field, arg, pos };
  }

  /** DATE_PART('field', x) or DATE_PART(field, x): the field becomes a string argument (Redshift's DATE_PART differs from EXTRACT). */
  private datePartCall(): ast.FunctionCall {
    const t = this.advance();
    this.expectOp('(');
    const part = this.datePart();
    this.expectOp(',');
    const arg = this.expr();
    this.expectOp(')');
    return this.call(t.value, [{ kind: 'string', value: part.name, pos: part.token.pos }, arg], t.pos);
  }

  /** DATEADD(unit, n, d), DATEDIFF(unit, a, b): the unit becomes a leading string argument. */
  private dateArithmeticCall(): ast.FunctionCall {
    const t = this.advance();
    this.expectOp('(');
    const unit = this.datePart();
    const args: ast.Expr[] = [{ kind: 'string', value: unit.name, pos: unit.token.pos }];
    this.expectOp(',');
    args.push(...this.exprList());
    this.expectOp(')');
    return this.call(t.value, args, t.pos);
  }

  /** SUBSTRING(s FROM a [FOR b]), SUBSTRING(s FOR b), SUBSTRING(s, a [, b]) */
  private substringCall(): ast.FunctionCall {
    const pos = this.advance().pos;
    this.expectOp('(');
    const args = [this.expr()];
    if (this.acceptWord('from')) {
      args.push(this.expr());
      if (this.acceptWord('for')) args.push(this.expr());
    } else if (this.isWord('for')) {
      args.push({ kind: 'number', text: '1', pos: this.advance().pos });
      args.push(this.expr());
    } else {
      while (this.acceptOp(',')) args.push(this.expr());
    }
    this.expectOp(')');
    return this.call('substring', args, pos);
  }

  /** POSITION(a IN b): both operands at || level, so IN is not read as a predicate. */
  private positionCall(): ast.FunctionCall {
    const pos = this.advance().pos;
    this.expectOp('(');
    const needle = this.concat();
    this.expectWord('in');
    const haystack = this.concat();
    this.expectOp(')');
    return this.call('position', [needle, haystack], pos);
  }

  /** TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) -> btrim|ltrim|rtrim(s [, chars]); TRIM(s [, chars]) -> btrim. */
  private trimCall(): ast.FunctionCall {
    const pos = this.advance().pos;
    this.expectOp('(');
    const name = this.acceptWord('leading') ? 'ltrim' : this.acceptWord('trailing') ? 'rtrim' : 'btrim';
    if (name === 'btrim') this.acceptWord('both');
    let args: ast.Expr[];
    if (this.acceptWord('from')) {
      args = this.exprList();
    } else {
      const first = this.expr();
      if (this.acceptWord('from')) args = [this.expr(), first];
      else args = this.acceptOp(',') ? [first, ...this.exprList()] : [first];
    }
    this.expectOp(')');
    return this.call(name, args, pos);
  }

  /** CONVERT(type, x) */
  private convertCall(): ast.CastExpr {
    const pos = this.advance().pos;
    this.expectOp('(');
    const type = this.type();
    this.expectOp(',');
    const arg = this.expr();
    this.expectOp(')');
    return { kind: 'cast', arg, type, pos };
  }

  // ------------------------------------------------------------ types

  /** A type name with Redshift's spellings and defaults, as an engine SqlType. */
  type(): SqlType {
    // pg_catalog.int4, as psql and drivers write types: the built-in types are pg_catalog's
    if (this.isWord('pg_catalog') && this.isOp('.', 1)) this.i += 2;
    const t = this.tok;
    if (t.kind !== 'word') throw this.expected('a type name');
    this.advance();
    switch (t.value) {
      case 'smallint':
      case 'int2':
        return { id: 'smallint' };
      case 'integer':
      case 'int':
      case 'int4':
        return { id: 'integer' };
      case 'bigint':
      case 'int8':
        return { id: 'bigint' };
      case 'decimal':
      case 'numeric':
      case 'dec':
        return this.decimalType();
      case 'real':
      case 'float4':
        return { id: 'real' };
      case 'double':
        this.expectWord('precision');
        return { id: 'double' };
      case 'float8':
        return { id: 'double' };
      case 'float':
        return this.floatType();
      case 'boolean':
      case 'bool':
        return { id: 'boolean' };
      case 'character':
        if (this.acceptWord('varying')) return this.varcharType();
        return this.charType();
      case 'char':
      case 'nchar':
      case 'bpchar':
        return this.charType();
      case 'varchar':
      case 'nvarchar':
        return this.varcharType();
      case 'text':
        return { id: 'varchar', length: DEFAULT_VARCHAR_LENGTH }; // Redshift's TEXT is VARCHAR(256)
      case 'date':
        return { id: 'date' };
      case 'timestamp':
        return this.timestampType();
      case 'timestamptz':
        return { id: 'timestamptz' };
      case 'oid':
        // PostgreSQL's object identifiers; the pg_catalog views hold them as INTEGER (catalog/pg-catalog.ts)
        return { id: 'integer' };
      default:
        if (UNSUPPORTED_TYPES.has(t.value)) throw this.unsupported(`type "${t.value}"`, t);
        throw this.error('SYNTAX', `type "${t.value}" does not exist`, t.pos);
    }
  }

  /** An integer type parameter, checked against [min, max]. */
  private typeParameter(what: string, min: number, max: number): number {
    const t = this.tok;
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) throw this.expected('an integer');
    const n = Number(t.value);
    if (n < min || n > max) throw this.error('SYNTAX', `${what} ${t.value} must be between ${min} and ${max}`, t.pos);
    this.advance();
    return n;
  }

  /** DECIMAL [(p [, s])], default (18, 0) as in Redshift. */
  private decimalType(): SqlType {
    let precision = 18;
    let scale = 0;
    if (this.acceptOp('(')) {
      precision = this.typeParameter('DECIMAL precision', 1, MAX_DECIMAL_PRECISION);
      if (this.acceptOp(',')) scale = this.typeParameter('DECIMAL scale', 0, precision);
      this.expectOp(')');
    }
    return { id: 'decimal', precision, scale };
  }

  /** FLOAT(p): 1..24 binary digits is REAL, 25..53 DOUBLE PRECISION (PostgreSQL's rule). */
  private floatType(): SqlType {
    if (!this.acceptOp('(')) return { id: 'double' };
    const p = this.typeParameter('FLOAT precision', 1, 53);
    this.expectOp(')');
    return { id: p <= 24 ? 'real' : 'double' };
  }

  private charType(): SqlType {
    let length = 1;
    if (this.acceptOp('(')) {
      length = this.typeParameter('CHAR length', 1, MAX_CHAR_LENGTH);
      this.expectOp(')');
    }
    return { id: 'char', length };
  }

  /** VARCHAR [(n | MAX)], default 256 as in Redshift. */
  private varcharType(): SqlType {
    let length = DEFAULT_VARCHAR_LENGTH;
    if (this.acceptOp('(')) {
      length = this.acceptWord('max') ? MAX_VARCHAR_LENGTH : this.typeParameter('VARCHAR length', 1, MAX_VARCHAR_LENGTH);
      this.expectOp(')');
    }
    return { id: 'varchar', length };
  }

  /** TIMESTAMP [WITH[OUT] TIME ZONE] (after TIMESTAMP) */
  private timestampType(): SqlType {
    const withZone = this.isWord('with') && this.isWord('time', 1);
    if (withZone || this.isWord('without')) {
      this.advance();
      this.expectWord('time');
      this.expectWord('zone');
    }
    return { id: withZone ? 'timestamptz' : 'timestamp' };
  }
}

// ---------------------------------------------------------------- helpers

function binary(op: ast.BinaryOp, left: ast.Expr, right: ast.Expr): ast.BinaryExpr {
  return { kind: 'binary', op, left, right, pos: left.pos };
}

/** A query with nothing around its body: its parentheses can be dropped. */
/** A SELECT with Redshift's TOP n, as the parser holds it until the enclosing query makes it a LIMIT. */
type TopSelect = ast.SelectBody & { readonly top: ast.NumberLiteral };

function topOf(b: ast.QueryBody): ast.NumberLiteral | null {
  return b.kind === 'select' && 'top' in b ? (b as TopSelect).top : null;
}

function withoutTop(b: TopSelect): ast.SelectBody {
  const { top: _top, ...body } = b;
  return body;
}

/** A set operation's operand: a SELECT TOP n is that SELECT limited to n rows, as a nested query. */
function topAsLimit(b: ast.QueryBody): ast.QueryBody {
  const top = topOf(b);
  if (!top) return b;
  const query: ast.Query = { with: [], body: withoutTop(b as TopSelect), orderBy: [], limit: top, offset: null, pos: b.pos };
  return { kind: 'nested', query, pos: b.pos };
}

function isPlain(q: ast.Query): boolean {
  return q.with.length === 0 && q.orderBy.length === 0 && q.limit === null && q.offset === null;
}

/**
 * Normalizes an interval's text into (months, days, microseconds), the way
 * PostgreSQL reads it: '1 year 2 mons', '5 days', '-1 day 03:00:00', '2 weeks ago',
 * or a bare number in the unit of the qualifier (INTERVAL '90' DAY; seconds
 * without one). Fractions spill into the next smaller part (1.5 month = 1 month
 * 15 days, with PostgreSQL's 30-day month). Returns null when the text is not an
 * interval.
 */
export function parseInterval(text: string, qualifier: string | null): { months: number; days: number; micros: number } | null {
  const s = text.trim().toLowerCase();
  if (s === '') return null;
  const acc = { months: 0, days: 0, micros: 0 };
  // [sign]h:mm[:ss[.f]] | number [unit] | ago
  const re = /\s*(?:([+-]?)(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?|([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]+)?|(ago))/y;
  let at = 0;
  let ago = false;
  while (at < s.length) {
    if (ago) return null; // "ago" must come last
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) return null;
    at = re.lastIndex;
    if (m[7] !== undefined) {
      ago = true;
    } else if (m[2] !== undefined) {
      const sign = m[1] === '-' ? -1 : 1;
      const micros = (Number(m[2]) * 3600 + Number(m[3]) * 60) * 1_000_000 + Math.round(Number(m[4] ?? '0') * 1_000_000);
      acc.micros += sign * micros;
    } else {
      const unit = INTERVAL_UNITS.get(m[6] ?? qualifier ?? 'second');
      if (unit === undefined) return null;
      addIntervalPart(acc, Number(m[5]) * unit[1], unit[0]);
    }
  }
  const result = ago ? { months: 0 - acc.months, days: 0 - acc.days, micros: 0 - acc.micros } : acc;
  if (!Number.isSafeInteger(result.months) || !Number.isSafeInteger(result.days) || !Number.isSafeInteger(result.micros)) return null;
  return result;
}

const MICROS_PER_DAY = 86_400_000_000;
const DAYS_PER_MONTH = 30; // PostgreSQL's convention for fractional months

function addIntervalPart(acc: { months: number; days: number; micros: number }, amount: number, field: IntervalField): void {
  if (field === 'micros') {
    acc.micros += Math.round(amount);
    return;
  }
  const [whole, fraction] = splitWhole(amount);
  if (field === 'months') {
    acc.months += whole;
    if (fraction !== 0) addIntervalPart(acc, fraction * DAYS_PER_MONTH, 'days');
  } else {
    acc.days += whole;
    if (fraction !== 0) addIntervalPart(acc, fraction * MICROS_PER_DAY, 'micros');
  }
}

/** Integer part and fraction, treating binary noise (1.1 * 12 = 13.200000000000001) as exact. */
function splitWhole(v: number): [number, number] {
  const r = Math.round(v);
  if (Math.abs(v - r) < 1e-9) return [r, 0];
  const whole = Math.trunc(v);
  return [whole, v - whole];
}

/** The size functions, each answered from RELSIZE_TABLE: keel's relations have no indexes or TOAST, so all three are the table's bytes. */
const SIZE_FUNCTIONS: ReadonlySet<string> = new Set(['pg_table_size', 'pg_relation_size', 'pg_total_relation_size']);

/**
 * Calls that read the catalog, answered by a lookup in a system table (as
 * regclassLookup): pg_table_size(rel) and its kin (a relation's OID, or its
 * name as PostgreSQL's regclass argument reads a string) from RELSIZE_TABLE,
 * current_database() from pg_database's one row. Null for any other call.
 */
function catalogLookup(call: ast.FunctionCall): ast.Expr | null {
  const pos = call.pos;
  const id = (name: string): ast.Ident => ({ name, pos });
  const column = (name: string): ast.Expr => ({ kind: 'column', table: null, name: id(name), pos });
  if (call.name === 'current_database' && call.args.length === 0 && !call.star) {
    const query = selectQuery({ items: [{ kind: 'expr', expr: column('datname'), alias: id('current_database'), pos }], from: [{ kind: 'table', name: id('pg_database'), alias: null, columnAliases: null, pos }] }, pos);
    return { kind: 'subquery', query, pos };
  }
  if (!SIZE_FUNCTIONS.has(call.name) || call.args.length !== 1 || call.star || call.distinct) return null;
  const arg = call.args[0]!;
  const oid = arg.kind === 'string' ? regclassLookup(arg) : arg;
  const query = selectQuery(
    {
      items: [{ kind: 'expr', expr: column(RELSIZE_BYTES), alias: id(call.name), pos }],
      from: [{ kind: 'table', name: id(RELSIZE_TABLE), alias: null, columnAliases: null, pos }],
      where: { kind: 'binary', op: '=', left: column(REGCLASS_OID), right: oid, pos },
    },
    pos,
  );
  return { kind: 'subquery', query, pos };
}

/**
 * 'name'::regtype, as psql's \df compares pg_proc.prorettype with
 * 'pg_catalog.trigger'::pg_catalog.regtype: the OID of the type of that name
 * in pg_type (a pg_catalog. prefix dropped), NULL for a type keel does not have.
 */
function regtypeLookup(e: ast.StringLiteral): ast.Expr {
  const pos = e.pos;
  const id = (name: string): ast.Ident => ({ name, pos });
  const name = e.value.startsWith('pg_catalog.') ? e.value.slice('pg_catalog.'.length) : e.value;
  const query = selectQuery(
    {
      items: [{ kind: 'expr', expr: { kind: 'column', table: null, name: id('oid'), pos }, alias: id('regtype'), pos }],
      from: [{ kind: 'table', name: id('pg_type'), alias: null, columnAliases: null, pos }],
      where: { kind: 'binary', op: '=', left: { kind: 'column', table: null, name: id('typname'), pos }, right: { ...e, value: name }, pos },
    },
    pos,
  );
  return { kind: 'subquery', query, pos };
}

/**
 * x::regclass, without a regclass type: an OID reads as its relation's name
 * (what PostgreSQL prints for a regclass), a string literal as the OID of the
 * relation it names (what it compares as), each looked up in the system table
 * REGCLASS_TABLE (catalog/pg-catalog.ts), whose names no query can shadow. An
 * OID or name that is no relation's is NULL (PostgreSQL prints an unknown OID
 * as its number, and raises an error for an unknown name).
 */
function regclassLookup(e: ast.Expr): ast.Expr {
  const pos = e.pos;
  const id = (name: string): ast.Ident => ({ name, pos });
  const byName = e.kind === 'string';
  const column = (name: string): ast.Expr => ({ kind: 'column', table: null, name: id(name), pos });
  const query = selectQuery(
    {
      items: [{ kind: 'expr', expr: column(byName ? REGCLASS_OID : REGCLASS_NAME), alias: null, pos }],
      from: [{ kind: 'table', name: id(REGCLASS_TABLE), alias: null, columnAliases: null, pos }],
      where: { kind: 'binary', op: '=', left: column(byName ? REGCLASS_NAME : REGCLASS_OID), right: e, pos },
    },
    pos,
  );
  return { kind: 'subquery', query, pos };
}
