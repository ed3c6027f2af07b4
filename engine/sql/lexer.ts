/**
 * The SQL lexer: turns text into a flat token array for the recursive-descent
 * parser. Whitespace and comments vanish here; every token keeps its source
 * range so the parser can name the offending text and point at it.
 *
 * Keywords are not a token kind of their own. An unquoted word is a `word`
 * token whose value is lower-cased, and the parser decides by context whether
 * it is a keyword or an identifier (most keywords are non-reserved, so `year`
 * or `value` can be column names). A "quoted" identifier is a `qident` and is
 * never a keyword.
 */
import { SqlError, positionAt } from '../errors.js';

export type TokenKind = 'word' | 'qident' | 'number' | 'string' | 'param' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /**
   * word: lower-cased text; qident: the name with "" unescaped; number: the
   * text as written; string: the value with '' unescaped; op: the operator.
   */
  readonly value: string;
  /** Offset of the first character. */
  readonly pos: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/**
 * Words that can never be an unquoted column, table or alias name: PostgreSQL's
 * reserved keywords, the join words (which PostgreSQL forbids as column names
 * too), Redshift's MINUS, and the bare-word functions (current_date, sysdate).
 * Anything not listed is usable as a name wherever a name fits.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'as', 'asc', 'between', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'cross', 'current_date', 'current_time', 'current_timestamp',
  'current_user', 'default', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
  'foreign', 'from', 'full', 'grant', 'group', 'having', 'ilike', 'in', 'initially', 'inner', 'intersect',
  'into', 'is', 'join', 'leading', 'left', 'like', 'limit', 'localtime', 'localtimestamp', 'minus', 'natural',
  'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'outer', 'placing', 'primary', 'references',
  'returning', 'right', 'select', 'session_user', 'similar', 'some', 'symmetric', 'sysdate', 'table', 'then',
  'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
]);

/** Operators, longest first so that `<=` wins over `<` (and `!~*`, POSIX's negated case-insensitive match, over `!~`). */
const THREE_CHAR_OPS: ReadonlySet<string> = new Set(['!~*']);
const TWO_CHAR_OPS: ReadonlySet<string> = new Set(['::', '<=', '>=', '<>', '!=', '||', '~*', '!~']);
const ONE_CHAR_OPS: ReadonlySet<string> = new Set(['(', ')', ',', ';', '.', '*', '+', '-', '/', '%', '=', '<', '>', '[', ']', '~']);

const CH_0 = 48;
const CH_9 = 57;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** Letters, underscore and any non-ASCII character start an unquoted word (as in PostgreSQL). */
function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 36; // $ is allowed after the first character
}

function syntaxError(sql: string, offset: number, message: string): SqlError {
  return new SqlError('SYNTAX', message, positionAt(sql, offset), sql);
}

/**
 * Splits `sql` into tokens, ending with one `eof` token. The eof token sits
 * just after the last real token (not after trailing blanks and comments), so
 * an "unexpected end of input" caret lands next to the text that is cut short.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c <= 32) {
      i++;
    } else if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      i = skipBlockComment(sql, i);
    } else if ((c === 69 || c === 101) /* E e */ && sql.charCodeAt(i + 1) === 39 /* ' */) {
      i = scanEscapeString(sql, i, tokens);
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j).toLowerCase(), pos: i, end: j });
      i = j;
    } else if (isDigit(c) || (c === 46 /* . */ && isDigit(sql.charCodeAt(i + 1)))) {
      const j = scanNumber(sql, i);
      tokens.push({ kind: 'number', value: sql.slice(i, j), pos: i, end: j });
      i = j;
    } else if (c === 36 /* $ */ && isDigit(sql.charCodeAt(i + 1))) {
      // $1, $2: a parameter of a prepared statement (the wire protocol's Bind gives its value); value is the digits
      let j = i + 1;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
      tokens.push({ kind: 'param', value: sql.slice(i + 1, j), pos: i, end: j });
      i = j;
    } else if (c === 39 /* ' */) {
      i = scanQuoted(sql, i, "'", 'string', tokens);
    } else if (c === 34 /* " */) {
      i = scanQuoted(sql, i, '"', 'qident', tokens);
    } else {
      const three = sql.slice(i, i + 3);
      const two = sql.slice(i, i + 2);
      const op = THREE_CHAR_OPS.has(three) ? three : TWO_CHAR_OPS.has(two) ? two : sql[i]!;
      if (!THREE_CHAR_OPS.has(op) && !TWO_CHAR_OPS.has(op) && !ONE_CHAR_OPS.has(op)) {
        // Name the whole character even when it is a surrogate pair.
        const ch = String.fromCodePoint(sql.codePointAt(i)!);
        throw syntaxError(sql, i, `syntax error at or near "${ch}"`);
      }
      tokens.push({ kind: 'op', value: op, pos: i, end: i + op.length });
      i += op.length;
    }
  }
  const last = tokens.length > 0 ? tokens[tokens.length - 1]!.end : 0;
  tokens.push({ kind: 'eof', value: '', pos: last, end: last });
  return operatorSyntax(sql, tokens);
}

