/**
 * Parsing of COPY and UNLOAD, Redshift's bulk load and unload, over local
 * files. Options come in any order, each at most once; the ones that only make
 * sense against S3 or another cluster service are either accepted and ignored
 * (the authorization a Redshift script always carries: IAM_ROLE,
 * CREDENTIALS, keys, REGION, and COMPUPDATE/STATUPDATE, which keel's advisor
 * and ANALYZE own) or refused by name (MANIFEST, ENCRYPTED, SSH, ...).
 * docs/sql.md lists both.
 */
import type * as ast from './ast.js';
import { selectQuery } from './build.js';
import type { Token } from './lexer.js';
import type { Mutable, ParserCursor } from './parse-cursor.js';

/** Authorization and service options a Redshift script carries: accepted, with a string (or a word) argument, and ignored. */
const IGNORED_WITH_VALUE: ReadonlySet<string> = new Set(['iam_role', 'credentials', 'access_key_id', 'secret_access_key', 'session_token', 'region']);
const IGNORED_SWITCHES: ReadonlySet<string> = new Set(['compupdate', 'statupdate']);

/** Options Redshift has that keel refuses, with why. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['manifest', 'a manifest lists S3 objects; COPY from a folder loads every file in it'],
  ['encrypted', 'client-side encrypted S3 files do not exist locally'],
  ['master_symmetric_key', 'client-side encrypted S3 files do not exist locally'],
  ['ssh', 'COPY reads local files'],
  ['fixedwidth', 'fixed-width files are not supported'],
  ['json', 'JSON files are not supported'],
  ['avro', 'Avro files are not supported'],
  ['orc', 'ORC files are not supported'],
  ['shapefile', 'shapefiles are not supported'],
  ['removequotes', 'REMOVEQUOTES is not supported (use CSV)'],
  ['escape', 'backslash escapes are not supported (use CSV)'],
  ['explicit_ids', 'keel has no IDENTITY columns'],
  ['fillrecord', 'FILLRECORD is not supported'],
  ['ignoreblanklines', 'IGNOREBLANKLINES is not supported'],
  ['trimblanks', 'TRIMBLANKS is not supported'],
  ['roundec', 'ROUNDEC is not supported (decimals always round)'],
  ['acceptanydate', 'ACCEPTANYDATE is not supported'],
  ['bzip2', 'bzip2 files are not supported (gzip is)'],
  ['lzop', 'lzop files are not supported (gzip is)'],
  ['zstd', 'zstd files are not supported (gzip is)'],
  ['encoding', 'files must be UTF-8'],
  ['comprows', 'COMPROWS is not supported'],
  ['readratio', 'READRATIO is not supported'],
  ['serializetojson', 'SERIALIZETOJSON is not supported'],
]);

/** The sources COPY cannot read. */
const REMOTE = /^(s3|dynamodb|emr|https?|ftp):\/\//i;

/** A string argument: 'text', after an optional AS. */
function stringArg(p: ParserCursor, option: string): { value: string; pos: number } {
  p.acceptWord('as');
  const t = p.tok;
  if (t.kind !== 'string') throw p.expected(`a quoted string after ${option}`);
  p.advance();
  return { value: t.value, pos: t.pos };
}

/** A whole-number argument, after an optional AS. */
function countArg(p: ParserCursor, option: string): number {
  p.acceptWord('as');
  const t = p.tok;
  if (t.kind !== 'number' || !/^\d+$/.test(t.value)) throw p.expected(`a whole number after ${option}`);
  p.advance();
  return Number(t.value);
}

/** One character, or \t (the two characters, or the tab itself). */
function charArg(p: ParserCursor, option: string): string {
  const { value, pos } = stringArg(p, option);
  if (value === '\\t') return '\t';
  if ([...value].length !== 1) throw p.error('SYNTAX', `${option} must be one character, got '${value}'`, pos);
  if (value === '\n' || value === '\r') throw p.error('SYNTAX', `${option} cannot be a line end`, pos);
  return value;
}

