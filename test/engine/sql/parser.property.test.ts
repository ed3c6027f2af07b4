/**
 * Property tests for the parser:
 * - a generated expression tree, printed as SQL with the fewest parentheses that
 *   PostgreSQL's precedence allows, parses back to the same tree (positions aside);
 * - any soup of SQL-ish tokens either parses or fails with a SqlError, never a crash.
 * The printer below is written from the precedence table, independently of the
 * parser, so the round trip checks the parser against that table.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SqlError } from '../../../engine/errors.js';
import { typeName, type SqlType } from '../../../engine/types.js';
import { parseExpression, parseStatement, parseStatements, quoteIdentifier, type Expr, type Ident, type Query } from '../../../engine/sql/index.js';
import { withoutPos } from './sexpr.js';

// ---------------------------------------------------------------- printer

/** Precedence levels, loosest first (PostgreSQL's table). */
const P = { or: 1, and: 2, not: 3, is: 4, cmp: 5, pred: 6, concat: 7, add: 8, mul: 9, unary: 10, cast: 11, atom: 12 } as const;

const BINARY_LEVEL: Record<string, number> = {
  or: P.or, and: P.and,
  '=': P.cmp, '<>': P.cmp, '<': P.cmp, '<=': P.cmp, '>': P.cmp, '>=': P.cmp,
  '||': P.concat, '+': P.add, '-': P.add, '*': P.mul, '/': P.mul, '%': P.mul,
};

/** Names from the generator's pool that must be quoted to be names. */
const NEEDS_QUOTES = new Set(['select', 'from', 'order']);

function ident(id: Ident): string {
  return /^[a-z_][a-z0-9_]*$/.test(id.name) && !NEEDS_QUOTES.has(id.name) ? id.name : `"${id.name.replace(/"/g, '""')}"`;
}

const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;

class Printer {
  /** Alternates between equivalent spellings (CAST vs ::, extra parentheses) so both get exercised. */
  private turn = 0;

  private flip(): boolean {
    return this.turn++ % 2 === 0;
  }

  /** `e` printed so that it parses back whole where an operand of level `min` is expected. */
  print(e: Expr, min: number): string {
    const [text, level] = this.raw(e);
    if (level < min) return `(${text})`;
    return this.turn % 7 === 0 && this.flip() ? `(${text})` : text;
  }

  query(q: Query): string {
    const body = q.body;
    if (body.kind !== 'select') throw new Error('printer only knows simple selects');
    const items = body.items.map((i) => (i.kind === 'expr' ? this.print(i.expr, 0) : '*'));
    const from = body.from.map((f) => (f.kind === 'table' ? ident(f.name) : '?'));
    return `SELECT ${items.join(', ')}${from.length ? ' FROM ' + from.join(', ') : ''}`;
  }

