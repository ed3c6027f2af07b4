/**
 * Compiles bound expressions into specialized JavaScript functions, once per
 * query: one loop over the batch with the whole expression tree inlined as
 * straight-line code on typed arrays, and NULLs tracked in local booleans.
 *
 * Two things keep strings cheap. A string column arrives as dictionary codes, so
 * any subexpression that reads one string column and nothing else is evaluated
 * once per dictionary entry and looked up by code per row (a LIKE over a
 * 20-entry dictionary runs 20 regex tests per block, not 16,384). And CASE,
 * AND, OR and COALESCE evaluate lazily, so `CASE WHEN x <> 0 THEN y / x END`
 * never divides by zero.
 */
import type { PhysicalKind, SqlType, StrVector, Vector } from '../types.js';
import { physicalKind } from '../types.js';
import { balanced, columnsOf, operandsOf, remapColumns, type Expr, type FnExpr } from '../plan/expr.js';
import { implementation } from '../functions/registry.js';
import * as rt from './runtime.js';
import { compileClock, timedCompile } from './compile-clock.js';

export type CompiledExpr = (cols: readonly Vector[], n: number) => Vector;
/** Writes the indexes of rows where the predicate is TRUE into sel; returns their count. */
export type CompiledFilter = (cols: readonly Vector[], n: number, sel: Uint32Array) => number;

const I32_MAX = 2147483647;
const I16_MAX = 32767;
const SAFE = 9007199254740991;

interface Emitted {
  /** A JS expression (a temp or literal) for the value. */
  v: string;
  /** A JS expression for "is NULL". */
  n: string;
}

/** Runtime values a compiled function closes over (regexes, sets, dictionary sub-functions). */
interface Constant {
  name: string;
  value: unknown;
}

class CodeGen {
  private temps = 0;
  readonly decls: string[] = [];
  readonly prologue: string[] = [];
  readonly constants: Constant[] = [];
  private readonly boundColumns = new Set<number>();
  private readonly lutCache = new Map<string, string>();

  /**
   * noLut: this code computes a lookup table's entries itself, so it must not tabulate again.
   * noNulls: the code for batches whose input columns have no NULLs (each column's NULL test is the constant false).
   */
  constructor(
    private readonly kinds: readonly PhysicalKind[],
    private readonly noLut = false,
    private readonly noNulls = false,
  ) {}

  /** The columns the code reads. */
  get columns(): readonly number[] {
    return [...this.boundColumns];
  }

  constant(value: unknown): string {
    // a helper function called from many places is one constant
    const same = typeof value === 'function' ? this.constants.find((c) => c.value === value) : undefined;
    if (same) return same.name;
    const name = `K${this.constants.length}`;
    this.constants.push({ name, value });
    return name;
  }

  temp(kind: PhysicalKind): { t: string; u: string } {
    const id = this.temps++;
    this.decls.push(`let t${id} = ${kind === 'str' ? "''" : '0'}, u${id} = false;`);
    return { t: `t${id}`, u: `u${id}` };
  }

  bindColumn(j: number): void {
    if (this.boundColumns.has(j)) return;
    this.boundColumns.add(j);
    const kind = this.kinds[j];
    if (kind === 'str') this.prologue.push(`const c${j} = cols[${j}].codes, d${j} = cols[${j}].dict, m${j} = cols[${j}].nulls;`);
    else this.prologue.push(`const v${j} = cols[${j}].values, m${j} = cols[${j}].nulls;`);
  }

  /** Appends code computing e; returns where its value and null flag are. */
  emit(e: Expr, out: string[]): Emitted {
    const lut = this.dictLookup(e, out);
    if (lut) return lut;
    switch (e.k) {
      case 'col': {
        this.bindColumn(e.index);
        const { t, u } = this.temp(this.kinds[e.index]!);
        const value = this.kinds[e.index] === 'str' ? `d${e.index}[c${e.index}[i]]` : `v${e.index}[i]`;
        out.push(this.noNulls ? `${u} = false; ${t} = ${value};` : `${u} = m${e.index} !== null && m${e.index}[i] === 1; ${t} = ${value};`);
        return { v: t, n: u };
      }
      case 'lit':
        if (e.value === null) return { v: physicalKind(e.type) === 'str' ? "''" : '0', n: 'true' };
        return { v: typeof e.value === 'string' ? JSON.stringify(e.value) : numberLiteral(e.value), n: 'false' };
      case 'case':
        return this.emitCase(e, out);
      case 'in':
        return this.emitIn(e, out);
      case 'like': {
        const a = this.emit(e.arg, out);
        const re = this.constant(rt.likeRegex(e.pattern, e.escape, e.caseInsensitive));
        const { t, u } = this.temp('bool');
        out.push(`${u} = ${a.n}; ${t} = ${u} ? 0 : (${re}.test(${a.v}) ? ${e.negated ? 0 : 1} : ${e.negated ? 1 : 0});`);
        return { v: t, n: u };
      }
      case 'call':
        return this.emitCall(e, out);
      case 'fn':
        return this.emitFn(e, out);
    }
  }

