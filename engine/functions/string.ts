/**
 * String functions. Positions count characters from 1, as in PostgreSQL and
 * Redshift; functions that keep their argument's string type (UPPER, LEFT,
 * ...) keep its length limit.
 */
import type { SqlType } from '../types.js';
import { invalid } from '../exec/runtime.js';
import { balanced, call, fnCall, type Expr } from '../plan/expr.js';
import { INTEGER, VARCHAR, lit } from '../plan/coerce.js';
import type { Binding, CodeArgs, Family, ScalarFunction } from './types.js';

/** The longest string a function may make: VARCHAR(MAX), as LISTAGG's limit. */
export const MAX_STRING = 65_535;

/** The result type of a function that returns (part of) its string argument. */
export function stringResult(s: Expr): SqlType {
  return s.type.id === 'varchar' || s.type.id === 'char' ? { id: 'varchar', length: s.type.length ?? 65535 } : VARCHAR;
}

function tooLong(fn: string, length: number): never {
  invalid(`${fn}: the result would be ${length} characters long, more than the ${MAX_STRING} a VARCHAR holds`);
}

// ---------------------------------------------------------------- helpers the compiled code calls

/** SQL SUBSTRING(s FROM start FOR len), 1-based, start may be <= 0. */
export function substr(s: string, start: number, len: number): string {
  if (len < 0) invalid(`negative substring length not allowed`);
  const from = Math.max(start, 1);
  const to = start + len; // exclusive, 1-based
  if (to <= from) return '';
  return s.substring(from - 1, to - 1);
}

export function substrFrom(s: string, start: number): string {
  return s.substring(Math.max(start, 1) - 1);
}

export function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  let a = 0;
  let b = s.length;
  if (leading) while (a < b && chars.includes(s[a]!)) a++;
  if (trailing) while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.substring(a, b);
}

export function lpad(s: string, n: number, fill: string): string {
  if (n <= s.length) return s.substring(0, Math.max(0, n));
  if (!fill) return s;
  if (n > MAX_STRING) tooLong('lpad', n);
  return s.padStart(n, fill);
}

export function rpad(s: string, n: number, fill: string): string {
  if (n <= s.length) return s.substring(0, Math.max(0, n));
  if (!fill) return s;
  if (n > MAX_STRING) tooLong('rpad', n);
  return s.padEnd(n, fill);
}

/** REPEAT(s, n): s n times (none for n <= 0). */
export function repeat(s: string, n: number): string {
  if (n <= 0 || s === '') return '';
  if (s.length * n > MAX_STRING) tooLong('repeat', s.length * n);
  return s.repeat(n);
}

export function splitPart(s: string, delim: string, n: number): string {
  if (n <= 0) invalid('field position must be greater than zero');
  const parts = delim === '' ? [s] : s.split(delim);
  return parts[n - 1] ?? '';
}

/**
 * INITCAP: the first letter of each word in upper case, the rest in lower
 * case; a word is a run of letters and digits (anything else separates).
 */
export function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const ch of s) {
    const alnum = /[\p{L}\p{N}]/u.test(ch);
    out += alnum ? (inWord ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    inWord = alnum;
  }
  return out;
}

/** CHR(n): the character of code point n (1 to 0x10FFFF, not a surrogate); CHR(0) is not a character. */
export function chr(n: number): string {
  if (!(n >= 1 && n <= 0x10ffff) || (n >= 0xd800 && n <= 0xdfff)) invalid(`CHR: ${n} is not a character code`);
  return String.fromCodePoint(n);
}

// ---------------------------------------------------------------- the functions

