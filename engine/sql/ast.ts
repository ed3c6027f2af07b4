/**
 * The syntax tree the parser produces and the binder consumes. It records what
 * was written, nothing resolved: names are plain (lower-cased unless quoted) and
 * literals keep their source text, so a DECIMAL literal loses no digits before
 * the binder knows its type. Every node carries `pos`, the 0-based offset of its
 * first character in the SQL text, for error messages with line and column.
 */
import type { SqlType } from '../types.js';

export interface Node {
  readonly pos: number;
}

/** An identifier: lower-cased when unquoted, kept as written when "quoted". */
export interface Ident extends Node {
  readonly name: string;
}

// ---------------------------------------------------------------- statements

export type Statement =
  | SelectStatement
  | ExplainStatement
  | CreateTableStatement
  | DropTableStatement
  | InsertStatement
  | DeleteStatement
  | UpdateStatement
  | TruncateStatement
  | MergeStatement
  | AlterTableStatement
  | AlterSchemaStatement
  | CreateViewStatement
  | DropViewStatement
  | CreateMaterializedViewStatement
  | RefreshMaterializedViewStatement
  | DropMaterializedViewStatement
  | SetStatement
  | DescribeStatement
  | ShowTablesStatement
  | CopyStatement
  | UnloadStatement
  | VacuumStatement
  | AnalyzeStatement
  | TransactionStatement;

export interface SelectStatement extends Node {
  readonly kind: 'select';
  readonly query: Query;
}

export interface ExplainStatement extends Node {
  readonly kind: 'explain';
  readonly analyze: boolean;
  readonly statement: Statement;
}

export type DistStyleName = 'auto' | 'even' | 'key' | 'all';

export interface ColumnDefinition extends Node {
  readonly name: Ident;
  readonly type: SqlType;
  /** NOT NULL was written (PRIMARY KEY implies it too). */
  readonly notNull: boolean;
  /** The ENCODE keyword's argument, upper-cased (RAW, AZ64, ZSTD, ...), or null. */
  readonly encode: string | null;
  /** DISTKEY written as a column attribute. */
  readonly distKey: boolean;
  /** SORTKEY written as a column attribute. */
  readonly sortKey: boolean;
  readonly primaryKey: boolean;
  /** DEFAULT expr, or null. */
  readonly default: Expr | null;
}

export interface SortKeyClause extends Node {
  /** COMPOUND (or nothing) vs INTERLEAVED (rows in z-order, storage/zorder.ts). */
  readonly style: 'compound' | 'interleaved';
  readonly columns: readonly Ident[];
}

export interface CreateTableStatement extends Node {
  readonly kind: 'createTable';
  readonly name: Ident;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDefinition[];
  /** Table constraints are accepted and ignored except PRIMARY KEY's NOT NULL. */
  readonly primaryKey: readonly Ident[];
  readonly distStyle: { readonly style: DistStyleName; readonly pos: number } | null;
  /** DISTKEY(col) table attribute. */
  readonly distKey: Ident | null;
  /** SORTKEY(...) table attribute, or SORTKEY AUTO (columns empty, auto true). */
  readonly sortKey: (SortKeyClause & { readonly auto: boolean }) | null;
  /** CREATE TABLE ... AS query. */
  readonly as: Query | null;
  /** CREATE TABLE t [(a, b)] AS query: names for the query's columns, or null. */
  readonly asColumns: readonly Ident[] | null;
  /** CREATE TABLE t (LIKE parent [INCLUDING | EXCLUDING DEFAULTS]), or null. */
  readonly like: { readonly table: Ident; readonly includingDefaults: boolean; readonly pos: number } | null;
}

export interface DropTableStatement extends Node {
  readonly kind: 'dropTable';
  readonly names: readonly Ident[];
  readonly ifExists: boolean;
}

export interface InsertStatement extends Node {
  readonly kind: 'insert';
  readonly table: Ident;
  readonly columns: readonly Ident[] | null;
  /** VALUES (...) arrive as a Query whose body is a ValuesBody. */
  readonly source: Query;
}

/** DELETE [FROM] t [USING from-items] [WHERE cond] (Redshift: no alias on the target). */
export interface DeleteStatement extends Node {
  readonly kind: 'delete';
  readonly table: Ident;
  readonly using: readonly TableRef[];
  readonly where: Expr | null;
}

/** One SET item: column = expression, or DEFAULT (NULL: keel columns have no defaults). */
export interface Assignment extends Node {
  readonly column: Ident;
  readonly value: Expr | null;
}