  /**
   * A subexpression over one string column and nothing else (and not the bare
   * column) becomes a per-dictionary-entry lookup table.
   */
  private dictLookup(e: Expr, out: string[]): Emitted | null {
    const j = this.lutColumn(e);
    if (j === null) return null;
    const name = this.lut(e, j);
    const { t, u } = this.temp(physicalKind(e.type));
    const body = `const code = c${j}[i]; ${t} = ${name}v[code]; ${u} = ${name}n !== null && ${name}n[code] === 1;`;
    out.push(this.noNulls ? `{ ${body} }` : `if (m${j} !== null && m${j}[i] === 1) { ${t} = ${name}.nullValue; ${u} = ${name}.nullIsNull; } else { ${body} }`);
    return { v: t, n: u };
  }

  /** The string column a lookup table for e would be indexed by, or null when e is not a one-string-column subexpression. */
  lutColumn(e: Expr): number | null {
    if (this.noLut || e.k === 'col' || e.k === 'lit') return null;
    const used = columnsOf(e);
    if (used.size !== 1) return null;
    const j = used.values().next().value!;
    return this.kinds[j] === 'str' ? j : null;
  }

  /**
   * "e is TRUE" for a boolean e over string column j, for rows where j is not
   * NULL: a NULL result leaves 0 in the table's values, so 1 means TRUE.
   */
  lutTruth(e: Expr, j: number): string {
    return `(${this.lut(e, j)}v[c${j}[i]] === 1)`;
  }

  /** The lookup table of e's value per dictionary entry of column j (declared in the prologue once). */
  private lut(e: Expr, j: number): string {
    const key = `${j}:${JSON.stringify(e)}`;
    let name = this.lutCache.get(key);
    if (!name) {
      const sub = compileExpr(remapColumns(e, () => 0), ['str'], true);
      name = `L${this.lutCache.size}_${j}`;
      this.lutCache.set(key, name);
      const fn = this.constant(sub);
      this.bindColumn(j);
      // lookup values per code, plus the result for a NULL input row
      this.prologue.push(`const ${name} = dictTable(${fn}, cols[${j}]); const ${name}v = ${name}.values, ${name}n = ${name}.nulls;`);
    }
    return name;
  }

  /** A label for a block that code leaves early with `break`. */
  label(): string {
    return `B${this.temps++}`;
  }

  /**
   * CASE: each WHEN is tested only when the ones before were not TRUE, and
   * only the chosen result is computed. The WHENs follow one another in one
   * labeled block, left by `break` once one is taken: a CASE of thousands of
   * WHENs is flat code, not thousands of nested else branches.
   */
  private emitCase(e: Extract<Expr, { k: 'case' }>, out: string[]): Emitted {
    const { t, u } = this.temp(physicalKind(e.type));
    const done = this.label();
    out.push(`${done}: {`);
    for (const w of e.whens) {
      const c = this.emit(w.when, out);
      const thenCode: string[] = [];
      const r = this.emit(w.then, thenCode);
      out.push(`if (!${c.n} && ${c.v} === 1) {`, ...thenCode, `${t} = ${r.v}; ${u} = ${r.n}; break ${done};`, '}');
    }
    if (e.otherwise) {
      const r = this.emit(e.otherwise, out);
      out.push(`${t} = ${r.v}; ${u} = ${r.n};`);
    } else {
      out.push(`${t} = ${physicalKind(e.type) === 'str' ? "''" : '0'}; ${u} = true;`);
    }
    out.push('}');
    return { v: t, n: u };
  }

  /** COALESCE: each argument is evaluated only while the ones before were NULL (flat code, as CASE). */
  private emitCoalesce(args: readonly Expr[], target: { t: string; u: string }, out: string[]): void {
    const done = this.label();
    out.push(`${done}: {`);
    args.forEach((a, i) => {
      const r = this.emit(a, out);
      out.push(`${target.t} = ${r.v}; ${target.u} = ${r.n};`);
      if (i + 1 < args.length) out.push(`if (!${target.u}) break ${done};`);
    });
    out.push('}');
  }