  private raw(e: Expr): [string, number] {
    const not = (negated: boolean): string => (negated ? 'NOT ' : '');
    switch (e.kind) {
      case 'column':
        return [e.table ? `${ident(e.table)}.${ident(e.name)}` : ident(e.name), P.atom];
      case 'number':
        return [e.text, P.atom];
      case 'param':
        return [`$${e.index}`, P.atom];
      case 'string':
        return [str(e.value), P.atom];
      case 'boolean':
        return [e.value ? 'TRUE' : 'false', P.atom];
      case 'null':
        return ['NULL', P.atom];
      case 'typed':
        return [`${e.type.id.toUpperCase()} ${str(e.value)}`, P.atom];
      case 'interval':
        return [this.interval(e.months, e.days, e.micros), P.atom];
      case 'unary':
        // a space after - keeps "- -x" from becoming a -- comment
        return e.op === 'not' ? [`NOT ${this.print(e.arg, P.not)}`, P.not] : [`${e.op} ${this.print(e.arg, P.unary)}`, P.unary];
      case 'binary': {
        const level = BINARY_LEVEL[e.op]!;
        // comparisons are non-associative: both sides one level up; the rest are left-associative
        const left = level === P.cmp ? P.pred : level;
        return [`${this.print(e.left, left)} ${e.op.toUpperCase()} ${this.print(e.right, level === P.cmp ? P.pred : level + 1)}`, level];
      }
      case 'isNull':
        return [`${this.print(e.arg, P.is)} IS ${not(e.negated)}NULL`, P.is];
      case 'isBool':
        return [`${this.print(e.arg, P.is)} IS ${not(e.negated)}${e.value ? 'TRUE' : 'FALSE'}`, P.is];
      case 'between':
        return [`${this.print(e.arg, P.concat)} ${not(e.negated)}BETWEEN ${this.print(e.low, P.concat)} AND ${this.print(e.high, P.concat)}`, P.pred];
      case 'inList':
        return [`${this.print(e.arg, P.concat)} ${not(e.negated)}IN (${e.list.map((x) => this.print(x, 0)).join(', ')})`, P.pred];
      case 'inSubquery':
        return [`${this.print(e.arg, P.concat)} ${not(e.negated)}IN (${this.query(e.query)})`, P.pred];
      case 'like': {
        const escape = e.escape ? ` ESCAPE ${this.print(e.escape, P.concat)}` : '';
        const op = e.caseInsensitive ? 'ILIKE' : 'LIKE';
        return [`${this.print(e.arg, P.concat)} ${not(e.negated)}${op} ${this.print(e.pattern, P.concat)}${escape}`, P.pred];
      }
      case 'match': {
        const escape = e.escape ? ` ESCAPE ${this.print(e.escape, P.concat)}` : '';
        const op = e.syntax === 'similar' ? `${not(e.negated)}SIMILAR TO` : `${e.negated ? '!' : ''}~${e.caseInsensitive ? '*' : ''}`;
        return [`${this.print(e.arg, P.concat)} ${op} ${this.print(e.pattern, P.concat)}${escape}`, P.pred];
      }
      case 'distinctFrom':
        return [`${this.print(e.left, P.is)} IS ${not(e.negated)}DISTINCT FROM ${this.print(e.right, P.pred)}`, P.is];
      case 'exists':
        return [`${not(e.negated)}EXISTS (${this.query(e.query)})`, e.negated ? P.not : P.atom];
      case 'subquery':
        return [`(${this.query(e.query)})`, P.atom];
      case 'quantified':
        return [`${this.print(e.arg, P.pred)} ${e.op} ${e.quantifier.toUpperCase()} (${this.query(e.query)})`, P.cmp];
      case 'case': {
        const operand = e.operand ? ` ${this.print(e.operand, 0)}` : '';
        const whens = e.whens.map((w) => ` WHEN ${this.print(w.when, 0)} THEN ${this.print(w.then, 0)}`).join('');
        const otherwise = e.otherwise ? ` ELSE ${this.print(e.otherwise, 0)}` : '';
        return [`CASE${operand}${whens}${otherwise} END`, P.atom];
      }
      case 'cast':
        return this.flip() ? [`CAST(${this.print(e.arg, 0)} AS ${typeName(e.type)})`, P.atom] : [`${this.print(e.arg, P.cast)}::${typeName(e.type)}`, P.cast];
      case 'extract':
        return this.flip() ? [`EXTRACT(${e.field} FROM ${this.print(e.arg, 0)})`, P.atom] : [`EXTRACT('${e.field}' FROM ${this.print(e.arg, 0)})`, P.atom];
      case 'function':
        return [this.call(e), P.atom];
    }
  }

  private interval(months: number, days: number, micros: number): string {
    if (months === 0 && micros === 0 && this.flip()) return `INTERVAL '${days}' DAY`;
    return `INTERVAL '${months} mons ${days} days ${micros} microseconds'`;
  }