/** UPDATE t [[AS] alias] SET c = e, ... [FROM from-items] [WHERE cond] */
export interface UpdateStatement extends Node {
  readonly kind: 'update';
  readonly table: Ident;
  readonly alias: Ident | null;
  readonly set: readonly Assignment[];
  readonly from: readonly TableRef[];
  readonly where: Expr | null;
}

/**
 * MERGE INTO t USING source ON cond WHEN MATCHED THEN (UPDATE SET ... | DELETE)
 * WHEN NOT MATCHED THEN INSERT [(cols)] VALUES (...): Redshift's form, both
 * clauses, in that order; no alias on the target.
 */
export interface MergeStatement extends Node {
  readonly kind: 'merge';
  readonly table: Ident;
  readonly source: TableRef;
  readonly on: Expr;
  readonly matched: { readonly kind: 'update'; readonly set: readonly Assignment[]; readonly pos: number } | { readonly kind: 'delete'; readonly pos: number };
  readonly notMatched: { readonly columns: readonly Ident[] | null; readonly values: readonly Expr[]; readonly pos: number };
}

/** VACUUM [FULL | SORT ONLY | DELETE ONLY | REINDEX] [t] [TO n PERCENT] [BOOST] (parse-maintenance.ts) */
export interface VacuumStatement extends Node {
  readonly kind: 'vacuum';
  readonly mode: 'full' | 'sortOnly' | 'deleteOnly' | 'reindex';
  /** Null: every table. */
  readonly table: Ident | null;
  /** TO n PERCENT; null: Redshift's default (95). */
  readonly threshold: number | null;
  readonly boost: boolean;
}

/** ANALYZE [VERBOSE] [t [(c, ...)]] [ALL COLUMNS] | ANALYZE COMPRESSION [t [(c, ...)]] [COMPROWS n] (parse-maintenance.ts) */
export interface AnalyzeStatement extends Node {
  readonly kind: 'analyze';
  /** ANALYZE COMPRESSION: report the best encodings, change nothing. */
  readonly compression: boolean;
  /** COMPROWS n; null: Redshift's default. */
  readonly compRows: number | null;
  /** Null: every table. */
  readonly table: Ident | null;
  /** Null: every column. */
  readonly columns: readonly Ident[] | null;
}

/** TRUNCATE [TABLE] t */
export interface TruncateStatement extends Node {
  readonly kind: 'truncate';
  readonly table: Ident;
}

/** COPY t [(cols)] FROM 'path' [options]: parse-copy.ts reads and checks the options. */
export interface CopyStatement extends Node {
  readonly kind: 'copy';
  readonly table: Ident;
  readonly columns: readonly Ident[] | null;
  readonly from: string;
  readonly fromPos: number;
  readonly options: CopyOptions;
}

export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'parquet';
  /** null: the format's default ('|' for text, ',' for CSV). */
  readonly delimiter: string | null;
  /** CSV's quote character, null: '"'. */
  readonly quote: string | null;
  readonly ignoreHeader: number;
  /** null: '\\N'. */
  readonly nullAs: string | null;
  readonly gzip: boolean;
  readonly dateFormat: string | null;
  readonly timeFormat: string | null;
  readonly maxError: number;
  readonly emptyAsNull: boolean;
  readonly blanksAsNull: boolean;
  readonly truncateColumns: boolean;
  /** The replacement for invalid UTF-8, null when not accepted. */
  readonly acceptInvChars: string | null;
  /** Check the files, load nothing. */
  readonly noLoad: boolean;
}

/** UNLOAD ('query') TO 'path prefix' [options] */
export interface UnloadStatement extends Node {
  readonly kind: 'unload';
  readonly query: string;
  readonly queryPos: number;
  readonly to: string;
  readonly toPos: number;
  readonly format: 'text' | 'csv' | 'parquet';
  /** null: '|' for text, ',' for CSV. */
  readonly delimiter: string | null;
  readonly header: boolean;
  /** How NULL is written in text and CSV; null: the empty field. */
  readonly nullAs: string | null;
  readonly allowOverwrite: boolean;
  readonly cleanPath: boolean;
  /** One file per slice (true) or one file (false), either cut at maxFileSize. */
  readonly parallel: boolean;
  /** Bytes; null: 6.2 GB, Redshift's default. */
  readonly maxFileSize: number | null;
  readonly gzip: boolean;
}