  private emitIn(e: Extract<Expr, { k: 'in' }>, out: string[]): Emitted {
    const a = this.emit(e.arg, out);
    const { t, u } = this.temp('bool');
    let test: string;
    if (e.values.length <= 8) {
      test = e.values.length === 0 ? 'false' : e.values.map((v) => `${a.v} === ${typeof v === 'string' ? JSON.stringify(v) : numberLiteral(v)}`).join(' || ');
    } else {
      test = `${this.constant(new Set(e.values))}.has(${a.v})`;
    }
    const hit = e.negated ? 0 : 1;
    const miss = e.negated ? 1 : 0;
    out.push(`if (${a.n}) { ${t} = 0; ${u} = true; } else if (${test}) { ${t} = ${hit}; ${u} = false; } else { ${t} = ${miss}; ${u} = ${e.hasNull}; }`);
    return { v: t, n: u };
  }

  private emitCall(e: Extract<Expr, { k: 'call' }>, out: string[]): Emitted {
    const kind = physicalKind(e.type);
    switch (e.op) {
      case 'and':
      case 'or':
        return this.emitLogic(e, out);
      case 'coalesce': {
        const target = this.temp(kind);
        this.emitCoalesce(e.args, target, out);
        return { v: target.t, n: target.u };
      }
      default:
        break;
    }
    const args = e.args.map((a) => this.emit(a, out));
    const { t, u } = this.temp(kind);
    const anyNull = args.length ? args.map((a) => a.n).join(' || ') : 'false';
    const body = this.callBody(e, args.map((a) => a.v), t);
    if (body.nullSafe) {
      out.push(body.code(anyNull, u));
    } else {
      out.push(`${u} = ${anyNull}; if (!${u}) { ${body.code('', u)} } else { ${t} = ${kind === 'str' ? "''" : '0'}; }`);
    }
    return { v: t, n: u };
  }

  /**
   * A function of the registry: its arguments computed first (functions are
   * not lazy), then its code; a strict function's code runs only when no
   * argument is NULL.
   */
  private emitFn(e: FnExpr, out: string[]): Emitted {
    const impl = implementation(e.fn);
    const kind = physicalKind(e.type);
    const args = e.args.map((a) => this.emit(a, out));
    const { t, u } = this.temp(kind);
    const strict = impl.nulls === 'strict';
    const code = impl.compile({
      call: e,
      args: args.map((a) => a.v),
      nulls: strict ? args.map(() => 'false') : args.map((a) => a.n),
      target: t,
      isNull: u,
      constant: (value) => this.constant(value),
      rangeCheck,
    });
    if (!strict) out.push(code);
    else if (args.length === 0) out.push(`${u} = false; ${code}`);
    else out.push(`${u} = ${args.map((a) => a.n).join(' || ')}; if (!${u}) { ${code} } else { ${t} = ${kind === 'str' ? "''" : '0'}; }`);
    return { v: t, n: u };
  }

  private emitLogic(e: Extract<Expr, { k: 'call' }>, out: string[]): Emitted {
    const { t, u } = this.temp('bool');
    const isAnd = e.op === 'and';
    const decisive = isAnd ? 0 : 1;
    const a = this.emit(e.args[0]!, out);
    const rest: string[] = [];
    const b = this.emit(e.args[1]!, rest);
    out.push(
      `if (!${a.n} && ${a.v} === ${decisive}) { ${t} = ${decisive}; ${u} = false; } else {`,
      ...rest,
      `if (!${b.n} && ${b.v} === ${decisive}) { ${t} = ${decisive}; ${u} = false; } else if (${a.n} || ${b.n}) { ${t} = 0; ${u} = true; } else { ${t} = ${1 - decisive}; ${u} = false; }`,
      '}',
    );
    return { v: t, n: u };
  }