/** The operators OPERATOR(...) may name: keel's binary operators. */
const NAMED_OPERATORS: ReadonlySet<string> = new Set(['~', '~*', '!~', '!~*', '=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||']);

/**
 * PostgreSQL's OPERATOR(pg_catalog.~) is the operator ~ (psql writes its
 * name patterns so): each one becomes the operator's own token. keel's
 * operators are all pg_catalog's, so another schema is refused; the operator
 * keeps its usual precedence (PostgreSQL gives OPERATOR() that of the
 * user-defined operators, which changes nothing in the comparisons psql and
 * drivers write).
 */
function operatorSyntax(sql: string, tokens: Token[]): Token[] {
  if (!tokens.some((t) => t.kind === 'word' && t.value === 'operator')) return tokens;
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const open = tokens[i + 1];
    if (t.kind !== 'word' || t.value !== 'operator' || open?.kind !== 'op' || open.value !== '(') {
      out.push(t);
      continue;
    }
    let j = i + 2;
    const schema = tokens[j];
    if (schema && (schema.kind === 'word' || schema.kind === 'qident') && tokens[j + 1]?.kind === 'op' && tokens[j + 1]!.value === '.') {
      if (schema.value !== 'pg_catalog') {
        throw new SqlError('UNSUPPORTED', `OPERATOR(${schema.value}.…) is not supported: keel's operators are pg_catalog's`, positionAt(sql, schema.pos), sql);
      }
      j += 2;
    }
    const op = tokens[j];
    const close = tokens[j + 1];
    if (!op || op.kind !== 'op' || !NAMED_OPERATORS.has(op.value)) throw syntaxError(sql, op?.pos ?? t.pos, `syntax error at or near "${op?.value ?? 'OPERATOR'}": OPERATOR() names one of ${[...NAMED_OPERATORS].join(' ')}`);
    if (!close || close.kind !== 'op' || close.value !== ')') throw syntaxError(sql, close?.pos ?? op.end, 'syntax error: expected ")" after the operator of OPERATOR(');
    out.push({ kind: 'op', value: op.value === '!=' ? '<>' : op.value, pos: t.pos, end: close.end });
    i = j + 1;
  }
  return out;
}

/**
 * An escape string, E'...' (PostgreSQL's): backslash escapes \n \t \b \f
 * \r, octal \ooo, hexadecimal \xhh, Unicode \uXXXX and \UXXXXXXXX, and any
 * other character after a backslash stands for itself (\' and \\ too); ''
 * is a quote, as in a plain string.
 */