/**
 * Transaction control: BEGIN / START TRANSACTION (begin), COMMIT / END
 * (commit), ROLLBACK / ABORT (rollback).
 */
export interface TransactionStatement extends Node {
  readonly kind: 'transaction';
  readonly action: 'begin' | 'commit' | 'rollback';
  /** BEGIN ... READ ONLY: the transaction may not change anything. */
  readonly readOnly: boolean;
}

export type AlterAction =
  /** ALTER DISTSTYLE EVEN | ALL | AUTO | KEY DISTKEY c */
  | { readonly kind: 'distStyle'; readonly style: DistStyleName; readonly distKey: Ident | null; readonly pos: number }
  /** ALTER DISTKEY c */
  | { readonly kind: 'distKey'; readonly column: Ident; readonly pos: number }
  /**
   * ALTER [COMPOUND] SORTKEY (a, b) | ALTER INTERLEAVED SORTKEY (a, b) (a keel
   * extension: Redshift sets INTERLEAVED only in CREATE TABLE) | ALTER SORTKEY
   * NONE | ALTER SORTKEY AUTO (style compound for the last two)
   */
  | {
      readonly kind: 'sortKey';
      readonly style: 'compound' | 'interleaved';
      readonly columns: readonly Ident[];
      readonly none: boolean;
      readonly auto: boolean;
      readonly pos: number;
    }
  /** ALTER COLUMN c ENCODE e (e upper-cased) */
  | { readonly kind: 'encode'; readonly column: Ident; readonly encoding: string; readonly pos: number }
  /** ALTER ENCODE AUTO: every column back to AUTO */
  | { readonly kind: 'encodeAuto'; readonly pos: number };

export interface AlterTableStatement extends Node {
  readonly kind: 'alterTable';
  readonly table: Ident;
  /** One or more, comma-separated (as PostgreSQL allows): applied in order, in one rewrite. */
  readonly actions: readonly AlterAction[];
}

/** A change of a table's columns or name (statements/alter-columns.ts); Redshift takes one per ALTER TABLE. */
export type SchemaChange =
  /** ADD [COLUMN] c type [DEFAULT e] [ENCODE x] [NOT NULL | NULL] */
  | {
      readonly kind: 'addColumn';
      readonly name: Ident;
      readonly type: SqlType;
      readonly default: Expr | null;
      readonly encode: string | null;
      readonly notNull: boolean;
      readonly pos: number;
    }
  /** DROP [COLUMN] c [RESTRICT | CASCADE] */
  | { readonly kind: 'dropColumn'; readonly column: Ident; readonly cascade: boolean; readonly pos: number }
  /** RENAME COLUMN c TO d */
  | { readonly kind: 'renameColumn'; readonly column: Ident; readonly to: Ident; readonly pos: number }
  /** RENAME TO t2 */
  | { readonly kind: 'renameTable'; readonly to: Ident; readonly pos: number }
  /** ALTER COLUMN c TYPE varchar(n): a wider VARCHAR only */
  | { readonly kind: 'columnType'; readonly column: Ident; readonly type: SqlType; readonly typePos: number; readonly pos: number };

export interface AlterSchemaStatement extends Node {
  readonly kind: 'alterSchema';
  readonly table: Ident;
  readonly change: SchemaChange;
}

export interface CreateViewStatement extends Node {
  readonly kind: 'createView';
  readonly name: Ident;
  readonly orReplace: boolean;
  readonly columns: readonly Ident[] | null;
  readonly query: Query;
  /** The query's source text (from its first to its last character), stored in the catalog. */
  readonly queryText: string;
  /** WITH NO SCHEMA BINDING: Redshift's late-binding view. */
  readonly noSchemaBinding: boolean;
}

/**
 * CREATE MATERIALIZED VIEW v [BACKUP YES|NO] [DISTSTYLE ...] [DISTKEY(c)]
 * [[COMPOUND|INTERLEAVED] SORTKEY(...)] [AUTO REFRESH YES|NO] AS query
 */
export interface CreateMaterializedViewStatement extends Node {
  readonly kind: 'createMaterializedView';
  readonly name: Ident;
  readonly distStyle: CreateTableStatement['distStyle'];
  readonly distKey: Ident | null;
  readonly sortKey: CreateTableStatement['sortKey'];
  readonly autoRefresh: boolean;
  readonly query: Query;
  /** The query's source text, stored in the catalog and recomputed by REFRESH. */
  readonly queryText: string;
}