  /** The code of an operator whose inputs are known non-NULL (unless nullSafe). */
  private callBody(e: Extract<Expr, { k: 'call' }>, a: string[], t: string): { nullSafe: boolean; code: (anyNull: string, u: string) => string } {
    const plain = (expr: string) => ({ nullSafe: false, code: () => `${t} = ${expr};` });
    const checked = (expr: string) => ({ nullSafe: false, code: () => `${t} = ${expr}; ${rangeCheck(e.type, t)}` });
    const argType = (i: number) => e.args[i]!.type;
    switch (e.op) {
      case 'add':
        return checked(`${a[0]} + ${a[1]}`);
      case 'sub':
        return checked(`${a[0]} - ${a[1]}`);
      case 'mul':
        return checked(`${a[0]} * ${a[1]}`);
      case 'div': {
        if (e.type.id === 'decimal') {
          // exact quotient at the result scale, rounded half away from zero
          const shift = scaleOf(e.type) - scaleOf(argType(0)) + scaleOf(argType(1));
          return { nullSafe: false, code: () => `${t} = rt.decDiv(${a[0]}, ${a[1]}, ${shift}); ${rangeCheck(e.type, t)}` };
        }
        return {
          nullSafe: false,
          code: () => `if (${a[1]} === 0) rt.divisionByZero(); ${t} = ${isIntegral(e.type) ? `Math.trunc(${a[0]} / ${a[1]})` : `${a[0]} / ${a[1]}`}; ${rangeCheck(e.type, t)}`,
        };
      }
      case 'mod':
        return { nullSafe: false, code: () => `if (${a[1]} === 0) rt.divisionByZero(); ${t} = ${a[0]} % ${a[1]};` };
      case 'neg':
        return checked(`-${a[0]}`);
      case 'eq':
        return plain(`${a[0]} === ${a[1]} ? 1 : 0`);
      case 'ne':
        return plain(`${a[0]} !== ${a[1]} ? 1 : 0`);
      case 'lt':
        return plain(`${a[0]} < ${a[1]} ? 1 : 0`);
      case 'le':
        return plain(`${a[0]} <= ${a[1]} ? 1 : 0`);
      case 'gt':
        return plain(`${a[0]} > ${a[1]} ? 1 : 0`);
      case 'ge':
        return plain(`${a[0]} >= ${a[1]} ? 1 : 0`);
      case 'not':
        return plain(`1 - ${a[0]}`);
      case 'isNull':
        return { nullSafe: true, code: (n, u) => `${t} = (${n}) ? 1 : 0; ${u} = false;` };
      case 'isNotNull':
        return { nullSafe: true, code: (n, u) => `${t} = (${n}) ? 0 : 1; ${u} = false;` };
      case 'isTrue':
        return { nullSafe: true, code: (n, u) => `${t} = !(${n}) && ${a[0]} === 1 ? 1 : 0; ${u} = false;` };
      case 'isFalse':
        return { nullSafe: true, code: (n, u) => `${t} = !(${n}) && ${a[0]} === 0 ? 1 : 0; ${u} = false;` };
      case 'isNotTrue':
        return { nullSafe: true, code: (n, u) => `${t} = !(${n}) && ${a[0]} === 1 ? 0 : 1; ${u} = false;` };
      case 'isNotFalse':
        return { nullSafe: true, code: (n, u) => `${t} = !(${n}) && ${a[0]} === 0 ? 0 : 1; ${u} = false;` };
      case 'cast':
        return { nullSafe: false, code: () => castCode(argType(0), e.type, a[0]!, t, this, e.field === 'assign') };
      case 'concat':
        return plain(`${a[0]} + ${a[1]}`);
      case 'like':
        return plain(`rt.likeMatch(${a[0]}, ${a[1]}, ${a[2] ?? 'null'}, ${e.field === 'i'}) ? 1 : 0`);
      case 'addDays':
        return checked(`${a[0]} + ${a[1]}`);
      case 'addMonths':
        return checked(argType(0).id !== 'date' ? `rt.addMonthsTs(${a[0]}, ${a[1]})` : `rt.addMonths(${a[0]}, ${a[1]})`);
      case 'addMicros':
        return checked(`${a[0]} + ${a[1]}`);
      case 'dateDiffDays':
        return plain(`${a[0]} - ${a[1]}`);
      case 'and':
      case 'or':
      case 'coalesce':
        throw new Error(`${e.op} is emitted by emitCall`);
    }
  }
}

/** A number in generated code; a negative one in parentheses, so that code like `-${x}` never reads as the `--` operator. */
function numberLiteral(v: number): string {
  return Object.is(v, -0) ? '(-0)' : v < 0 ? `(${v})` : String(v);
}

function scaleOf(t: SqlType): number {
  return t.id === 'decimal' ? (t.scale ?? 0) : 0;
}

function isIntegral(t: SqlType): boolean {
  return t.id === 'smallint' || t.id === 'integer' || t.id === 'bigint' || t.id === 'decimal';
}

/** Days from 1970-01-01 a JavaScript Date reaches either way (8.64e15 ms): beyond, dates cannot be computed or printed. */
const MAX_DATE_DAYS = 100_000_000;
const DAY_MICROS = 86_400_000_000;

/** Code raising OVERFLOW when t leaves its type's range. */
function rangeCheck(type: SqlType, t: string): string {
  switch (type.id) {
    case 'smallint':
      return `if (${t} > ${I16_MAX} || ${t} < ${-I16_MAX - 1}) rt.overflow('smallint');`;
    case 'integer':
      return `if (${t} > ${I32_MAX} || ${t} < ${-I32_MAX - 1}) rt.overflow('integer');`;
    case 'bigint':
      return `if (${t} > ${SAFE} || ${t} < ${-SAFE}) rt.overflow('bigint');`;
    case 'decimal': {
      // a wide DECIMAL is exact within 2^53 scaled units and rounded to a double beyond
      const p = type.precision ?? 18;
      const lim = p >= 16 ? 10 ** p : 10 ** p - 1;
      return `if (${t} > ${lim} || ${t} < ${-lim}) rt.overflow('numeric(${p},${type.scale ?? 0})');`;
    }
    // dates and timestamps as far as a JavaScript Date reaches (years -271821 to 275760); NaN (a month past it) too
    case 'date':
      return `if (!(${t} >= ${-MAX_DATE_DAYS} && ${t} <= ${MAX_DATE_DAYS})) rt.overflow('date');`;
    case 'timestamp':
    case 'timestamptz':
      return `if (!(${t} >= ${-MAX_DATE_DAYS * DAY_MICROS} && ${t} <= ${MAX_DATE_DAYS * DAY_MICROS})) rt.overflow('${type.id}');`;
    default:
      return '';
  }
}

