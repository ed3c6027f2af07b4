/**
 * Query fingerprints: the statement with every literal replaced by `?`, IN lists
 * of literals collapsed to one `?`, keywords and unquoted names lower-cased,
 * comments dropped and spacing normalized. Queries that differ only in their
 * parameters share a fingerprint, which is how the workload log groups them.
 *
 * It scans tokens itself rather than parsing, so statements this engine cannot
 * parse (an imported Redshift workload) still get a stable fingerprint.
 */

type Tok = { readonly t: 'word' | 'qword' | 'lit' | 'punct'; readonly s: string };

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      while (i < n && sql.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === 39) {
      // 'string' with '' escapes
      i++;
      while (i < n) {
        if (sql.charCodeAt(i) === 39) {
          if (sql.charCodeAt(i + 1) === 39) i += 2;
          else break;
        } else i++;
      }
      i++;
      out.push({ t: 'lit', s: '?' });
    } else if (c === 36 && isDigit(sql.charCodeAt(i + 1))) {
      // $1: a prepared statement's parameter is a literal given later, so it fingerprints as one
      i++;
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
      out.push({ t: 'lit', s: '?' });
    } else if (c === 34) {
      const start = i++;
      while (i < n && !(sql.charCodeAt(i) === 34 && sql.charCodeAt(i + 1) !== 34)) i += sql.charCodeAt(i) === 34 ? 2 : 1;
      i++;
      out.push({ t: 'qword', s: sql.slice(start, i) });
    } else if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      while (i < n && (isDigit(sql.charCodeAt(i)) || sql.charCodeAt(i) === 46)) i++;
      if (i < n && (sql.charCodeAt(i) | 32) === 101) {
        const next = sql.charCodeAt(i + 1);
        if (isDigit(next) || ((next === 43 || next === 45) && isDigit(sql.charCodeAt(i + 2)))) {
          i += 2;
          while (i < n && isDigit(sql.charCodeAt(i))) i++;
        }
      }
      out.push({ t: 'lit', s: '?' });
    } else if (isWordStart(c)) {
      const start = i;
      while (i < n && isWordPart(sql.charCodeAt(i))) i++;
      out.push({ t: 'word', s: sql.slice(start, i).toLowerCase() });
    } else {
      const two = sql.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '<>' || two === '!=' || two === '::' || two === '||') {
        out.push({ t: 'punct', s: two === '!=' ? '<>' : two });
        i += 2;
      } else {
        out.push({ t: 'punct', s: sql[i]! });
        i++;
      }
    }
  }
  return out;
}

/** Typed literals (DATE '...', INTERVAL '3' MONTH) are one parameter, and a negative number is one too. */
function foldLiterals(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const prev = out[out.length - 1];
    if (t.t === 'lit' && prev && prev.t === 'word' && (prev.s === 'date' || prev.s === 'timestamp' || prev.s === 'timestamptz' || prev.s === 'interval')) {
      out[out.length - 1] = { t: 'lit', s: '?' };
      // INTERVAL '3' MONTH: the unit belongs to the literal
      const next = toks[i + 1];
      if (prev.s === 'interval' && next && next.t === 'word' && /^(year|month|week|day|hour|minute|second)s?$/.test(next.s)) i++;
      continue;
    }
    if (t.t === 'lit' && prev && prev.t === 'punct' && (prev.s === '-' || prev.s === '+')) {
      const before = out[out.length - 2];
      const unary = !before || (before.t === 'punct' && before.s !== ')') || (before.t === 'word' && OPERATOR_WORDS.has(before.s));
      if (unary) {
        out[out.length - 1] = t;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

const OPERATOR_WORDS = new Set(['select', 'where', 'and', 'or', 'not', 'when', 'then', 'else', 'between', 'in', 'by', 'on', 'limit', 'offset', 'values', 'is', 'like', 'as', 'return']);

/** (?, ?, ?) after IN becomes (?): the list's length is a parameter too. */
function collapseInLists(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    out.push(t);
    if (t.t === 'word' && t.s === 'in' && toks[i + 1]?.s === '(' && toks[i + 2]?.t === 'lit') {
      let j = i + 2;
      let onlyLiterals = true;
      while (j < toks.length && toks[j]!.s !== ')') {
        const x = toks[j]!;
        if (!(x.t === 'lit' || x.s === ',')) {
          onlyLiterals = false;
          break;
        }
        j++;
      }
      if (onlyLiterals && j < toks.length) {
        out.push({ t: 'punct', s: '(' }, { t: 'lit', s: '?' }, { t: 'punct', s: ')' });
        i = j;
      }
    }
  }
  return out;
}

/** VALUES (?, ?), (?, ?) becomes VALUES (?, ?): the number of inserted rows is a parameter. */
function collapseValues(toks: Tok[]): Tok[] {
  const at = toks.findIndex((t) => t.t === 'word' && t.s === 'values');
  if (at < 0 || toks[at + 1]?.s !== '(') return toks;
  let depth = 0;
  let j = at + 1;
  for (; j < toks.length; j++) {
    if (toks[j]!.s === '(') depth++;
    else if (toks[j]!.s === ')' && --depth === 0) break;
  }
  let end = j + 1;
  while (toks[end]?.s === ',' && toks[end + 1]?.s === '(') {
    depth = 0;
    let k = end + 1;
    for (; k < toks.length; k++) {
      if (toks[k]!.s === '(') depth++;
      else if (toks[k]!.s === ')' && --depth === 0) break;
    }
    end = k + 1;
  }
  return [...toks.slice(0, j + 1), ...toks.slice(end)];
}

function render(toks: Tok[]): string {
  let s = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const prev = toks[i - 1];
    const tight = !prev || t.s === ',' || t.s === ')' || t.s === '.' || prev.s === '(' || prev.s === '.' || t.s === '::' || prev.s === '::' || (t.s === '(' && prev.t === 'word');
    s += (tight ? '' : ' ') + t.s;
  }
  return s.replace(/;$/, '').trim();
}

export function fingerprint(sql: string): string {
  let toks = tokenize(sql);
  while (toks.length && toks[toks.length - 1]!.s === ';') toks.pop();
  toks = collapseValues(collapseInLists(foldLiterals(toks)));
  return render(toks);
}