export interface RefreshMaterializedViewStatement extends Node {
  readonly kind: 'refreshMaterializedView';
  readonly name: Ident;
}

export interface DropMaterializedViewStatement extends Node {
  readonly kind: 'dropMaterializedView';
  readonly name: Ident;
  readonly ifExists: boolean;
}

/** SET name {TO | =} value | RESET name: a setting of the session (engine/settings.ts). */
export interface SetStatement extends Node {
  readonly kind: 'set';
  readonly name: Ident;
  /** The value as written (a word, a number or a string's text); null for RESET or SET ... TO DEFAULT. */
  readonly value: string | null;
}

export interface DropViewStatement extends Node {
  readonly kind: 'dropView';
  readonly names: readonly Ident[];
  readonly ifExists: boolean;
}

/** DESCRIBE t (DESC t): a relation's columns, as DuckDB and MySQL users type it. */
export interface DescribeStatement extends Node {
  readonly kind: 'describe';
  readonly name: Ident;
}

/** SHOW TABLES: the tables and views. */
export interface ShowTablesStatement extends Node {
  readonly kind: 'showTables';
}

// ---------------------------------------------------------------- queries

export interface CommonTableExpr extends Node {
  readonly name: Ident;
  readonly columns: readonly Ident[] | null;
  readonly query: Query;
}

export interface OrderItem extends Node {
  readonly expr: Expr;
  readonly desc: boolean;
  /** null: the default (NULLS LAST for ASC, NULLS FIRST for DESC, as in Redshift). */
  readonly nullsFirst: boolean | null;
}

/** A full query: WITH, a body of set operations, ORDER BY, LIMIT, OFFSET. */
export interface Query extends Node {
  readonly with: readonly CommonTableExpr[];
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  /** null: no LIMIT (or LIMIT ALL). */
  readonly limit: Expr | null;
  readonly offset: Expr | null;
}

export type QueryBody = SelectBody | SetOpBody | ValuesBody | NestedQueryBody;

export interface SelectBody extends Node {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  /** Comma-separated FROM items (each may be a join tree); empty without FROM. */
  readonly from: readonly TableRef[];
  readonly where: Expr | null;
  /** GROUP BY's plain expressions (all of GROUP BY without grouping sets). */
  readonly groupBy: readonly Expr[];
  /**
   * GROUP BY's ROLLUP, CUBE, GROUPING SETS and () elements, when there are any:
   * the grouping sets are the cross product of these elements' sets and of the
   * plain expressions (each a one-set element), as in PostgreSQL.
   */
  readonly groupingSets?: readonly GroupingElement[];
  readonly having: Expr | null;
  /** WINDOW w AS (...), ...: named windows for OVER w. */
  readonly windows: readonly NamedWindow[];
  /** QUALIFY condition: a filter on window function results (Redshift, DuckDB, Snowflake). */
  readonly qualify: Expr | null;
}

/**
 * A GROUP BY element that stands for several grouping sets:
 *   set          (a, b) or () inside GROUPING SETS, and a top-level (): one set
 *   rollup       ROLLUP(a, (b, c)): its items' prefixes, longest first, down to ()
 *   cube         CUBE(a, (b, c)): every subset of its items
 *   groupingSets GROUPING SETS (...): the sets of each element in turn (elements may nest)
 * A ROLLUP or CUBE item is a parenthesized list kept together, or one expression.
 */
export type GroupingElement =
  | { readonly kind: 'set'; readonly exprs: readonly Expr[]; readonly pos: number }
  | { readonly kind: 'rollup' | 'cube'; readonly items: readonly (readonly Expr[])[]; readonly pos: number }
  | { readonly kind: 'groupingSets'; readonly elements: readonly GroupingElement[]; readonly pos: number };
/** WINDOW name AS (spec) */
export interface NamedWindow extends Node {
  readonly name: Ident;
  readonly spec: WindowSpec;
}

/**
 * What follows OVER: `OVER w` (base w, nothing else) or
 * `OVER ([w] [PARTITION BY ...] [ORDER BY ...] [frame])`.
 */
export interface WindowSpec extends Node {
  /** A window of the WINDOW clause this one copies and refines. */
  readonly base: Ident | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame: WindowFrame | null;
}