function castCode(from: SqlType, to: SqlType, a: string, t: string, gen: CodeGen, assign = false): string {
  const fromKind = physicalKind(from);
  const toKind = physicalKind(to);
  if (toKind === 'str') {
    const text = fromKind === 'str' ? a : `rt.toText(${a}, ${gen.constant(from)})`;
    const len = to.length;
    const bounded = len !== undefined && len < 65535;
    const isChar = to.id === 'char';
    // INSERT: too long is an error; CAST: truncates. CHAR values never keep trailing blanks.
    if (assign && bounded) return `${t} = rt.assignText(${text}, ${len}, ${isChar});`;
    let code = `${t} = ${text};`;
    if (bounded) code += ` if (${t}.length > ${len}) ${t} = ${t}.substring(0, ${len});`;
    if (isChar) code += ` ${t} = ${t}.replace(/ +$/, '');`;
    return code;
  }
  if (fromKind === 'str') return `${t} = rt.fromText(${a}, ${gen.constant(to)});`;
  const fromScale = from.id === 'decimal' ? (from.scale ?? 0) : 0;
  const toScale = to.id === 'decimal' ? (to.scale ?? 0) : 0;
  const fromInt = isIntegral(from);
  switch (to.id) {
    case 'double':
    case 'real': {
      const x = fromScale ? `${a} / ${10 ** fromScale}` : a;
      return to.id === 'real' ? `${t} = Math.fround(${x});` : `${t} = ${x};`;
    }
    case 'decimal': {
      let x: string;
      if (fromInt) {
        const shift = toScale - fromScale;
        x = shift >= 0 ? `${a} * ${10 ** shift}` : `rt.roundHalfAway(${a} / ${10 ** -shift})`;
      } else if (from.id === 'boolean') {
        x = `${a} * ${10 ** toScale}`;
      } else {
        x = `rt.roundHalfAway(${a} * ${10 ** toScale})`;
      }
      return `${t} = ${x}; ${rangeCheck(to, t)}`;
    }
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const x = fromScale ? `rt.roundHalfAway(${a} / ${10 ** fromScale})` : fromInt || from.id === 'boolean' ? a : `rt.roundHalfAway(${a})`;
      return `${t} = ${x}; ${rangeCheck(to, t)}`;
    }
    case 'boolean':
      return `${t} = ${a} !== 0 ? 1 : 0;`;
    // TIMESTAMP <-> TIMESTAMPTZ keep the microseconds: the session's zone is UTC
    case 'date':
      return from.id === 'timestamp' || from.id === 'timestamptz' ? `${t} = Math.floor(${a} / 86400000000);` : `${t} = ${a};`;
    case 'timestamp':
    case 'timestamptz':
      return from.id === 'date' ? `${t} = ${a} * 86400000000;` : `${t} = ${a};`;
    default:
      return `${t} = ${a};`;
  }
}

/** Evaluates a one-string-column function over a dictionary: per-entry values, and the value for a NULL row. */
function dictTable(fn: CompiledExpr, col: StrVector): { values: ArrayLike<unknown>; nulls: Uint8Array | null; nullValue: unknown; nullIsNull: boolean } {
  const n = col.dict.length;
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) codes[i] = i;
  // only the entries a non-NULL row reads are computed (the others as NULL): a NULL row's placeholder
  // ('') or an entry no row kept must not raise, as a cast of '' to a timestamp would
  const used = new Uint8Array(n);
  const rowCodes = col.codes;
  const rowNulls = col.nulls;
  for (let i = 0; i < col.length; i++) if (rowNulls === null || rowNulls[i] === 0) used[rowCodes[i]!] = 1;
  let unused: Uint8Array | null = null;
  for (let k = 0; k < n; k++) if (used[k] === 0) (unused ??= new Uint8Array(n))[k] = 1;
  const perEntry = fn([{ kind: 'str', codes, dict: col.dict, nulls: unused, length: n }], n);
  const forNull = fn([{ kind: 'str', codes: new Uint32Array(1), dict: [''], nulls: new Uint8Array([1]), length: 1 }], 1);
  const values = perEntry.kind === 'str' ? perEntry.codes.length === n && isIdentity(perEntry.codes) ? perEntry.dict : Array.from(perEntry.codes, (c) => perEntry.dict[c]) : perEntry.values;
  const nullValue = forNull.kind === 'str' ? forNull.dict[forNull.codes[0]!] : forNull.values[0];
  return { values, nulls: perEntry.nulls, nullValue, nullIsNull: forNull.nulls !== null && forNull.nulls[0] === 1 };
}