/** A function of one string that keeps its type: f(s) computed by the JavaScript expression code(s). */
function unaryKeepingType(name: string, doc: string, code: (s: string, c: CodeArgs) => string): ScalarFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(s)`],
    returns: 'the argument\'s string type',
    doc,
    bind(b) {
      b.argc(1);
      const s = b.str(0);
      return fnCall(name, [s], stringResult(s));
    },
    nulls: 'strict',
    compile: (c) => `${c.target} = ${code(c.args[0]!, c)};`,
  };
}

/** BTRIM, LTRIM, RTRIM: characters (a blank by default) removed from one end or both. */
function trim(names: readonly [string, ...string[]], leading: boolean, trailing: boolean, doc: string): ScalarFunction {
  return {
    names,
    syntax: [`${names[0].toUpperCase()}(s [, characters])`],
    returns: 'the argument\'s string type',
    doc,
    bind(b) {
      b.argc(1, 2);
      const s = b.str(0);
      return fnCall(names[0], b.count === 2 ? [s, b.str(1)] : [s], stringResult(s));
    },
    nulls: 'strict',
    compile: (c) => `${c.target} = ${c.constant(trimChars)}(${c.args[0]}, ${c.args[1] ?? "' '"}, ${leading}, ${trailing});`,
  };
}

function pad(name: 'lpad' | 'rpad', helper: typeof lpad): ScalarFunction {
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(s, n [, fill])`],
    returns: 'VARCHAR',
    doc: `s ${name === 'lpad' ? 'prefixed' : 'suffixed'} with fill (a blank by default) to n characters; a shorter n truncates s; a result longer than 65,535 characters is INVALID_VALUE`,
    bind(b) {
      b.argc(2, 3);
      return fnCall(name, b.count === 3 ? [b.str(0), b.int(1), b.str(2)] : [b.str(0), b.int(1)], VARCHAR);
    },
    nulls: 'strict',
    compile: (c) => `${c.target} = ${c.constant(helper)}(${c.args[0]}, ${c.args[1]}, ${c.args[2] ?? "' '"});`,
  };
}

/** POSITION's implementation: where needle (first) starts in haystack (second), 0 when absent. */
function position(b: Binding, needle: number, haystack: number): Expr {
  b.argc(2);
  return fnCall('position', [b.str(needle), b.str(haystack)], INTEGER);
}

