/**
 * Statements of a schema dump (SHOW TABLE, pg_dump, a cluster's DDL export)
 * that keel accepts and has nothing to do for, so that the dump runs through
 * `keel sql -f` (docs/sql.md, "DDL from Redshift"):
 *   SET search_path TO public (keel has one schema), and SET of the session
 *     settings dumps write whose effect keel already has or has no use for;
 *   COMMENT ON TABLE t | COLUMN t.c IS '...';
 *   ALTER TABLE t OWNER TO u, ALTER TABLE [ONLY] t ADD [CONSTRAINT c]
 *     PRIMARY KEY | UNIQUE | FOREIGN KEY ... (parsed in parse-ddl.ts): keel,
 *     as Redshift, enforces none of these, and keeps only what CREATE TABLE says.
 * Any other SET is refused naming its setting; a SET search_path naming
 * another schema is refused too, since its tables would land in public.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

/** Settings a dump sets that change nothing keel does (it is UTF-8, standard strings, no timeouts, no tablespaces, no OIDs, no row security). */
const IGNORED_SETTINGS: ReadonlySet<string> = new Set([
  'client_encoding', 'standard_conforming_strings', 'lock_timeout', 'idle_in_transaction_session_timeout',
  'client_min_messages', 'check_function_bodies', 'default_tablespace', 'default_table_access_method', 'default_with_oids',
  'row_security', 'xmloption', 'synchronize_seqscans', 'escape_string_warning', 'query_group', 'application_name',
  // JDBC sets 3 at connect: PostgreSQL 12's shortest exact float output, which keel's already is
  'extra_float_digits',
]);

/** The rest of a SET's value, up to the end of the statement (values are names, strings, numbers or DEFAULT). */
function skipValue(p: ParserCursor): string[] {
  const values: string[] = [];
  while (!p.isOp(';') && p.tok.kind !== 'eof') {
    const t = p.advance();
    if (t.kind !== 'op') values.push(t.kind === 'word' ? t.value : p.sql.slice(t.pos, t.end).replace(/^["']|["']$/g, '').toLowerCase());
  }
  return values;
}

/**
 * The rest of SET [SESSION | LOCAL] name { TO | = } value [, ...], from the
 * setting's name on, for every setting but the time zone (parse-session.ts).
 */
export function ignoredSetting(p: ParserCursor, pos: number): ast.IgnoredStatement {
  const at = p.tok;
  const setting = p.name();
  if (!p.acceptWord('to') && !p.acceptOp('=')) throw p.expected('TO or =');
  const values = skipValue(p);
  if (setting.name === 'search_path') {
    // '$user' comes first in PostgreSQL's default path; keel's one schema is public
    const other = values.find((v) => v !== 'public' && v !== '$user' && v !== 'pg_catalog' && v !== '');
    if (other !== undefined) throw p.unsupported(`SET search_path to schema "${other}" (keel has one schema, public)`, at);
  } else if (!IGNORED_SETTINGS.has(setting.name)) {
    throw p.unsupported(`SET ${setting.name}`, at);
  }
  return { kind: 'ignored', command: 'SET', table: null, columns: [], pos };
}

/** COMMENT ON { TABLE t | COLUMN t.c } IS { 'text' | NULL } */
export function commentStatement(p: ParserCursor): ast.IgnoredStatement {
  const pos = p.advance().pos;
  p.expectWord('on');
  let table: ast.Ident;
  let column: ast.Ident | null = null;
  if (p.acceptWord('table')) table = p.objectName();
  else if (p.acceptWord('column')) {
    // [public.]t.c
    const first = p.name();
    p.expectOp('.');
    const second = p.name();
    if (p.acceptOp('.')) {
      if (first.name !== 'public') throw p.unsupported('schema-qualified names (other than public.)');
      table = second;
      column = p.name();
    } else {
      table = first;
      column = second;
    }
  } else {
    const t = p.tok;
    throw p.unsupported(`COMMENT ON ${t.kind === 'word' ? t.value.toUpperCase() : p.sql.slice(t.pos, t.end)} (only TABLE and COLUMN)`);
  }
  p.expectWord('is');
  if (!p.acceptWord('null')) {
    if (p.tok.kind !== 'string') throw p.expected('a string or NULL');
    p.advance();
  }
  return { kind: 'ignored', command: 'COMMENT', table, columns: column ? [column] : [], pos };
}