  private call(e: Extract<Expr, { kind: 'function' }>): string {
    const a = e.args.map((x) => this.print(x, 0));
    const trims: Record<string, string> = { btrim: 'BOTH', ltrim: 'LEADING', rtrim: 'TRAILING' };
    if (e.name === 'substring' && a.length >= 2) return `SUBSTRING(${a[0]} FROM ${a[1]}${a[2] ? ` FOR ${a[2]}` : ''})`;
    if (e.name === 'position') return `POSITION(${this.print(e.args[0]!, P.concat)} IN ${this.print(e.args[1]!, P.concat)})`;
    if (e.name in trims && a.length === 2) return `TRIM(${trims[e.name]} ${a[1]} FROM ${a[0]})`;
    if (e.name === 'dateadd') return `DATEADD(${(e.args[0] as { value: string }).value}, ${a.slice(1).join(', ')})`;
    if (e.star) return `${e.name}(*)`;
    return `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${a.join(', ')})`;
  }
}

// ---------------------------------------------------------------- generator

const pos = 0;
const ID = fc.constantFrom('a', 'b', 'x1', 'year', 'value', 'date', 'month', 'Mixed Case', 'we"ird', 'select', 'from', 'order').map((name): Ident => ({ name, pos }));
const TYPES: SqlType[] = [
  { id: 'integer' }, { id: 'smallint' }, { id: 'bigint' }, { id: 'decimal', precision: 15, scale: 2 }, { id: 'real' },
  { id: 'double' }, { id: 'boolean' }, { id: 'char', length: 3 }, { id: 'varchar', length: 44 }, { id: 'date' }, { id: 'timestamp' },
];
const FIELDS = ['year', 'quarter', 'month', 'week', 'day', 'dow', 'doy', 'hour', 'minute', 'second', 'epoch'];
const NUMBER_TEXT = fc.oneof(
  fc.nat({ max: 100000 }).map(String),
  fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 999 })).map(([a, b]) => `${a}.${b}`),
  fc.nat({ max: 99 }).map((n) => `.${n}`),
  fc.tuple(fc.nat({ max: 9 }), fc.constantFrom('e', 'E', 'e-', 'e+'), fc.nat({ max: 30 })).map(([a, e, b]) => `${a}${e}${b}`),
  fc.constant('12.'),
);

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({ kind: fc.constant('column' as const), table: fc.option(ID, { nil: null }), name: ID, pos: fc.constant(pos) }),
  NUMBER_TEXT.map((text): Expr => ({ kind: 'number', text, pos })),
  fc.string({ maxLength: 6 }).map((value): Expr => ({ kind: 'string', value, pos })),
  fc.boolean().map((value): Expr => ({ kind: 'boolean', value, pos })),
  fc.constant<Expr>({ kind: 'null', pos }),
  fc.constantFrom<Expr>({ kind: 'typed', type: { id: 'date' }, value: '1998-12-01', pos }, { kind: 'typed', type: { id: 'timestamp' }, value: '2001-02-03 04:05:06', pos }),
  fc
    .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -500, max: 500 }), fc.integer({ min: -1e12, max: 1e12 }))
    .map(([months, days, micros]): Expr => ({ kind: 'interval', months, days, micros, pos })),
);