/** Skips the argument of an ignored option (a string, a word such as DEFAULT or ON, or nothing). */
function skipIgnoredArg(p: ParserCursor): void {
  p.acceptWord('as');
  const t = p.tok;
  if (t.kind === 'string') p.advance();
  else if (t.kind === 'word' && (t.value === 'default' || t.value === 'on' || t.value === 'off' || t.value === 'true' || t.value === 'false' || t.value === 'preset')) p.advance();
}

/** Marks an option as given; a second time is an error. */
function once(p: ParserCursor, seen: Map<string, Token>, name: string, t: Token): void {
  if (seen.has(name)) throw p.error('SYNTAX', `option ${name.toUpperCase()} is given more than once`, t.pos);
  seen.set(name, t);
}

// COPY t [(cols)] FROM { 'path' | STDIN } [WITH] option ...
export function copyStatement(p: ParserCursor): ast.CopyStatement | ast.CopyToStatement {
  const pos = p.advance().pos;
  if (p.isOp('(')) {
    p.advance();
    const query = p.query();
    p.expectOp(')');
    p.expectWord('to');
    return copyTo(p, query, pos);
  }
  const table = p.objectName();
  const columns = p.isOp('(') ? p.nameList() : null;
  if (p.isWord('to')) {
    p.advance();
    const star = [{ kind: 'star', table: null, pos: table.pos } as const];
    const items = columns ? columns.map((c) => ({ kind: 'expr', expr: { kind: 'column', table: null, name: c, pos: c.pos }, alias: null, pos: c.pos }) as const) : star;
    return copyTo(p, selectQuery({ items, from: [{ kind: 'table', name: table, alias: null, columnAliases: null, pos: table.pos }] }, pos), pos);
  }
  p.expectWord('from');
  const src = p.tok;
  const stdin = src.kind === 'word' && src.value === 'stdin';
  if (src.kind !== 'string' && !stdin) throw p.expected('a quoted file or folder path, or STDIN, after FROM');
  if (src.kind === 'string' && REMOTE.test(src.value)) throw p.error('UNSUPPORTED', `COPY reads local files and folders; ${src.value.split('://')[0]}:// sources are not supported`, src.pos);
  p.advance();
  p.acceptWord('with');
  if (p.isOp('(')) throw p.unsupported("PostgreSQL's parenthesized COPY options (write them as Redshift does: CSV, DELIMITER ',', IGNOREHEADER 1, NULL AS 'x'; psql's \\copy passes csv header through)");
  const o: Mutable<ast.CopyOptions> = {
    format: 'text', delimiter: null, quote: null, ignoreHeader: 0, nullAs: null, gzip: false, dateFormat: null, timeFormat: null,
    maxError: 0, emptyAsNull: false, blanksAsNull: false, truncateColumns: false, acceptInvChars: null, noLoad: false,
  };
  const seen = new Map<string, Token>();
  while (p.tok.kind === 'word') {
    const t = p.tok;
    const w = t.value;
    if (IGNORED_WITH_VALUE.has(w) || IGNORED_SWITCHES.has(w)) {
      p.advance();
      once(p, seen, w, t);
      skipIgnoredArg(p);
      continue;
    }
    const why = REFUSED.get(w);
    if (why !== undefined) throw p.error('UNSUPPORTED', `COPY option ${w.toUpperCase()} is not supported: ${why}`, t.pos);
    p.advance();
    switch (w) {
      case 'format': {
        once(p, seen, 'format', t);
        p.acceptWord('as');
        const f = p.tok;
        if (f.kind === 'word' && (f.value === 'csv' || f.value === 'parquet')) {
          p.advance();
          o.format = f.value;
          if (f.value === 'csv') csvQuote(p, o, seen);
        } else if (f.kind === 'word' && REFUSED.has(f.value)) {
          throw p.error('UNSUPPORTED', `COPY FORMAT ${f.value.toUpperCase()} is not supported: ${REFUSED.get(f.value)}`, f.pos);
        } else throw p.expected('CSV or PARQUET after FORMAT');
        break;
      }
      case 'csv':
        once(p, seen, 'format', t);
        o.format = 'csv';
        csvQuote(p, o, seen);
        break;
      case 'parquet':
        once(p, seen, 'format', t);
        o.format = 'parquet';
        break;
      case 'delimiter':
        once(p, seen, w, t);
        o.delimiter = charArg(p, 'DELIMITER');
        break;
      case 'ignoreheader':
        once(p, seen, 'ignoreheader', t);
        o.ignoreHeader = countArg(p, 'IGNOREHEADER');
        break;
      case 'header':
        // PostgreSQL's HEADER (psql's \copy ... csv header sends it): the first line is a header, IGNOREHEADER 1
        once(p, seen, 'ignoreheader', t);
        o.ignoreHeader = 1;
        break;
      case 'null':
        once(p, seen, w, t);
        o.nullAs = stringArg(p, 'NULL AS').value;
        break;
      case 'gzip':
        once(p, seen, w, t);
        o.gzip = true;
        break;
      case 'dateformat':
        once(p, seen, w, t);
        o.dateFormat = stringArg(p, 'DATEFORMAT').value;
        break;
      case 'timeformat':
        once(p, seen, w, t);
        o.timeFormat = stringArg(p, 'TIMEFORMAT').value;
        break;
      case 'maxerror':
        once(p, seen, w, t);
        o.maxError = countArg(p, 'MAXERROR');
        break;
      case 'emptyasnull':
        once(p, seen, w, t);
        o.emptyAsNull = true;
        break;
      case 'blanksasnull':
        once(p, seen, w, t);
        o.blanksAsNull = true;
        break;
      case 'truncatecolumns':
        once(p, seen, w, t);
        o.truncateColumns = true;
        break;
      case 'acceptinvchars':
        once(p, seen, w, t);
        o.acceptInvChars = (p.tok as Token).kind === 'string' || p.isWord('as') ? charArg(p, 'ACCEPTINVCHARS') : '?';
        break;
      case 'quote':
        throw p.error('SYNTAX', 'QUOTE goes right after CSV: CSV QUOTE AS \'q\'', t.pos);
      case 'noload':
        once(p, seen, w, t);
        o.noLoad = true;
        break;
      default:
        throw p.error('SYNTAX', `unknown COPY option ${w.toUpperCase()}`, t.pos);
    }
  }
  checkCopyOptions(p, o, seen);
  if (stdin && o.format === 'parquet') throw p.error('UNSUPPORTED', 'COPY FROM STDIN reads CSV or text, not Parquet', seen.get('format')!.pos);
  if (stdin && o.gzip) throw p.error('UNSUPPORTED', 'COPY FROM STDIN reads uncompressed text, not GZIP', seen.get('gzip')!.pos);
  const source = stdin ? ({ kind: 'stdin', pos: src.pos } as const) : ({ kind: 'file', path: src.value, pos: src.pos } as const);
  return { kind: 'copy', table, columns, source, options: o, pos };
}

