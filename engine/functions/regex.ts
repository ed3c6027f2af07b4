/**
 * Regular expressions: the REGEXP_ functions, the POSIX match operators
 * (~, ~*, !~, !~*) and SIMILAR TO, as in Redshift.
 *
 * Redshift's patterns are POSIX extended regular expressions with Perl's
 * escapes (\d \w \s and their negations); they run here as JavaScript regular
 * expressions after a translation of what the two spell differently (bracket
 * classes such as [[:alpha:]]). `.` matches a newline, as in PostgreSQL. One
 * difference remains: an alternation takes its first matching branch (Perl's
 * rule), where POSIX takes the longest match ('a|ab' on 'ab' finds 'a').
 *
 * A constant pattern is translated and compiled once per query, when the
 * expression is compiled (and checked when the query is bound: a bad one is an
 * error pointing at it); a pattern computed per row is compiled on first use
 * and cached.
 */
import { invalid } from '../exec/runtime.js';
import { fnCall, call, type Expr } from '../plan/expr.js';
import { BOOLEAN, INTEGER, VARCHAR, isString, shortName } from '../plan/coerce.js';
import { stringResult } from './string.js';
import type { Binding, CodeArgs, Family, ScalarFunction } from './types.js';

// ---------------------------------------------------------------- patterns

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

/** A POSIX (Redshift) pattern as the source of a JavaScript regular expression. */
export function posixSource(pattern: string): string {
  // only bracket classes need rewriting; the rest of the syntax is the same
  return pattern.replace(/\[:([a-z]+):\]/g, (_, name: string) => {
    const c = CLASSES[name];
    if (c === undefined) throw new SyntaxError(`unknown character class [:${name}:]`);
    return c;
  });
}

/**
 * A SIMILAR TO pattern as the source of an anchored regular expression: `%`
 * is any string, `_` any character, `| * + ? {m,n} ( ) [...]` keep their
 * regular-expression meaning, everything else is literal, and the escape
 * character makes the next character literal.
 */
export function similarSource(pattern: string, escape: string | null): string {
  const esc = escape ?? '\\';
  let out = '';
  let inBracket = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (esc !== '' && ch === esc) {
      if (i + 1 >= pattern.length) throw new SyntaxError('SIMILAR TO pattern ends with its escape character');
      out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (inBracket) {
      if (ch === ']') inBracket = false;
      out += ch === '\\' ? '\\\\' : ch;
    } else if (ch === '[') {
      inBracket = true;
      out += ch;
    } else if (ch === '%') out += '[\\s\\S]*';
    else if (ch === '_') out += '[\\s\\S]';
    else if ('|*+?{}()'.includes(ch)) out += ch === '(' ? '(?:' : ch;
    else out += ch.replace(/[.^$\\/]/g, '\\$&');
  }
  return `^(?:${posixSource(out)})$`;
}

/** Redshift's parameters string: c (case-sensitive, the default), i (ignore case), e (the first subexpression), p (Perl dialect: the same here). */
interface Parameters {
  readonly ignoreCase: boolean;
  readonly subexpression: boolean;
}

export function parseParameters(text: string): Parameters {
  let ignoreCase = false;
  let subexpression = false;
  for (const ch of text) {
    if (ch === 'i') ignoreCase = true;
    else if (ch === 'c') ignoreCase = false;
    else if (ch === 'e') subexpression = true;
    else if (ch !== 'p') throw new SyntaxError(`invalid regular expression parameter "${ch}" (use c, i, e or p)`);
  }
  return { ignoreCase, subexpression };
}

/**
 * The compiled pattern: global (the REGEXP_ functions scan from a position)
 * with `.` matching newlines; with the offsets of subexpressions when asked
 * (REGEXP_INSTR's 'e').
 */
export function compileRegex(source: string, ignoreCase: boolean, indices = false): RegExp {
  return new RegExp(source, `g${ignoreCase ? 'i' : ''}s${indices ? 'd' : ''}`);
}