/** ROWS | RANGE BETWEEN start AND end; a lone start ends at CURRENT ROW. */
export interface WindowFrame extends Node {
  readonly unit: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

export type FrameBound =
  | { readonly kind: 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing'; readonly pos: number }
  /** n PRECEDING | n FOLLOWING: rows for ROWS, a distance in the ORDER BY value for RANGE (an interval for dates). */
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr; readonly pos: number };

export interface SetOpBody extends Node {
  readonly kind: 'setOp';
  /** MINUS parses as except. */
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
}

export interface ValuesBody extends Node {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
}

/** A parenthesized query used as a set-operation operand: (select ... order by ... limit 1) union ... */
export interface NestedQueryBody extends Node {
  readonly kind: 'nested';
  readonly query: Query;
}

export type SelectItem =
  /** * or t.* */
  | { readonly kind: 'star'; readonly table: Ident | null; readonly pos: number }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias: Ident | null; readonly pos: number };

export type TableRef = TableName | SubqueryRef | JoinRef;

export interface TableName extends Node {
  readonly kind: 'table';
  readonly name: Ident;
  readonly alias: Ident | null;
  /** t AS a (x, y): column aliases. */
  readonly columnAliases: readonly Ident[] | null;
}

export interface SubqueryRef extends Node {
  readonly kind: 'subquery';
  readonly query: Query;
  readonly alias: Ident | null;
  readonly columnAliases: readonly Ident[] | null;
}

export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'cross';