/**
 * The part after TO: STDOUT, then [WITH] CSV, HEADER, DELIMITER [AS] 'c',
 * NULL [AS] 'x' in any order (PostgreSQL's older spelling, which psql's
 * \\copy passes through). A file is refused: UNLOAD writes files.
 */
function copyTo(p: ParserCursor, query: ast.Query, pos: number): ast.CopyToStatement {
  if (!p.acceptWord('stdout')) {
    if (p.tok.kind === 'string') throw p.unsupported('COPY ... TO a file (UNLOAD writes files)');
    throw p.expected('STDOUT after TO');
  }
  p.acceptWord('with');
  if (p.isOp('(')) throw p.unsupported("PostgreSQL's parenthesized COPY options (write CSV, HEADER, DELIMITER 'c', NULL AS 'x')");
  let csv = false;
  let header = false;
  let delimiter: string | null = null;
  let nullAs: string | null = null;
  const seen = new Map<string, Token>();
  while (p.tok.kind === 'word') {
    const t = p.advance();
    once(p, seen, t.value, t);
    switch (t.value) {
      case 'csv':
        csv = true;
        break;
      case 'header':
        header = true;
        break;
      case 'delimiter':
        delimiter = charArg(p, 'DELIMITER');
        break;
      case 'null':
        nullAs = stringArg(p, 'NULL AS').value;
        break;
      default:
        throw p.error('SYNTAX', `unknown COPY TO option ${t.value.toUpperCase()} (CSV, HEADER, DELIMITER, NULL)`, t.pos);
    }
  }
  if (header && !csv) throw p.error('SYNTAX', 'HEADER goes with CSV (the text format has none)', seen.get('header')!.pos);
  return { kind: 'copyTo', query, format: { csv, header, delimiter: delimiter ?? (csv ? ',' : '\t'), nullAs: nullAs ?? (csv ? '' : '\\N') }, pos };
}

