/**
 * Conditional functions: COALESCE and its Redshift spellings, NULLIF, NVL2,
 * DECODE, GREATEST and LEAST. Their arguments take one common type, as CASE
 * branches do (an INTEGER and a DECIMAL give the DECIMAL).
 */
import { call, fnCall, type Expr } from '../plan/expr.js';
import { BOOLEAN, TIMESTAMP, VARCHAR, isTemporal } from '../plan/coerce.js';
import type { Binding, CodeArgs, Family, ScalarFunction } from './types.js';

/** Every argument bound and brought to the common type. */
function unifiedArgs(b: Binding, what: string): Expr[] {
  return b.unify(
    Array.from({ length: b.count }, (_, i) => b.arg(i)),
    Array.from({ length: b.count }, (_, i) => b.argPos(i)),
    what,
  );
}

/** GREATEST and LEAST: NULL arguments are skipped; NULL only when every argument is. */
function extreme(name: 'greatest' | 'least'): ScalarFunction {
  const better = name === 'greatest' ? '>' : '<';
  return {
    names: [name],
    syntax: [`${name.toUpperCase()}(a, b, ...)`],
    returns: 'the arguments\' common type',
    doc: `the ${name === 'greatest' ? 'largest' : 'smallest'} argument; NULL arguments are ignored (NULL only when all are), as in Redshift`,
    bind(b) {
      b.argc(1, Infinity);
      const vals = unifiedArgs(b, name.toUpperCase());
      return vals.length === 1 ? vals[0]! : fnCall(name, vals, vals[0]!.type);
    },
    nulls: 'own',
    compile: (c: CodeArgs) =>
      [`${c.isNull} = true;`, ...c.args.map((v, i) => `if (!${c.nulls[i]} && (${c.isNull} || ${v} ${better} ${c.target})) { ${c.target} = ${v}; ${c.isNull} = false; }`)].join(' '),
  };
}

export const CONDITIONAL: Family = {
  name: 'conditionals',
  functions: [
    {
      names: ['coalesce', 'nvl'],
      syntax: ['COALESCE(a, b, ...)', 'NVL(a, b, ...)'],
      returns: 'the arguments\' common type',
      doc: 'the first non-NULL argument; the later ones are computed only when needed',
      nulls: 'own',
      bind(b) {
        b.argc(1, Infinity);
        const vals = unifiedArgs(b, b.name.toUpperCase());
        return vals.length === 1 ? vals[0]! : call('coalesce', vals, vals[0]!.type);
      },
    },
    {
      names: ['nullif'],
      syntax: ['NULLIF(a, b)'],
      returns: 'a\'s type',
      doc: 'NULL when a equals b, else a',
      bind(b) {
        b.argc(2);
        const [x, y] = b.unifyPair(b.arg(0), b.arg(1), b.pos);
        const t = b.isUnknown(x) ? VARCHAR : x.type;
        return fnCall('nullif', [x, b.castTo(y, t, 'implicit', b.argPos(1))], t);
      },
      nulls: 'own',
      compile: (c) => `${c.target} = ${c.args[0]}; ${c.isNull} = ${c.nulls[0]} || (!${c.nulls[1]} && ${c.args[0]} === ${c.args[1]});`,
    },
    {
      names: ['nvl2'],
      syntax: ['NVL2(x, if_not_null, if_null)'],
      returns: 'the common type of the last two',
      doc: 'if_not_null when x is not NULL, else if_null',
      nulls: 'own',
      bind(b) {
        b.argc(3);
        const test = b.arg(0);
        const [x, y] = b.unify([b.arg(1), b.arg(2)], [b.argPos(1), b.argPos(2)], 'NVL2');
        return { k: 'case', whens: [{ when: call('isNotNull', [test], BOOLEAN), then: x! }], otherwise: y!, type: x!.type };
      },
    },
    {
      names: ['decode'],
      syntax: ['DECODE(x, search, result [, search, result ...] [, default])'],
      returns: 'the results\' common type',
      doc: 'the result of the first search equal to x, else default (NULL without one); a NULL search matches a NULL x',
      nulls: 'own',
      bind(b) {
        b.argc(3, Infinity);
        const n = b.count;
        const x = b.arg(0);
        const pairs = Math.floor((n - 1) / 2);
        const results: Expr[] = [];
        const positions: number[] = [];
        const conds: Expr[] = [];
        for (let i = 0; i < pairs; i++) {
          const search = b.arg(1 + 2 * i);
          // DECODE matches NULL with NULL
          conds.push(search.k === 'lit' && search.value === null ? call('isNull', [x], BOOLEAN) : b.compare('eq', x, search, b.argPos(1 + 2 * i)));
          results.push(b.arg(2 + 2 * i));
          positions.push(b.argPos(2 + 2 * i));
        }
        if (n % 2 === 0) {
          results.push(b.arg(n - 1));
          positions.push(b.argPos(n - 1));
        }
        const u = b.unify(results, positions, 'DECODE');
        return { k: 'case', whens: conds.map((c, i) => ({ when: c, then: u[i]! })), otherwise: n % 2 === 0 ? u[u.length - 1]! : null, type: u[0]!.type };
      },
    },
    extreme('greatest'),
    extreme('least'),
    {
      names: ['is distinct from', 'is not distinct from'],
      operator: true,
      syntax: ['a IS [NOT] DISTINCT FROM b'],
      returns: 'BOOLEAN',
      doc: 'a <> b (= b with NOT), where NULL equals NULL and differs from any value; never NULL',
      nulls: 'own',
      bind(b) {
        b.argc(2);
        let [x, y] = b.unifyPair(b.arg(0), b.arg(1), b.pos);
        if (isTemporal(x.type) && x.type.id !== y.type.id) {
          x = b.castTo(x, TIMESTAMP, 'implicit', b.argPos(0));
          y = b.castTo(y, TIMESTAMP, 'implicit', b.argPos(1));
        }
        const same = fnCall('not_distinct', [x, y], BOOLEAN);
        return b.name === 'is distinct from' ? call('not', [same], BOOLEAN) : same;
      },
    },
  ],
  internal: {
    /** IS NOT DISTINCT FROM: both NULL, or both values and equal. */
    not_distinct: {
      nulls: 'own',
      compile: (c) => `${c.target} = (${c.nulls[0]} && ${c.nulls[1]}) || (!${c.nulls[0]} && !${c.nulls[1]} && ${c.args[0]} === ${c.args[1]}) ? 1 : 0; ${c.isNull} = false;`,
    },
  },
};