export interface JoinRef extends Node {
  readonly kind: 'join';
  readonly type: JoinKind;
  /** NATURAL JOIN: the condition is the equality of same-named columns. */
  readonly natural: boolean;
  readonly left: TableRef;
  readonly right: TableRef;
  readonly on: Expr | null;
  readonly using: readonly Ident[] | null;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | ColumnRef
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NullLiteral
  | TypedLiteral
  | IntervalLiteral
  | ParamRef
  | UnaryExpr
  | BinaryExpr
  | IsNullExpr
  | IsBoolExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | ScalarSubquery
  | QuantifiedExpr
  | LikeExpr
  | MatchExpr
  | DistinctFromExpr
  | CaseExpr
  | CastExpr
  | ExtractExpr
  | FunctionCall;

/** a, t.a */
export interface ColumnRef extends Node {
  readonly kind: 'column';
  readonly table: Ident | null;
  readonly name: Ident;
}

/** 42, 0.05, 1e3: the text as written (no sign; unary minus is a UnaryExpr). */
export interface NumberLiteral extends Node {
  readonly kind: 'number';
  readonly text: string;
}

export interface StringLiteral extends Node {
  readonly kind: 'string';
  /** With '' unescaped. */
  readonly value: string;
}

export interface BooleanLiteral extends Node {
  readonly kind: 'boolean';
  readonly value: boolean;
}

export interface NullLiteral extends Node {
  readonly kind: 'null';
}

/** DATE '1998-12-01', TIMESTAMP '...': a string with a type in front. */
export interface TypedLiteral extends Node {
  readonly kind: 'typed';
  readonly type: SqlType;
  readonly value: string;
}

/** $1, $2 ...: a parameter of a prepared statement, its value given at execution (1-based `index`). */
export interface ParamRef extends Node {
  readonly kind: 'param';
  readonly index: number;
}

export type IntervalUnit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';

/**
 * INTERVAL '90' DAY, INTERVAL '3' MONTH, INTERVAL '1 year', INTERVAL '2 days 3 hours'.
 * Normalized into (months, days, microseconds), the three parts that behave
 * differently under date arithmetic. DAY(3) precision is accepted and ignored.
 */
export interface IntervalLiteral extends Node {
  readonly kind: 'interval';
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

export interface UnaryExpr extends Node {
  readonly kind: 'unary';
  readonly op: '-' | '+' | 'not';
  readonly arg: Expr;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '||'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

export interface BinaryExpr extends Node {
  readonly kind: 'binary';
  /** != is normalized to <>. */
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

export interface IsNullExpr extends Node {
  readonly kind: 'isNull';
  readonly arg: Expr;
  readonly negated: boolean;
}

/** x IS [NOT] TRUE | FALSE | UNKNOWN (UNKNOWN is IS NULL for booleans). */
export interface IsBoolExpr extends Node {
  readonly kind: 'isBool';
  readonly arg: Expr;
  readonly value: boolean;
  readonly negated: boolean;
}

export interface BetweenExpr extends Node {
  readonly kind: 'between';
  readonly arg: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
}

export interface InListExpr extends Node {
  readonly kind: 'inList';
  readonly arg: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

export interface InSubqueryExpr extends Node {
  readonly kind: 'inSubquery';
  readonly arg: Expr;
  readonly query: Query;
  readonly negated: boolean;
}

export interface ExistsExpr extends Node {
  readonly kind: 'exists';
  readonly query: Query;
  readonly negated: boolean;
}

export interface ScalarSubquery extends Node {
  readonly kind: 'subquery';
  readonly query: Query;
}

/** x > ALL (subquery), x = ANY (subquery), SOME is ANY. */
export interface QuantifiedExpr extends Node {
  readonly kind: 'quantified';
  readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
  readonly quantifier: 'any' | 'all';
  readonly arg: Expr;
  readonly query: Query;
}

export interface LikeExpr extends Node {
  readonly kind: 'like';
  readonly arg: Expr;
  readonly pattern: Expr;
  readonly escape: Expr | null;
  readonly negated: boolean;
  /** ILIKE */
  readonly caseInsensitive: boolean;
}

/**
 * x [NOT] SIMILAR TO pattern [ESCAPE e] (SQL's regular expressions, matching
 * the whole string), and the POSIX match operators x ~ pattern, ~*, !~, !~*
 * (a match anywhere in the string; * ignores case, ! negates).
 */
export interface MatchExpr extends Node {
  readonly kind: 'match';
  readonly syntax: 'similar' | 'posix';
  readonly arg: Expr;
  readonly pattern: Expr;
  /** SIMILAR TO's ESCAPE character (backslash when absent); always null for POSIX. */
  readonly escape: Expr | null;
  readonly negated: boolean;
  readonly caseInsensitive: boolean;
}

/** a IS [NOT] DISTINCT FROM b: equality where NULL equals NULL (never NULL itself). */
export interface DistinctFromExpr extends Node {
  readonly kind: 'distinctFrom';
  readonly left: Expr;
  readonly right: Expr;
  /** IS NOT DISTINCT FROM. */
  readonly negated: boolean;
}

/** CASE [operand] WHEN ... THEN ... [ELSE ...] END */
export interface CaseExpr extends Node {
  readonly kind: 'case';
  readonly operand: Expr | null;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
}

/** CAST(x AS t), x::t, CONVERT(t, x) */
export interface CastExpr extends Node {
  readonly kind: 'cast';
  readonly arg: Expr;
  readonly type: SqlType;
}

/** EXTRACT(field FROM x), DATE_PART('field', x): field lower-cased (year, month, day, quarter, dow, doy, hour, minute, second, epoch, week). */
export interface ExtractExpr extends Node {
  readonly kind: 'extract';
  readonly field: string;
  readonly arg: Expr;
}

/**
 * Any other call, name lower-cased. Special syntaxes are normalized to plain
 * argument lists:
 *   SUBSTRING(s FROM a FOR b)    -> substring(s, a, b)   (FOR optional)
 *   POSITION(a IN b)             -> position(a, b)
 *   TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) -> btrim|ltrim|rtrim(s [, chars]); TRIM(s) -> btrim(s)
 *   COUNT(*)                     -> count with star = true, args empty
 * DATEADD(month, 3, d) and DATEDIFF(day, a, b) keep the unit as a leading
 * StringLiteral argument ('month', 'day').
 * An ordered-set aggregate's WITHIN GROUP (ORDER BY ...) is `withinGroup`:
 *   LISTAGG(x, ',') WITHIN GROUP (ORDER BY y) -> listagg(x, ',') with withinGroup [y]
 * An aggregate's FILTER (WHERE c) is `filter`; Redshift's APPROXIMATE COUNT(DISTINCT x)
 * is count(distinct x) with `approximate`.
 * A window function call carries its OVER clause in `over`:
 *   RANK() OVER (PARTITION BY a ORDER BY b) -> rank() with over { partitionBy [a], orderBy [b] }
 */
export interface FunctionCall extends Node {
  readonly kind: 'function';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  /** WITHIN GROUP (ORDER BY ...) after the call; absent when not written. */
  readonly withinGroup?: readonly OrderItem[];
  /** FILTER (WHERE ...) after the call; absent when not written. */
  readonly filter?: Expr;
  /** APPROXIMATE in front of the call. */
  readonly approximate?: boolean;
  /** OVER (...): a window function call; absent for plain calls. */
  readonly over?: WindowSpec;
  /** IGNORE NULLS, inside the parentheses or after them (RESPECT NULLS is the default, not recorded). */
  readonly ignoreNulls?: boolean;
}