function scanEscapeString(sql: string, start: number, out: Token[]): number {
  let value = '';
  let i = start + 2;
  const n = sql.length;
  for (;;) {
    if (i >= n) throw syntaxError(sql, start, 'unterminated quoted string');
    const ch = sql[i]!;
    if (ch === "'") {
      if (sql[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      out.push({ kind: 'string', value, pos: start, end: i + 1 });
      return i + 1;
    }
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const e = sql[i + 1];
    if (e === undefined) throw syntaxError(sql, start, 'unterminated quoted string');
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(sql.slice(i + 1))![0];
      value += byteEscape(sql, i, parseInt(m, 8) & 0xff);
      i += 1 + m.length;
    } else if (e === 'x' && /[0-9a-fA-F]/.test(sql[i + 2] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(sql.slice(i + 2))![0];
      value += byteEscape(sql, i, parseInt(m, 16));
      i += 2 + m.length;
    } else if (e === 'u' || e === 'U') {
      const digits = e === 'u' ? 4 : 8;
      const m = sql.slice(i + 2, i + 2 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(m)) throw syntaxError(sql, i, `invalid Unicode escape: \\${e} takes ${digits} hexadecimal digits`);
      value += codePoint(sql, i, parseInt(m, 16));
      i += 2 + digits;
    } else {
      value += e;
      i += 2;
    }
  }
}

const ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** An octal or hexadecimal escape is a byte: keel's strings are characters, so one past ASCII is refused (write \\u00e9, as PostgreSQL reads it in UTF8). */
function byteEscape(sql: string, at: number, byte: number): string {
  if (byte > 0x7f) throw syntaxError(sql, at, `invalid escape: the byte 0x${byte.toString(16)} is not a character by itself (use \\u or \\U for characters past ASCII)`);
  return codePoint(sql, at, byte);
}

/** The character of an escape's code point; 0 and values past Unicode are refused, as PostgreSQL refuses them in text. */
function codePoint(sql: string, at: number, cp: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw syntaxError(sql, at, `invalid escape: code point ${cp} is not a character keel's strings hold`);
  return String.fromCodePoint(cp);
}

/** Skips a (possibly nested, as in PostgreSQL) block comment starting at `start`; returns the offset after it. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw syntaxError(sql, start, 'unterminated /* comment');
}

/** 12, 12.5, .5, 12., 1e5, 1.5E-3. An exponent is taken only when digits follow it. */
function scanNumber(sql: string, start: number): number {
  const n = sql.length;
  let j = start;
  while (j < n && isDigit(sql.charCodeAt(j))) j++;
  if (sql.charCodeAt(j) === 46 /* . */) {
    j++;
    while (j < n && isDigit(sql.charCodeAt(j))) j++;
  }
  const e = sql.charCodeAt(j);
  if (e === 101 || e === 69 /* e E */) {
    let k = j + 1;
    const sign = sql.charCodeAt(k);
    if (sign === 43 || sign === 45) k++;
    if (isDigit(sql.charCodeAt(k))) {
      while (k < n && isDigit(sql.charCodeAt(k))) k++;
      j = k;
    }
  }
  return j;
}

/**
 * Scans a 'string' or "identifier" starting at the opening quote; a doubled
 * quote inside stands for one quote character.
 */
function scanQuoted(sql: string, start: number, quote: string, kind: 'string' | 'qident', out: Token[]): number {
  let value = '';
  let from = start + 1;
  for (;;) {
    const close = sql.indexOf(quote, from);
    if (close < 0) {
      throw syntaxError(sql, start, kind === 'string' ? 'unterminated quoted string' : 'unterminated quoted identifier');
    }
    value += sql.slice(from, close);
    if (sql[close + 1] === quote) {
      value += quote;
      from = close + 2;
      continue;
    }
    if (kind === 'qident' && value.length === 0) {
      throw syntaxError(sql, start, 'zero-length quoted identifier');
    }
    out.push({ kind, value, pos: start, end: close + 1 });
    return close + 1;
  }
}

/**
 * An identifier as SQL text that reads back as exactly `name`: bare when it is
 * a plain lower-case word that is not reserved, "quoted" otherwise. For
 * whoever writes SQL for the engine (DDL the advisor proposes, views).
 */
export function quoteIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED_WORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}