function isIdentity(codes: Uint32Array): boolean {
  for (let i = 0; i < codes.length; i++) if (codes[i] !== i) return false;
  return true;
}

function flatten(lines: string[]): string {
  return lines.join('\n');
}

type Factory = (...args: unknown[]) => unknown;

/**
 * Factories by their generated source text. The expression cache below is
 * keyed by the bound expression, which holds regexes, IN lists and the like
 * as values; the source names them as constants (K0, K1, ...) passed to the
 * factory. So a query of the same shape with another LIKE pattern or IN list,
 * or another expression that generates the same code, skips `new Function`
 * (and V8's parse of it): the factory is called with the new constants.
 */
const factories = new Map<string, Factory>();
const FACTORY_CACHE_SIZE = 2000;

function build<T>(name: string, gen: CodeGen, loop: string[], tail: string[], head: string[]): T {
  const src = [...gen.prologue, ...gen.decls, ...head, 'for (let i = 0; i < n; i++) {', flatten(loop), '}', ...tail].join('\n');
  const names = gen.constants.map((c) => c.name);
  const text = `return function ${name}(cols, n, sel) {\n${src}\n};`;
  const key = `${names.join(',')}\n${text}`;
  let factory = factories.get(key);
  if (factory === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    factory = new Function('rt', 'dictTable', ...names, text) as Factory;
    compileClock.compiled++;
    factories.set(key, factory);
    if (factories.size > FACTORY_CACHE_SIZE) factories.delete(factories.keys().next().value!);
  } else {
    compileClock.reused++;
    factories.delete(key);
    factories.set(key, factory);
  }
  return factory(rt, dictTable, ...gen.constants.map((c) => c.value)) as T;
}

const ARRAY_FOR: Record<Exclude<PhysicalKind, 'str'>, string> = { i32: 'Int32Array', f64: 'Float64Array', bool: 'Uint8Array' };

/** Compiles an expression over input columns of the given kinds into a function producing a vector. */
/**
 * Compiled functions by what they compute (expression and input kinds), kept
 * across queries: a query that runs again (or another with the same
 * expression) reuses the function V8 has already optimized, instead of
 * starting a fresh one in the interpreter. The generated code holds no state
 * between calls, so sharing it is safe. Least recently used entries go first.
 */
const codeCache = new Map<string, unknown>();
const CODE_CACHE_SIZE = 1000;

function cachedCode<T>(key: string, make: () => T): T {
  let f = codeCache.get(key) as T | undefined;
  if (f !== undefined) {
    compileClock.reused++;
    codeCache.delete(key);
    codeCache.set(key, f);
    return f;
  }
  f = timedCompile(make);
  codeCache.set(key, f);
  if (codeCache.size > CODE_CACHE_SIZE) codeCache.delete(codeCache.keys().next().value!);
  return f;
}

export function compileExpr(e: Expr, kinds: readonly PhysicalKind[], noLut = false): CompiledExpr {
  const kind = physicalKind(e.type);
  if (e.k === 'col' && kinds[e.index] === kind) return (cols) => cols[e.index]!;
  return cachedCode(`e${noLut ? 'n' : ''}${kinds.join(',')}|${JSON.stringify(e)}`, () => compileExprNow(e, kinds, noLut, kind));
}

function compileExprNow(e: Expr, kinds: readonly PhysicalKind[], noLut: boolean, kind: PhysicalKind): CompiledExpr {
  const general = exprVariant(e, kinds, noLut, kind, false);
  const fast = exprVariant(e, kinds, noLut, kind, true);
  const used = general.columns;
  // batches whose input columns have no NULLs (most) run a variant without any NULL tests
  return (cols, n) => (noNullsIn(cols, used) ? fast.fn(cols, n) : general.fn(cols, n));
}

function noNullsIn(cols: readonly Vector[], used: readonly number[]): boolean {
  for (let k = 0; k < used.length; k++) if (cols[used[k]!]!.nulls !== null) return false;
  return true;
}