/** Why a pattern does not compile, without JavaScript's rendering of the translated pattern. */
function describe(err: unknown): string {
  return err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '').replace(/^Invalid regular expression: /, '') : String(err);
}

const cache = new Map<string, RegExp>();

/** A pattern known only per row: translated, compiled and cached (an error is INVALID_VALUE). */
function patternOf(pattern: string, param: string): RegExp {
  const key = `${param}\u0000${pattern}`;
  let re = cache.get(key);
  if (!re) {
    try {
      re = compileParam(pattern, param);
    } catch (err) {
      return invalid(`invalid regular expression "${pattern}": ${describe(err)}`);
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

// ---------------------------------------------------------------- helpers the compiled code calls

/** The index of the occurrence-th match at or after `from` (0-based, UTF-16), or null. */
function nth(re: RegExp, s: string, from: number, occurrence: number): RegExpExecArray | null {
  re.lastIndex = from;
  let m: RegExpExecArray | null = null;
  for (let k = 0; k < occurrence; k++) {
    m = re.exec(s);
    if (m === null) return null;
    if (m[0] === '') re.lastIndex++;
  }
  return m;
}

function checkPosition(position: number, occurrence = 1): void {
  if (position < 1) invalid('the position of a REGEXP_ function must be 1 or more');
  if (occurrence < 1) invalid('the occurrence of a REGEXP_ function must be 1 or more');
}

export function regexMatches(re: RegExp, s: string): number {
  re.lastIndex = 0;
  return re.test(s) ? 1 : 0;
}

export function regexpCount(re: RegExp, s: string, position: number): number {
  checkPosition(position);
  re.lastIndex = position - 1;
  let n = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    n++;
    if (m[0] === '') re.lastIndex++;
  }
  return n;
}

export function regexpSubstr(re: RegExp, s: string, position: number, occurrence: number, subexpression: boolean): string {
  checkPosition(position, occurrence);
  const m = nth(re, s, position - 1, occurrence);
  if (m === null) return '';
  return subexpression && m.length > 1 ? (m[1] ?? '') : m[0];
}

export function regexpInstr(re: RegExp, s: string, position: number, occurrence: number, after: number, subexpression: boolean): number {
  checkPosition(position, occurrence);
  if (after !== 0 && after !== 1) invalid('the option of REGEXP_INSTR must be 0 or 1');
  const m = nth(re, s, position - 1, occurrence);
  if (m === null) return 0;
  let start = m.index;
  let end = m.index + m[0].length;
  const group = subexpression ? m.indices?.[1] : undefined;
  if (group) [start, end] = group;
  return (after === 1 ? end : start) + 1;
}

/** Redshift's replacement text: \1 ... \9 are the subexpressions, \\ a backslash; $ is literal. */
export function replacementOf(text: string): string {
  return text.replace(/\$/g, '$$$$').replace(/\\(\d|\\|&)/g, (_, c: string) => (c === '\\' ? '\\' : c === '&' ? '$&' : `$${c}`));
}

export function regexpReplace(re: RegExp, s: string, replacement: string, position: number): string {
  checkPosition(position);
  if (position - 1 > s.length) return s;
  re.lastIndex = 0;
  return s.substring(0, position - 1) + s.substring(position - 1).replace(re, replacementOf(replacement));
}

// ---------------------------------------------------------------- binding

/** Argument i as a constant string, or null when computed per row. */
function constantText(b: Binding, i: number): { value: string | null } | null {
  const e = b.fold(b.str(i));
  return e.k === 'lit' ? { value: e.value as string | null } : null;
}

/** The parameters argument: a constant (checked now) or the default. */
function parametersArg(b: Binding, i: number): Parameters {
  if (b.count <= i) return { ignoreCase: false, subexpression: false };
  const text = b.constantString(i, `the parameters of ${b.name.toUpperCase()}`);
  try {
    return parseParameters(text ?? '');
  } catch (err) {
    throw b.error('INVALID_VALUE', describe(err), b.argPos(i));
  }
}

/** The pattern argument, checked now when constant (a bad pattern is an error pointing at it). */
function patternArg(b: Binding, i: number, param: string): Expr {
  const p = b.str(i);
  const c = constantText(b, i);
  if (c && c.value !== null) {
    try {
      compileParam(c.value, param);
    } catch (err) {
      throw b.error('INVALID_VALUE', `invalid regular expression "${c.value}": ${describe(err)}`, b.argPos(i));
    }
  }
  return p;
}

/**
 * `param` of a regex call: how its pattern reads. 'i' ignores case, 'e' wants
 * the first subexpression; a SIMILAR TO pattern is 's' (backslash escapes),
 * 's:' (no escape character) or 's:' and its escape character.
 */
function flags(p: Parameters): string {
  return `${p.ignoreCase ? 'i' : ''}${p.subexpression ? 'e' : ''}`;
}

function similarParam(escape: string | null): string {
  return escape === null ? 's' : `s:${escape}`;
}

/** A pattern compiled as a call's param says. */
function compileParam(pattern: string, param: string): RegExp {
  if (param.startsWith('s')) return compileRegex(similarSource(pattern, param.length > 1 ? param.slice(2) : null), false);
  return compileRegex(posixSource(pattern), param.includes('i'), param.includes('e'));
}

/**
 * The JavaScript of the call's compiled pattern: a RegExp constant when the
 * pattern (argument i) is a literal, else a lookup of the row's pattern.
 */
function regexCode(c: CodeArgs, i: number): string {
  const param = c.call.param ?? '';
  const p = c.call.args[i]!;
  if (p.k === 'lit' && typeof p.value === 'string') return c.constant(compileParam(p.value, param));
  return `${c.constant(patternOf)}(${c.args[i]}, ${JSON.stringify(param)})`;
}

function optionalInt(b: Binding, i: number, fallback: number): Expr {
  return b.count > i ? b.int(i) : { k: 'lit', value: fallback, type: INTEGER };
}

/** What a match operator tests: a string (as LIKE's, no other type is converted). */
function matchSubject(b: Binding): Expr {
  const x = b.arg(0);
  if (!b.isUnknown(x) && !isString(x.type)) throw b.error('TYPE_MISMATCH', `operator does not exist: ${shortName(x.type)} ${b.name.toUpperCase()} varchar`, b.pos);
  return b.str(0);
}

/** The POSIX match operators: ~ (matches somewhere), ~* (ignoring case), !~ and !~* (do not match). */
const POSIX_MATCH: ScalarFunction = {
  names: ['~', '~*', '!~', '!~*'],
  operator: true,
  syntax: ['s ~ pattern', 's ~* pattern', 's !~ pattern', 's !~* pattern'],
  returns: 'BOOLEAN',
  doc: 'whether the POSIX regular expression matches somewhere in s (* ignores case, ! negates); NULL when either is NULL',
  nulls: 'strict',
  bind(b) {
    b.argc(2);
    const ignoreCase = b.name.endsWith('*');
    const s = matchSubject(b);
    const param = ignoreCase ? 'i' : '';
    const m = fnCall('regexp_match', [s, patternArg(b, 1, param)], BOOLEAN, param);
    return b.name.startsWith('!') ? call('not', [m], BOOLEAN) : m;
  },
};

const SIMILAR: ScalarFunction = {
  names: ['similar to', 'not similar to'],
  operator: true,
  syntax: ['s [NOT] SIMILAR TO pattern [ESCAPE e]'],
  returns: 'BOOLEAN',
  doc: "whether the whole of s matches the SQL pattern: % and _ as in LIKE, with | * + ? {m,n} ( ) [...] as in regular expressions; the escape character (a backslash by default) makes the next one literal",
  nulls: 'strict',
  bind(b) {
    b.argc(2, 3);
    const s = matchSubject(b);
    let escape: string | null = null;
    if (b.count === 3) {
      const e = b.constantString(2, 'the ESCAPE of SIMILAR TO');
      if (e === null) return { k: 'lit', value: null, type: BOOLEAN };
      if (e.length > 1) throw b.error('INVALID_VALUE', 'invalid escape string: it must be empty or one character', b.argPos(2));
      escape = e;
    }
    const param = similarParam(escape);
    const m = fnCall('regexp_match', [s, patternArg(b, 1, param)], BOOLEAN, param);
    return b.name === 'not similar to' ? call('not', [m], BOOLEAN) : m;
  },
};

export const REGEX: Family = {
  name: 'regular expressions',
  functions: [
    POSIX_MATCH,
    SIMILAR,
    {
      names: ['regexp_count'],
      syntax: ['REGEXP_COUNT(s, pattern [, position [, parameters]])'],
      returns: 'INTEGER',
      doc: 'how many times the pattern matches (without overlapping), searching from position (1 by default)',
      bind(b) {
        b.argc(2, 4);
        const p = parametersArg(b, 3);
        return fnCall('regexp_count', [b.str(0), patternArg(b, 1, flags(p)), optionalInt(b, 2, 1)], INTEGER, flags(p));
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(regexpCount)}(${regexCode(c, 1)}, ${c.args[0]}, ${c.args[2]});`,
    },
    {
      names: ['regexp_substr'],
      syntax: ['REGEXP_SUBSTR(s, pattern [, position [, occurrence [, parameters]]])'],
      returns: 'VARCHAR',
      doc: "the occurrence-th match (1 by default) searching from position; with parameter 'e' the match's first subexpression; an empty string when there is none",
      bind(b) {
        b.argc(2, 5);
        const p = parametersArg(b, 4);
        const s = b.str(0);
        return fnCall('regexp_substr', [s, patternArg(b, 1, flags(p)), optionalInt(b, 2, 1), optionalInt(b, 3, 1)], stringResult(s), flags(p));
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(regexpSubstr)}(${regexCode(c, 1)}, ${c.args[0]}, ${c.args[2]}, ${c.args[3]}, ${(c.call.param ?? '').includes('e')});`,
    },
    {
      names: ['regexp_instr'],
      syntax: ['REGEXP_INSTR(s, pattern [, position [, occurrence [, option [, parameters]]]])'],
      returns: 'INTEGER',
      doc: 'where the occurrence-th match starts (option 0, the default) or the position after it ends (option 1); 0 when there is none',
      bind(b) {
        b.argc(2, 6);
        const p = parametersArg(b, 5);
        const args = [b.str(0), patternArg(b, 1, flags(p)), optionalInt(b, 2, 1), optionalInt(b, 3, 1), optionalInt(b, 4, 0)];
        return fnCall('regexp_instr', args, INTEGER, flags(p));
      },
      nulls: 'strict',
      compile: (c) =>
        `${c.target} = ${c.constant(regexpInstr)}(${regexCode(c, 1)}, ${c.args[0]}, ${c.args[2]}, ${c.args[3]}, ${c.args[4]}, ${(c.call.param ?? '').includes('e')});`,
    },
    {
      names: ['regexp_replace'],
      syntax: ['REGEXP_REPLACE(s, pattern [, replacement [, position [, parameters]]])'],
      returns: 'VARCHAR',
      doc: 'every match from position on replaced by replacement (empty by default), where \\1 ... \\9 stand for the subexpressions',
      bind(b) {
        b.argc(2, 5);
        const p = parametersArg(b, 4);
        const replacement = b.count > 2 ? b.str(2) : { k: 'lit' as const, value: '', type: VARCHAR };
        return fnCall('regexp_replace', [b.str(0), patternArg(b, 1, flags(p)), replacement, optionalInt(b, 3, 1)], VARCHAR, flags(p));
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(regexpReplace)}(${regexCode(c, 1)}, ${c.args[0]}, ${c.args[2]}, ${c.args[3]});`,
    },
  ],
  internal: {
    /** ~ and SIMILAR TO: whether the pattern matches (param: 'i' to ignore case; 's:' and the escape for SIMILAR TO). */
    regexp_match: {
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(regexMatches)}(${regexCode(c, 1)}, ${c.args[0]});`,
    },
  },
};