/** CSV [QUOTE [AS] 'q'] */
function csvQuote(p: ParserCursor, o: Mutable<ast.CopyOptions>, seen: Map<string, Token>): void {
  const t = p.tok;
  if (!p.acceptWord('quote')) return;
  once(p, seen, 'quote', t);
  o.quote = charArg(p, 'QUOTE');
}

/**
 * Options that do not go together: Parquet takes none of the text options
 * (Redshift's columnar COPY does not either), MAXERROR included (a bad value
 * fails a Parquet COPY in Redshift too).
 */
function checkCopyOptions(p: ParserCursor, o: ast.CopyOptions, seen: Map<string, Token>): void {
  if (o.format === 'parquet') {
    for (const name of ['delimiter', 'quote', 'ignoreheader', 'null', 'gzip', 'dateformat', 'timeformat', 'maxerror', 'emptyasnull', 'blanksasnull', 'truncatecolumns']) {
      const t = seen.get(name);
      if (t) throw p.error('SYNTAX', `${name === 'null' ? 'NULL AS' : name.toUpperCase()} is not valid with FORMAT PARQUET`, t.pos);
    }
    // Redshift takes it there; keel's Parquet reader does not replace invalid UTF-8 (yet): refused rather than ignored
    const inv = seen.get('acceptinvchars');
    if (inv) throw p.error('UNSUPPORTED', 'ACCEPTINVCHARS with FORMAT PARQUET is not supported', inv.pos);
  }
  const q = o.quote ?? '"';
  const d = o.delimiter ?? (o.format === 'csv' ? ',' : '|');
  if (o.format === 'csv' && q === d) throw p.error('SYNTAX', 'QUOTE and DELIMITER must differ', (seen.get('quote') ?? seen.get('delimiter'))!.pos);
}