function exprVariant(e: Expr, kinds: readonly PhysicalKind[], noLut: boolean, kind: PhysicalKind, noNulls: boolean): { fn: CompiledExpr; columns: readonly number[] } {
  const gen = new CodeGen(kinds, noLut, noNulls);
  const loop: string[] = [];
  const r = gen.emit(e, loop);
  // the NULL mask is made at the first NULL: most results have none
  const head =
    kind === 'str'
      ? ['const out = new Array(n); let nulls = null;']
      : [`const out = new ${ARRAY_FOR[kind]}(n); let nulls = null;`];
  loop.push(`if (${r.n}) { if (nulls === null) nulls = new Uint8Array(n); nulls[i] = 1; } else out[i] = ${r.v};`);
  const tail =
    kind === 'str'
      ? ['const codes = new Uint32Array(n); for (let i = 0; i < n; i++) codes[i] = i;', "if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i]) out[i] = '';", "return { kind: 'str', codes, dict: out, nulls, length: n };"]
      : [`return { kind: '${kind}', values: out, nulls, length: n };`];
  return { fn: build<CompiledExpr>(noNulls ? 'exprNoNulls' : 'expr', gen, loop, tail, head), columns: gen.columns };
}

/** Compiles a predicate: the rows where it is TRUE (not NULL, not FALSE) are selected. */
export function compileFilter(e: Expr, kinds: readonly PhysicalKind[]): CompiledFilter {
  return cachedCode(`f${kinds.join(',')}|${JSON.stringify(e)}`, () => compileFilterNow(e, kinds));
}

function compileFilterNow(e: Expr, kinds: readonly PhysicalKind[]): CompiledFilter {
  const general = filterVariant(e, kinds, false);
  const fast = filterVariant(e, kinds, true);
  const used = general.columns;
  return (cols, n, sel) => (noNullsIn(cols, used) ? fast.fn(cols, n, sel) : general.fn(cols, n, sel));
}

function filterVariant(e: Expr, kinds: readonly PhysicalKind[], noNulls: boolean): { fn: CompiledFilter; columns: readonly number[] } {
  const gen = new CodeGen(kinds, false, noNulls);
  const loop: string[] = [];
  // without NULLs, the conjuncts that are plain comparisons of numeric columns and constants,
  // or boolean tests of one string column (by lookup table), become one JavaScript condition
  // tested first: they cannot fail, so testing them before the others only spares work
  const all = conjunctsOf(e);
  const isDirect = (p: Expr): boolean => noNulls && (directBool(p, kinds, null) !== null || lutConjunct(p, gen) !== null);
  const parts = [...all.filter(isDirect), ...all.filter((p) => !isDirect(p))];
  const n = all.filter(isDirect).length;
  const direct = fuseRanges(parts.slice(0, n), kinds).map((p) => {
    if (isRange(p)) return rangeCode(p, gen);
    const j = lutConjunct(p, gen);
    return j !== null ? gen.lutTruth(p, j) : directBool(p, kinds, gen)!;
  });
  const rest = parts.slice(n);
  // Every direct conjunct is evaluated (non-short-circuit &) and the row index is
  // written unconditionally, counted only when it passes: no branch depends on the
  // data, so a filter that keeps rows at random costs no mispredictions.
  if (direct.length && rest.length === 0) loop.push(`sel[k] = i; k += (${direct.join(' & ')}) ? 1 : 0;`);
  else if (direct.length) loop.push(`if (!(${direct.join(' & ')})) continue;`);
  if (rest.length) {
    const r = gen.emit(balanced(rest, (a, b): Expr => ({ k: 'call', op: 'and', args: [a, b], type: a.type })), loop);
    loop.push(`if (!${r.n} && ${r.v} === 1) sel[k++] = i;`);
  } else if (direct.length === 0) loop.push('sel[k++] = i;');
  return { fn: build<CompiledFilter>(noNulls ? 'filterNoNulls' : 'filter', gen, loop, ['return k;'], ['let k = 0;']), columns: gen.columns };
}

/** The string column of a boolean conjunct over one string column (a LIKE, IN, comparison with a constant), else null. */
function lutConjunct(p: Expr, gen: CodeGen): number | null {
  return p.type.id === 'boolean' ? gen.lutColumn(p) : null;
}

/** `lo <= column <= hi` over an i32 column, from two conjuncts bounding it (fuseRanges). */
interface RangeTest {
  readonly range: true;
  readonly index: number;
  readonly lo: number;
  readonly hi: number;
}

function isRange(p: Expr | RangeTest): p is RangeTest {
  return 'range' in p;
}

/** An int32 x lies in [lo, hi] exactly when x - lo, taken modulo 2^32, is at most hi - lo: one comparison, one branch less. */
function rangeCode(r: RangeTest, gen: CodeGen): string {
  if (r.lo > r.hi) return 'false';
  gen.bindColumn(r.index);
  return `(((v${r.index}[i] - ${r.lo}) >>> 0) <= ${r.hi - r.lo})`;
}

const MIRROR: Partial<Record<string, string>> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