const { expr } = fc.letrec<{ expr: Expr }>((tie) => {
  const e = tie('expr') as fc.Arbitrary<Expr>;
  const query = e.map((item): Query => ({
    with: [],
    body: { kind: 'select', distinct: false, items: [{ kind: 'expr', expr: item, alias: null, pos }], from: [{ kind: 'table', name: { name: 't', pos }, alias: null, columnAliases: null, pos }], where: null, groupBy: [], having: null, windows: [], qualify: null, pos },
    orderBy: [],
    limit: null,
    offset: null,
    pos,
  }));
  const binaryOps = ['+', '-', '*', '/', '%', '||', '=', '<>', '<', '<=', '>', '>=', 'and', 'or'] as const;
  const cmpOps = ['=', '<>', '<', '<=', '>', '>='] as const;
  const fn = (name: string, args: fc.Arbitrary<Expr[]>): fc.Arbitrary<Expr> =>
    args.map((a): Expr => ({ kind: 'function', name, args: a, distinct: false, star: false, pos }));
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(fc.constantFrom('-' as const, '+' as const, 'not' as const), e)
        // NOT over a plain EXISTS reads back as NOT EXISTS, one node: not a distinct tree
        .filter(([op, arg]) => !(op === 'not' && arg.kind === 'exists' && !arg.negated))
        .map(([op, arg]): Expr => ({ kind: 'unary', op, arg, pos })),
      fc.tuple(fc.constantFrom(...binaryOps), e, e).map(([op, left, right]): Expr => ({ kind: 'binary', op, left, right, pos })),
      fc.tuple(e, fc.boolean()).map(([arg, negated]): Expr => ({ kind: 'isNull', arg, negated, pos })),
      fc.tuple(e, fc.boolean(), fc.boolean()).map(([arg, value, negated]): Expr => ({ kind: 'isBool', arg, value, negated, pos })),
      fc.tuple(e, e, e, fc.boolean()).map(([arg, low, high, negated]): Expr => ({ kind: 'between', arg, low, high, negated, pos })),
      fc.tuple(e, fc.array(e, { minLength: 1, maxLength: 3 }), fc.boolean())
        // x IN ((select ...)) is IN (subquery) in PostgreSQL too: a one-subquery list has no spelling of its own
        .filter(([, list]) => !(list.length === 1 && list[0]!.kind === 'subquery'))
        .map(([arg, list, negated]): Expr => ({ kind: 'inList', arg, list, negated, pos })),
      fc.tuple(e, query, fc.boolean()).map(([arg, q, negated]): Expr => ({ kind: 'inSubquery', arg, query: q, negated, pos })),
      fc.tuple(query, fc.boolean()).map(([q, negated]): Expr => ({ kind: 'exists', query: q, negated, pos })),
      query.map((q): Expr => ({ kind: 'subquery', query: q, pos })),
      fc.tuple(fc.constantFrom(...cmpOps), fc.constantFrom('any' as const, 'all' as const), e, query).map(([op, quantifier, arg, q]): Expr => ({ kind: 'quantified', op, quantifier, arg, query: q, pos })),
      fc.tuple(e, e, fc.option(e, { nil: null }), fc.boolean(), fc.boolean()).map(([arg, pattern, escape, negated, caseInsensitive]): Expr => ({ kind: 'like', arg, pattern, escape, negated, caseInsensitive, pos })),
      fc
        .tuple(fc.option(e, { nil: null }), fc.array(fc.record({ when: e, then: e }), { minLength: 1, maxLength: 2 }), fc.option(e, { nil: null }))
        .map(([operand, whens, otherwise]): Expr => ({ kind: 'case', operand, whens, otherwise, pos })),
      fc.tuple(e, fc.constantFrom(...TYPES)).map(([arg, type]): Expr => ({ kind: 'cast', arg, type, pos })),
      fc.tuple(fc.constantFrom(...FIELDS), e).map(([field, arg]): Expr => ({ kind: 'extract', field, arg, pos })),
      fc
        .tuple(fc.constantFrom('abs', 'coalesce', 'upper', 'sum', 'f_x'), fc.array(e, { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([name, args, distinct]): Expr => ({ kind: 'function', name, args, distinct, star: false, pos })),
      fc.constantFrom<Expr>({ kind: 'function', name: 'count', args: [], distinct: false, star: true, pos }, { kind: 'function', name: 'now', args: [], distinct: false, star: false, pos }),
      fn('substring', fc.array(e, { minLength: 2, maxLength: 3 })),
      fn('position', fc.tuple(e, e)),
      fc.tuple(fc.constantFrom('btrim', 'ltrim', 'rtrim'), e, e).map(([name, s, chars]): Expr => ({ kind: 'function', name, args: [s, chars], distinct: false, star: false, pos })),
      fc.tuple(fc.constantFrom(...FIELDS.filter((f) => !['dow', 'doy', 'epoch'].includes(f))), e, e).map(([unit, n, d]): Expr => ({
        kind: 'function', name: 'dateadd', args: [{ kind: 'string', value: unit, pos }, n, d], distinct: false, star: false, pos,
      })),
    ),
  };
});