export const STRING: Family = {
  name: 'strings',
  functions: [
    {
      names: ['substring', 'substr'],
      syntax: ['SUBSTRING(s FROM start [FOR n])', 'SUBSTRING(s, start [, n])'],
      returns: 'the argument\'s string type',
      doc: 'n characters of s from position start (1-based); a start before 1 counts positions before the string, as in PostgreSQL; a negative n is INVALID_VALUE',
      bind(b) {
        b.argc(2, 3);
        const s = b.str(0);
        return fnCall('substring', b.count === 3 ? [s, b.int(1), b.int(2)] : [s, b.int(1)], stringResult(s));
      },
      nulls: 'strict',
      compile: (c) =>
        c.args.length === 3
          ? `${c.target} = ${c.constant(substr)}(${c.args[0]}, ${c.args[1]}, ${c.args[2]});`
          : `${c.target} = ${c.constant(substrFrom)}(${c.args[0]}, ${c.args[1]});`,
    },
    {
      names: ['position'],
      syntax: ['POSITION(needle IN s)'],
      returns: 'INTEGER',
      doc: 'where needle first starts in s (1-based), 0 when it does not occur',
      bind: (b) => position(b, 0, 1),
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.args[1]}.indexOf(${c.args[0]}) + 1;`,
    },
    {
      names: ['strpos'],
      syntax: ['STRPOS(s, needle)'],
      returns: 'INTEGER',
      doc: 'POSITION with the arguments the other way round',
      nulls: 'strict',
      bind: (b) => position(b, 1, 0),
    },
    {
      names: ['charindex'],
      syntax: ['CHARINDEX(needle, s)'],
      returns: 'INTEGER',
      doc: 'POSITION, as a function',
      nulls: 'strict',
      bind: (b) => position(b, 0, 1),
    },
    unaryKeepingType('upper', 'upper case', (s) => `${s}.toUpperCase()`),
    unaryKeepingType('lower', 'lower case', (s) => `${s}.toLowerCase()`),
    trim(['btrim', 'trim'], true, true, 'characters of the set (a blank by default) removed from both ends; also `TRIM([BOTH | LEADING | TRAILING] [characters] FROM s)`'),
    trim(['ltrim'], true, false, 'characters of the set removed from the start'),
    trim(['rtrim'], false, true, 'characters of the set removed from the end'),
    {
      names: ['length', 'len', 'char_length', 'character_length'],
      syntax: ['LENGTH(s)'],
      returns: 'INTEGER',
      doc: 'the number of characters',
      bind(b) {
        b.argc(1);
        return fnCall('length', [b.str(0)], INTEGER);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = [...${c.args[0]}].length;`,
    },
    {
      names: ['replace'],
      syntax: ['REPLACE(s, from, to)'],
      returns: 'VARCHAR',
      doc: 'every occurrence of from replaced by to',
      bind(b) {
        b.argc(3);
        return fnCall('replace', [b.str(0), b.str(1), b.str(2)], VARCHAR);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.args[0]}.split(${c.args[1]}).join(${c.args[2]});`,
    },
    {
      names: ['left'],
      syntax: ['LEFT(s, n)'],
      returns: 'the argument\'s string type',
      doc: 'the first n characters; a negative n drops the last -n',
      bind(b) {
        b.argc(2);
        const s = b.str(0);
        return fnCall('left', [s, b.int(1)], stringResult(s));
      },
      nulls: 'strict',
      compile: ({ target: t, args: [s, n] }) => `${t} = (${n} >= 0 ? ${s}.substring(0, ${n}) : ${s}.substring(0, Math.max(0, ${s}.length + ${n})));`,
    },
    {
      names: ['right'],
      syntax: ['RIGHT(s, n)'],
      returns: 'the argument\'s string type',
      doc: 'the last n characters; a negative n drops the first -n',
      bind(b) {
        b.argc(2);
        const s = b.str(0);
        return fnCall('right', [s, b.int(1)], stringResult(s));
      },
      nulls: 'strict',
      compile: ({ target: t, args: [s, n] }) => `${t} = (${n} >= 0 ? ${s}.substring(Math.max(0, ${s}.length - ${n})) : ${s}.substring(-${n}));`,
    },
    pad('lpad', lpad),
    pad('rpad', rpad),
    unaryKeepingType('initcap', 'the first letter of each word upper case, the others lower case; words are runs of letters and digits', (x, c) => `${c.constant(initcap)}(${x})`),
    {
      names: ['ascii'],
      syntax: ['ASCII(s)'],
      returns: 'INTEGER',
      doc: 'the code point of the first character (0 for an empty string)',
      bind(b) {
        b.argc(1);
        return fnCall('ascii', [b.str(0)], INTEGER);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.args[0]}.length === 0 ? 0 : ${c.args[0]}.codePointAt(0);`,
    },
    {
      names: ['chr'],
      syntax: ['CHR(n)'],
      returns: 'VARCHAR(1)',
      doc: 'the character of code point n; 0, a negative n or one past 0x10FFFF is INVALID_VALUE',
      bind(b) {
        b.argc(1);
        return fnCall('chr', [b.int(0)], { id: 'varchar', length: 1 });
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(chr)}(${c.args[0]});`,
    },
    unaryKeepingType('reverse', 'the characters in reverse order', (s) => `[...${s}].reverse().join('')`),
    {
      names: ['repeat'],
      syntax: ['REPEAT(s, n)'],
      returns: 'VARCHAR',
      doc: 's n times (empty for n <= 0); a result longer than 65,535 characters is INVALID_VALUE',
      bind(b) {
        b.argc(2);
        return fnCall('repeat', [b.str(0), b.int(1)], VARCHAR);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(repeat)}(${c.args[0]}, ${c.args[1]});`,
    },
    {
      names: ['split_part'],
      syntax: ['SPLIT_PART(s, delimiter, n)'],
      returns: 'VARCHAR',
      doc: 'the n-th field of s split at delimiter (empty past the last); n < 1 is INVALID_VALUE',
      bind(b) {
        b.argc(3);
        return fnCall('split_part', [b.str(0), b.str(1), b.int(2)], VARCHAR);
      },
      nulls: 'strict',
      compile: (c) => `${c.target} = ${c.constant(splitPart)}(${c.args[0]}, ${c.args[1]}, ${c.args[2]});`,
    },
    {
      names: ['concat'],
      syntax: ['CONCAT(a, b, ...)'],
      returns: 'VARCHAR',
      doc: 'the arguments joined; NULL arguments count as empty strings (PostgreSQL; see [differences](#differences-from-redshift))',
      nulls: 'own',
      bind(b) {
        b.argc(1, Infinity);
        const parts = Array.from({ length: b.count }, (_, i) => call('coalesce', [b.str(i), lit('', VARCHAR)], VARCHAR));
        return balanced<Expr>(parts, (x, y) => call('concat', [x, y], VARCHAR));
      },
    },
  ],
};