/** A conjunct `column op constant` (either side) over an i32 column with an integer constant, as bounds. */
function boundOf(p: Expr, kinds: readonly PhysicalKind[]): { index: number; lo: number; hi: number } | null {
  if (p.k !== 'call' || p.args.length !== 2) return null;
  let [a, b] = p.args as [Expr, Expr];
  let op: string = p.op;
  if (a.k === 'lit' && b.k === 'col') {
    [a, b] = [b, a];
    op = MIRROR[op] ?? op;
  }
  if (a.k !== 'col' || b.k !== 'lit' || kinds[a.index] !== 'i32' || typeof b.value !== 'number' || !Number.isInteger(b.value)) return null;
  const v = b.value;
  const MIN = -I32_MAX - 1;
  if (v < MIN || v > I32_MAX) return null;
  switch (op) {
    case 'ge':
      return { index: a.index, lo: v, hi: I32_MAX };
    case 'gt':
      return { index: a.index, lo: v + 1, hi: I32_MAX };
    case 'le':
      return { index: a.index, lo: MIN, hi: v };
    case 'lt':
      return { index: a.index, lo: MIN, hi: v - 1 };
    default:
      return null;
  }
}

/**
 * Conjuncts bounding the same i32 column from both sides by integer constants
 * (BETWEEN, date ranges) become one range test in place of the first of them;
 * everything else is kept, in order.
 */
function fuseRanges(parts: readonly Expr[], kinds: readonly PhysicalKind[]): (Expr | RangeTest)[] {
  const bounds = parts.map((p) => boundOf(p, kinds));
  const ranges = new Map<number, { lo: number; hi: number; count: number }>();
  for (const b of bounds) {
    if (!b) continue;
    const r = ranges.get(b.index) ?? { lo: -I32_MAX - 1, hi: I32_MAX, count: 0 };
    r.lo = Math.max(r.lo, b.lo);
    r.hi = Math.min(r.hi, b.hi);
    r.count++;
    ranges.set(b.index, r);
  }
  const out: (Expr | RangeTest)[] = [];
  const placed = new Set<number>();
  parts.forEach((p, at) => {
    const b = bounds[at];
    const r = b ? ranges.get(b.index)! : null;
    if (!b || r!.count < 2) out.push(p);
    else if (!placed.has(b.index)) {
      placed.add(b.index);
      out.push({ range: true, index: b.index, lo: r!.lo, hi: r!.hi });
    }
  });
  return out;
}

function conjunctsOf(e: Expr): Expr[] {
  return operandsOf(e, 'and');
}

const COMPARE: Partial<Record<string, string>> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

/**
 * A JavaScript boolean expression for a predicate over numeric columns and
 * constants, for rows known to have no NULLs; null when the predicate has
 * anything else (strings, arithmetic with range checks, functions). With gen
 * null it only answers whether the predicate qualifies.
 */
function directBool(e: Expr, kinds: readonly PhysicalKind[], gen: CodeGen | null): string | null {
  // not with a NULL in the list: x IN (NULL, 10) is NULL, not FALSE, where x is not 10 (which NOT would turn TRUE)
  if (e.k === 'in' && !e.negated && !e.hasNull && e.values.length > 0 && e.values.length <= 8 && e.values.every((v) => typeof v === 'number')) {
    const x = directNumber(e.arg, kinds, gen);
    return x === null ? null : `(${e.values.map((v) => `${x} === ${numberLiteral(v as number)}`).join(' || ')})`;
  }
  if (e.k === 'col' && kinds[e.index] === 'bool') return `(${directNumber(e, kinds, gen)} === 1)`;
  if (e.k !== 'call') return null;
  const op = COMPARE[e.op];
  if (op) {
    const a = directNumber(e.args[0]!, kinds, gen);
    const b = directNumber(e.args[1]!, kinds, gen);
    return a === null || b === null ? null : `(${a} ${op} ${b})`;
  }
  if (e.op === 'and' || e.op === 'or') {
    const a = directBool(e.args[0]!, kinds, gen);
    const b = a === null ? null : directBool(e.args[1]!, kinds, gen);
    return a === null || b === null ? null : `(${a} ${e.op === 'and' ? '&&' : '||'} ${b})`;
  }
  if (e.op === 'not') {
    const a = directBool(e.args[0]!, kinds, gen);
    return a === null ? null : `(!${a})`;
  }
  return null;
}

function directNumber(e: Expr, kinds: readonly PhysicalKind[], gen: CodeGen | null): string | null {
  if (e.k === 'lit') return typeof e.value === 'number' ? `(${numberLiteral(e.value)})` : null;
  if (e.k !== 'col' || kinds[e.index] === 'str') return null;
  gen?.bindColumn(e.index);
  return `v${e.index}[i]`;
}