// UNLOAD ('query') TO 'path' [option ...]
export function unloadStatement(p: ParserCursor): ast.UnloadStatement {
  const pos = p.advance().pos;
  p.expectOp('(');
  const q = p.tok;
  if (q.kind !== 'string') throw p.expected("the query as a quoted string: UNLOAD ('select ...')");
  p.advance();
  p.expectOp(')');
  p.expectWord('to');
  const dest = p.tok;
  if (dest.kind !== 'string') throw p.expected('a quoted path after TO');
  if (REMOTE.test(dest.value)) throw p.error('UNSUPPORTED', `UNLOAD writes local files; ${dest.value.split('://')[0]}:// destinations are not supported`, dest.pos);
  p.advance();
  const u: Mutable<ast.UnloadStatement> = {
    kind: 'unload', query: q.value, queryPos: q.pos, to: dest.value, toPos: dest.pos, format: 'text', delimiter: null, header: false,
    nullAs: null, allowOverwrite: false, cleanPath: false, parallel: true, maxFileSize: null, gzip: false, pos,
  };
  const seen = new Map<string, Token>();
  p.acceptWord('with');
  while (p.tok.kind === 'word') {
    const t = p.tok;
    const w = t.value;
    if (IGNORED_WITH_VALUE.has(w)) {
      p.advance();
      once(p, seen, w, t);
      skipIgnoredArg(p);
      continue;
    }
    p.advance();
    switch (w) {
      case 'format': {
        once(p, seen, 'format', t);
        p.acceptWord('as');
        const f = p.tok;
        if (f.kind === 'word' && (f.value === 'csv' || f.value === 'parquet')) u.format = f.value;
        else if (f.kind === 'word' && (f.value === 'json' || f.value === 'orc' || f.value === 'avro')) throw p.error('UNSUPPORTED', `UNLOAD FORMAT ${f.value.toUpperCase()} is not supported`, f.pos);
        else throw p.expected('CSV or PARQUET after FORMAT');
        p.advance();
        break;
      }
      case 'csv':
      case 'parquet':
        once(p, seen, 'format', t);
        u.format = w;
        break;
      case 'delimiter':
        once(p, seen, w, t);
        u.delimiter = charArg(p, 'DELIMITER');
        break;
      case 'header':
        once(p, seen, w, t);
        u.header = true;
        break;
      case 'null':
        once(p, seen, w, t);
        u.nullAs = stringArg(p, 'NULL AS').value;
        break;
      case 'allowoverwrite':
        once(p, seen, w, t);
        u.allowOverwrite = true;
        break;
      case 'cleanpath':
        once(p, seen, w, t);
        u.cleanPath = true;
        break;
      case 'gzip':
        once(p, seen, w, t);
        u.gzip = true;
        break;
      case 'parallel': {
        once(p, seen, w, t);
        const v = p.tok;
        if (v.kind === 'word' && (v.value === 'on' || v.value === 'true')) u.parallel = true;
        else if (v.kind === 'word' && (v.value === 'off' || v.value === 'false')) u.parallel = false;
        else throw p.expected('ON or OFF after PARALLEL');
        p.advance();
        break;
      }
      case 'maxfilesize': {
        once(p, seen, w, t);
        const n = countArg(p, 'MAXFILESIZE');
        let unit = 1 << 20;
        if (p.acceptWord('gb')) unit = 1 << 30;
        else p.acceptWord('mb');
        // Redshift's bounds: 5 MB to 6.2 GB
        const bytes = n * unit;
        if (bytes < 5 * (1 << 20) || bytes > 6.2 * (1 << 30)) throw p.error('SYNTAX', 'MAXFILESIZE must be from 5 MB to 6.2 GB', t.pos);
        u.maxFileSize = bytes;
        break;
      }
      case 'manifest':
      case 'encrypted':
      case 'kms_key_id':
      case 'master_symmetric_key':
      case 'partition':
      case 'addquotes':
      case 'escape':
      case 'fixedwidth':
      case 'bzip2':
      case 'zstd':
      case 'extension':
      case 'rowgroupsize':
        throw p.error('UNSUPPORTED', `UNLOAD option ${w.toUpperCase()} is not supported`, t.pos);
      default:
        throw p.error('SYNTAX', `unknown UNLOAD option ${w.toUpperCase()}`, t.pos);
    }
  }
  if (u.format === 'parquet') {
    for (const name of ['delimiter', 'header', 'null', 'gzip']) {
      const t = seen.get(name);
      if (t) throw p.error('SYNTAX', `${name === 'null' ? 'NULL AS' : name.toUpperCase()} is not valid with FORMAT PARQUET`, t.pos);
    }
  }
  if (u.format === 'csv' && u.delimiter === '"') throw p.error('SYNTAX', 'the CSV delimiter cannot be the quote character', seen.get('delimiter')!.pos);
  return u;
}