// ---------------------------------------------------------------- properties

describe('parser properties', () => {
  it('printed expression trees parse back to the same tree', () => {
    fc.assert(
      fc.property(expr, (tree) => {
        const printer = new Printer();
        const sql = printer.print(tree, 0);
        expect(withoutPos(parseExpression(sql)), sql).toEqual(withoutPos(tree));
      }),
      { numRuns: 1500 },
    );
  });

  it('positions point at the first character of each node', () => {
    fc.assert(
      fc.property(expr, (tree) => {
        const sql = new Printer().print(tree, 0);
        const parsed = parseExpression(sql);
        // Every column reference starts where its table or name is written.
        const visit = (v: unknown): void => {
          if (Array.isArray(v)) return v.forEach(visit);
          if (v === null || typeof v !== 'object') return;
          const node = v as Record<string, unknown>;
          if (node.kind === 'column') {
            const first = (node.table ?? node.name) as Ident;
            expect(node.pos).toBe(first.pos);
            expect(sql.slice(first.pos, first.pos + 1)).toMatch(/[a-z_"]/i);
          }
          // a number's position is where its text starts (any other node passes trivially)
          expect(node.kind !== 'number' || sql.startsWith(node.text as string, node.pos as number)).toBe(true);
          Object.values(node).forEach(visit);
        };
        visit(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('quoteIdentifier gives text that reads back as the same name, bare when it can be', () => {
    const names = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('select', 'order', 'Year', 'date', 'value', 'a b', 'x"y', 'ok_1'));
    fc.assert(
      fc.property(names, (name) => {
        const q = quoteIdentifier(name);
        expect(parseExpression(q)).toMatchObject({ kind: 'column', name: { name } });
        expect(parseStatement(`alter table ${q} alter distkey ${q}`)).toMatchObject({ table: { name }, actions: [{ column: { name } }] });
      }),
      { numRuns: 500 },
    );
    expect([quoteIdentifier('l_orderkey'), quoteIdentifier('order'), quoteIdentifier('Year'), quoteIdentifier('a"b')]).toEqual(['l_orderkey', '"order"', '"Year"', '"a""b"']);
  });

  it('any token soup parses or fails with a SqlError, never anything else', () => {
    const vocabulary = [
      'select', 'from', 'where', 'group', 'by', 'order', 'having', 'limit', 'union', 'intersect', 'except', 'join', 'left', 'on',
      'using', 'as', 'and', 'or', 'not', 'in', 'is', 'null', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'cast',
      'exists', 'interval', 'date', 'create', 'table', 'view', 'insert', 'into', 'values', 'alter', 'drop', 'sortkey', 'distkey',
      'diststyle', 'encode', 'with', 'explain', 'extract', 'substring', 'trim', 'position', 'count', 'distinct', 'all', 'any',
      'a', 'b', 't', '"Q"', '1', '0.5', "'s'", "'1 day'", '(', ')', ',', ';', '.', '*', '+', '-', '/', '=', '<', '<=', '<>',
      '::', '||', 'int', 'varchar', 'decimal', 'primary', 'key', 'not null', '--c\n', '/*c*/',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 25 }), (words) => {
        try {
          parseStatements(words.join(' '));
        } catch (err) {
          if (!(err instanceof SqlError)) throw err;
          expect(err.position).toBeDefined();
          expect(['SYNTAX', 'UNSUPPORTED', 'UNKNOWN_COLUMN']).toContain(err.code);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
