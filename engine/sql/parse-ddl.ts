/**
 * Parsing of the DDL statements: CREATE TABLE and VIEW, DROP, ALTER TABLE.
 * Each function reads one statement (or clause) from the cursor.
 */
import type * as ast from './ast.js';
import type { Token } from './lexer.js';
import type { Mutable, ParserCursor } from './parse-cursor.js';
import { alterUser, createUser, dropUser } from './parse-users.js';

const DIST_STYLES: ReadonlySet<string> = new Set(['auto', 'even', 'key', 'all']);

/** Objects after CREATE/DROP/ALTER that we recognize but do not have. */
const UNSUPPORTED_OBJECTS: ReadonlySet<string> = new Set([
  'index', 'schema', 'database', 'function', 'procedure', 'group', 'role', 'external', 'sequence',
  'library', 'model', 'datashare', 'temp', 'temporary', 'local', 'trigger', 'type',
]);

export function createStatement(p: ParserCursor): ast.Statement {
  const pos = p.advance().pos;
  let orReplace = false;
  if (p.acceptWord('or')) {
    p.expectWord('replace');
    orReplace = true;
  }
  if (p.isWord('view')) return createView(p, pos, orReplace);
  if (p.isWord('table') && !orReplace) return createTable(p, pos);
  if (p.isWord('materialized') && !orReplace) return createMaterializedView(p, pos);
  if (p.isWord('user') && !orReplace) return createUser(p, pos);
  const t = p.tok;
  if (t.kind === 'word' && UNSUPPORTED_OBJECTS.has(t.value)) throw p.unsupported(`CREATE ${t.value.toUpperCase()}`);
  throw p.expected(orReplace ? 'VIEW' : 'TABLE or VIEW');
}

function acceptIfExists(p: ParserCursor): boolean {
  if (!p.acceptWord('if')) return false;
  p.expectWord('exists');
  return true;
}

function acceptIfNotExists(p: ParserCursor): boolean {
  if (!p.acceptWord('if')) return false;
  p.expectWord('not');
  p.expectWord('exists');
  return true;
}

// CREATE TABLE [IF NOT EXISTS] t (elements) [attributes] | CREATE TABLE t [(names)] [attributes] AS query | CREATE TABLE t (LIKE parent [INCLUDING | EXCLUDING DEFAULTS])
function createTable(p: ParserCursor, pos: number): ast.CreateTableStatement {
  p.expectWord('table');
  const ifNotExists = acceptIfNotExists(p);
  const name = p.objectName();
  if (p.isWord('like')) throw p.expected('"(" before LIKE: CREATE TABLE t (LIKE parent)');
  const base = { kind: 'createTable' as const, name, ifNotExists, columns: [], primaryKey: [], as: null, asColumns: null, like: null, pos };
  if (p.isOp('(') && p.isWord('like', 1)) {
    const like = likeClause(p);
    const t = p.tok;
    // Redshift: a LIKE table inherits its parent's distribution and sort keys, which cannot be set in the same statement
    if (t.kind === 'word' && ['diststyle', 'distkey', 'sortkey', 'compound', 'interleaved', 'as'].includes(t.value)) {
      throw p.unsupported(`${t.value.toUpperCase()} in CREATE TABLE ... LIKE (the new table takes its parent's layout)`);
    }
    return { ...base, distStyle: null, distKey: null, sortKey: null, like };
  }
  // CREATE TABLE t (a, b) AS query: a name list, told from column definitions by the comma or parenthesis after the first name
  if (p.isOp('(') && p.isName(1) && (p.isOp(',', 2) || p.isOp(')', 2))) {
    const asColumns = p.nameList();
    const attrs = tableAttributes(p);
    p.expectWord('as');
    return { ...base, ...attrs, as: p.query(), asColumns };
  }
  let columns: ast.ColumnDefinition[] = [];
  let primaryKey: ast.Ident[] = [];
  const hasElements = p.isOp('(');
  if (hasElements) ({ columns, primaryKey } = tableElements(p, name));
  const attrs = tableAttributes(p);
  let as: ast.Query | null = null;
  if (!hasElements) {
    if (!p.isWord('as')) throw p.expected('"(" or AS');
    p.advance();
    as = p.query();
  }
  return { ...base, columns, primaryKey, ...attrs, as };
}

/** (LIKE parent [INCLUDING | EXCLUDING DEFAULTS]) */
function likeClause(p: ParserCursor): NonNullable<ast.CreateTableStatement['like']> {
  p.expectOp('(');
  const pos = p.expectWord('like').pos;
  const table = p.objectName();
  let includingDefaults = false;
  if (p.isWord('including') || p.isWord('excluding')) {
    includingDefaults = p.advance().value === 'including';
    p.expectWord('defaults');
  }
  if (p.isOp(',')) throw p.unsupported('columns beside LIKE in CREATE TABLE');
  p.expectOp(')');
  return { table, includingDefaults, pos };
}

/** ( column definitions and table constraints ) */
function tableElements(p: ParserCursor, table: ast.Ident): { columns: ast.ColumnDefinition[]; primaryKey: ast.Ident[] } {
  p.expectOp('(');
  const columns: Mutable<ast.ColumnDefinition>[] = [];
  const keys: { columns: ast.Ident[]; at: Token }[] = []; // every PRIMARY KEY written, to reject a second one
  do {
    if (p.acceptWord('constraint')) p.name(); // constraint names are not kept
    const t = p.tok;
    if (p.acceptWord('primary')) {
      p.expectWord('key');
      keys.push({ columns: p.nameList(), at: t });
    } else if (p.acceptWord('unique')) {
      p.nameList();
    } else if (p.acceptWord('foreign')) {
      p.expectWord('key');
      p.nameList();
      references(p);
    } else if (p.isWord('like')) {
      throw p.unsupported('LIKE beside column definitions in CREATE TABLE');
    } else if (p.isWord('check') || p.isWord('exclude')) {
      throw p.unsupported(`${t.value.toUpperCase()} in CREATE TABLE`);
    } else {
      const { column, primaryKeyAt } = columnDefinition(p);
      if (primaryKeyAt) keys.push({ columns: [column.name], at: primaryKeyAt });
      columns.push(column);
    }
  } while (p.acceptOp(','));
  p.expectOp(')');
  if (keys.length > 1) throw p.error('SYNTAX', `multiple primary keys for table "${table.name}" are not allowed`, keys[1]!.at.pos);
  const primaryKey = keys[0]?.columns ?? [];
  for (const key of primaryKey) markPrimaryKey(p, columns, key);
  return { columns, primaryKey };
}

/** PRIMARY KEY (a, b): the named columns become primary-key and NOT NULL. */
function markPrimaryKey(p: ParserCursor, columns: Mutable<ast.ColumnDefinition>[], key: ast.Ident): void {
  const column = columns.find((c) => c.name.name === key.name);
  if (!column) throw p.error('UNKNOWN_COLUMN', `column "${key.name}" named in key does not exist`, key.pos);
  column.primaryKey = true;
  column.notNull = true;
}

/** REFERENCES t [(c, ...)]: parsed and ignored (Redshift does not enforce it either). */
function references(p: ParserCursor): void {
  p.expectWord('references');
  p.objectName();
  if (p.isOp('(')) p.nameList();
}

/** name type [NOT NULL | NULL | ENCODE e | DISTKEY | SORTKEY | PRIMARY KEY | UNIQUE | REFERENCES t(c)]... */
function columnDefinition(p: ParserCursor): { column: Mutable<ast.ColumnDefinition>; primaryKeyAt: Token | null } {
  const name = p.name();
  const column: Mutable<ast.ColumnDefinition> = {
    name, type: p.type(), notNull: false, encode: null, distKey: false, sortKey: false, primaryKey: false, default: null, pos: name.pos,
  };
  let nullable = false;
  let primaryKeyAt: Token | null = null;
  for (;;) {
    const t = p.tok;
    if (p.acceptWord('constraint')) {
      p.name();
    } else if (p.acceptWord('not')) {
      p.expectWord('null');
      if (nullable) throw p.error('SYNTAX', `conflicting NULL/NOT NULL declarations for column "${name.name}"`, t.pos);
      column.notNull = true;
    } else if (p.acceptWord('null')) {
      if (column.notNull) throw p.error('SYNTAX', `conflicting NULL/NOT NULL declarations for column "${name.name}"`, t.pos);
      nullable = true;
    } else if (p.acceptWord('encode')) {
      if (column.encode !== null) throw p.error('SYNTAX', `multiple ENCODE clauses for column "${name.name}"`, t.pos);
      const e = p.tok;
      if (e.kind !== 'word') throw p.expected('an encoding name');
      column.encode = p.sql.slice(e.pos, e.end).toUpperCase();
      p.advance();
    } else if (p.acceptWord('distkey')) {
      column.distKey = true;
    } else if (p.acceptWord('sortkey')) {
      column.sortKey = true;
    } else if (p.acceptWord('primary')) {
      p.expectWord('key');
      primaryKeyAt = t;
      column.primaryKey = true;
      column.notNull = true;
    } else if (p.acceptWord('unique')) {
      // accepted and not enforced, as in Redshift
    } else if (p.isWord('references')) {
      references(p);
    } else if (p.acceptWord('default')) {
      if (column.default !== null) throw p.error('SYNTAX', `multiple default values specified for column "${name.name}"`, t.pos);
      column.default = p.expr();
    } else if (p.isWord('identity') || (p.isWord('generated') && p.isWord('by', 1))) {
      if (column.identity) throw p.error('SYNTAX', `multiple IDENTITY clauses for column "${name.name}"`, t.pos);
      column.identity = identityClause(p);
    } else if (t.kind === 'word' && ['identity', 'generated', 'collate', 'check'].includes(t.value)) {
      throw p.unsupported(`${t.value.toUpperCase()} in a column definition`);
    } else {
      return { column, primaryKeyAt };
    }
  }
}

/**
 * [CONSTRAINT c] PRIMARY KEY (cs) | UNIQUE (cs) | FOREIGN KEY (cs) REFERENCES t [(cs)]
 * added by ALTER TABLE: informational in Redshift, accepted and not kept
 * here; returns the table's columns it names, which must exist.
 */
function addedConstraint(p: ParserCursor): ast.Ident[] {
  if (p.acceptWord('constraint')) p.name();
  if (p.acceptWord('primary')) {
    p.expectWord('key');
    return p.nameList();
  }
  if (p.acceptWord('unique')) return p.nameList();
  p.expectWord('foreign');
  p.expectWord('key');
  const columns = p.nameList();
  references(p);
  return columns;
}

/** IDENTITY(seed, step) | GENERATED BY DEFAULT AS IDENTITY(seed, step), Redshift's two spellings. */
function identityClause(p: ParserCursor): { seed: number; step: number } {
  if (p.acceptWord('generated')) {
    p.expectWord('by');
    p.expectWord('default');
    p.expectWord('as');
  }
  p.expectWord('identity');
  p.expectOp('(');
  const seed = integer(p);
  p.expectOp(',');
  const at = p.tok;
  const step = integer(p);
  if (step === 0) throw p.error('INVALID_DDL', 'IDENTITY step must not be 0', at.pos);
  p.expectOp(')');
  return { seed, step };
}

/** An integer literal, optionally negative. */
function integer(p: ParserCursor): number {
  const negative = p.acceptOp('-');
  const t = p.tok;
  if (t.kind !== 'number' || !/^\d+$/.test(t.value)) throw p.expected('an integer');
  p.advance();
  const n = Number(t.value);
  if (!Number.isSafeInteger(n)) throw p.error('OVERFLOW', `${t.value} is out of range`, t.pos);
  return negative ? -n : n;
}

/**
 * Table attributes after the column list, in any order, each at most once:
 * DISTSTYLE s, DISTKEY (c), [COMPOUND|INTERLEAVED] SORTKEY (cs) | SORTKEY AUTO,
 * and the accepted-and-ignored BACKUP YES|NO and ENCODE AUTO.
 */
function tableAttributes(p: ParserCursor): Pick<ast.CreateTableStatement, 'distStyle' | 'distKey' | 'sortKey'> {
  let distStyle: ast.CreateTableStatement['distStyle'] = null;
  let distKey: ast.Ident | null = null;
  let sortKey: ast.CreateTableStatement['sortKey'] = null;
  const once = (t: Token, seen: unknown, what: string): void => {
    if (seen !== null) throw p.error('SYNTAX', `${what} is specified more than once`, t.pos);
  };
  for (;;) {
    const t = p.tok;
    if (p.acceptWord('diststyle')) {
      once(t, distStyle, 'DISTSTYLE');
      distStyle = { style: distStyleName(p), pos: t.pos };
    } else if (p.acceptWord('distkey')) {
      once(t, distKey, 'DISTKEY');
      p.expectOp('(');
      distKey = p.name();
      p.expectOp(')');
    } else if (p.isWord('sortkey') || p.isWord('compound') || p.isWord('interleaved')) {
      once(t, sortKey, 'SORTKEY');
      sortKey = sortKeyClause(p);
    } else if (p.acceptWord('backup')) {
      if (!p.acceptWord('yes') && !p.acceptWord('no')) throw p.expected('YES or NO');
    } else if (p.acceptWord('encode')) {
      p.expectWord('auto');
    } else {
      return { distStyle, distKey, sortKey };
    }
  }
}

function distStyleName(p: ParserCursor): ast.DistStyleName {
  const t = p.tok;
  if (t.kind !== 'word' || !DIST_STYLES.has(t.value)) throw p.expected('AUTO, EVEN, KEY or ALL');
  p.advance();
  return t.value as ast.DistStyleName;
}

/** [COMPOUND|INTERLEAVED] SORTKEY (a, b) | SORTKEY AUTO */
function sortKeyClause(p: ParserCursor): NonNullable<ast.CreateTableStatement['sortKey']> {
  const pos = p.tok.pos;
  const prefixed = p.isWord('compound') || p.isWord('interleaved');
  const style = p.acceptWord('interleaved') ? 'interleaved' : 'compound';
  if (style === 'compound') p.acceptWord('compound');
  p.expectWord('sortkey');
  if (!prefixed && p.acceptWord('auto')) return { style, columns: [], auto: true, pos };
  return { style, columns: p.nameList(), auto: false, pos };
}

// CREATE [OR REPLACE] VIEW v [(cols)] AS query [WITH NO SCHEMA BINDING]
function createView(p: ParserCursor, pos: number, orReplace: boolean): ast.CreateViewStatement {
  p.expectWord('view');
  const name = p.objectName();
  const columns = p.isOp('(') ? p.nameList() : null;
  p.expectWord('as');
  const start = p.tok.pos;
  const query = p.query();
  const queryText = p.sql.slice(start, p.lastEnd());
  // Redshift's late-binding views: every view here binds at query time; the clause says no table change need spare it
  const noSchemaBinding = p.acceptWord('with');
  if (noSchemaBinding) {
    p.expectWord('no');
    p.expectWord('schema');
    p.expectWord('binding');
  }
  return { kind: 'createView', name, orReplace, columns, query, queryText, noSchemaBinding, pos };
}

/**
 * CREATE MATERIALIZED VIEW v [BACKUP YES|NO] [DISTSTYLE ...] [DISTKEY(c)] [SORTKEY(...)] [AUTO REFRESH YES|NO] AS query,
 * the attributes in any order, as Redshift takes them (BACKUP is accepted and has no effect: there are no snapshots to leave it out of).
 */
function createMaterializedView(p: ParserCursor, pos: number): ast.CreateMaterializedViewStatement {
  p.expectWord('materialized');
  p.expectWord('view');
  const name = p.objectName();
  if (p.isOp('(')) throw p.unsupported('a column name list in CREATE MATERIALIZED VIEW (alias the query\'s columns instead)');
  let autoRefresh: boolean | null = null;
  let attrs = tableAttributes(p);
  for (;;) {
    const t = p.tok;
    if (!p.acceptWord('auto')) break;
    if (autoRefresh !== null) throw p.error('SYNTAX', 'AUTO REFRESH is specified more than once', t.pos);
    p.expectWord('refresh');
    if (p.acceptWord('yes')) autoRefresh = true;
    else if (p.acceptWord('no')) autoRefresh = false;
    else throw p.expected('YES or NO');
    const more = tableAttributes(p);
    attrs = mergeAttributes(p, attrs, more, t);
  }
  p.expectWord('as');
  const start = p.tok.pos;
  const query = p.query();
  const queryText = p.sql.slice(start, p.lastEnd());
  return { kind: 'createMaterializedView', name, ...attrs, autoRefresh: autoRefresh ?? false, query, queryText, pos };
}

/** Layout attributes written on both sides of AUTO REFRESH, each at most once. */
function mergeAttributes(
  p: ParserCursor,
  a: Pick<ast.CreateTableStatement, 'distStyle' | 'distKey' | 'sortKey'>,
  b: Pick<ast.CreateTableStatement, 'distStyle' | 'distKey' | 'sortKey'>,
  at: Token,
): Pick<ast.CreateTableStatement, 'distStyle' | 'distKey' | 'sortKey'> {
  if ((a.distStyle && b.distStyle) || (a.distKey && b.distKey) || (a.sortKey && b.sortKey)) throw p.error('SYNTAX', 'a layout attribute is specified more than once', at.pos);
  return { distStyle: a.distStyle ?? b.distStyle, distKey: a.distKey ?? b.distKey, sortKey: a.sortKey ?? b.sortKey };
}

// REFRESH MATERIALIZED VIEW v
export function refreshStatement(p: ParserCursor): ast.RefreshMaterializedViewStatement {
  const pos = p.advance().pos;
  p.expectWord('materialized');
  p.expectWord('view');
  return { kind: 'refreshMaterializedView', name: p.objectName(), pos };
}

// DROP TABLE|VIEW [IF EXISTS] a [, b] [RESTRICT] | DROP MATERIALIZED VIEW [IF EXISTS] v
export function dropStatement(p: ParserCursor): ast.DropTableStatement | ast.DropViewStatement | ast.DropMaterializedViewStatement | ast.DropUserStatement {
  const pos = p.advance().pos;
  const t = p.tok;
  if (p.isWord('user')) return dropUser(p, pos);
  if (p.acceptWord('materialized')) {
    p.expectWord('view');
    const ifExists = acceptIfExists(p);
    const name = p.objectName();
    if (p.isOp(',')) throw p.unsupported('several views in one DROP MATERIALIZED VIEW');
    if (p.isWord('cascade')) throw p.unsupported('DROP ... CASCADE');
    p.acceptWord('restrict');
    return { kind: 'dropMaterializedView', name, ifExists, pos };
  }
  const kind = p.acceptWord('table') ? 'dropTable' : p.acceptWord('view') ? 'dropView' : null;
  if (kind === null) {
    if (t.kind === 'word' && UNSUPPORTED_OBJECTS.has(t.value)) throw p.unsupported(`DROP ${t.value.toUpperCase()}`);
    throw p.expected('TABLE or VIEW');
  }
  const ifExists = acceptIfExists(p);
  const names: ast.Ident[] = [];
  do names.push(p.objectName());
  while (p.acceptOp(','));
  if (p.isWord('cascade')) throw p.unsupported('DROP ... CASCADE');
  p.acceptWord('restrict');
  return { kind, names, ifExists, pos };
}

// ALTER TABLE t ALTER (DISTSTYLE | DISTKEY | [COMPOUND | INTERLEAVED] SORTKEY | COLUMN c ENCODE | ENCODE AUTO) ... [, ALTER ...]
// | ALTER TABLE t (ADD [COLUMN] | DROP [COLUMN] | RENAME COLUMN | RENAME TO | ALTER COLUMN c TYPE) ...
export function alterStatement(p: ParserCursor): ast.AlterTableStatement | ast.AlterSchemaStatement | ast.IgnoredStatement | ast.AlterUserStatement {
  const pos = p.advance().pos;
  if (p.isWord('user')) return alterUser(p, pos);
  if (!p.isWord('table')) {
    const t = p.tok;
    if (t.kind === 'word' && UNSUPPORTED_OBJECTS.has(t.value)) throw p.unsupported(`ALTER ${t.value.toUpperCase()}`);
    throw p.expected('TABLE');
  }
  p.advance();
  // ONLY (pg_dump's: no inheritance here) changes nothing
  if (p.isWord('only') && p.isName(1)) p.advance();
  const table = p.objectName();
  const t = p.tok;
  if (p.isWord('add') && ['constraint', 'primary', 'unique', 'foreign'].some((w) => p.isWord(w, 1))) {
    p.advance();
    return { kind: 'ignored', command: 'ALTER TABLE', table, columns: addedConstraint(p), pos };
  }
  if (t.kind === 'word' && ['add', 'drop', 'rename'].includes(t.value)) return { kind: 'alterSchema', table, change: schemaChange(p), pos };
  if (p.isWord('alter') && p.isWord('column', 1) && p.isWord('type', 3)) return { kind: 'alterSchema', table, change: schemaChange(p), pos };
  // OWNER TO: keel has no owners (every user of a data directory may change every table); accepted so dumps run
  if (p.isWord('owner') && p.isWord('to', 1)) {
    p.advance();
    p.advance();
    p.name();
    return { kind: 'ignored', command: 'ALTER TABLE', table, columns: [], pos };
  }
  if (t.kind === 'word' && ['owner', 'set', 'append', 'row'].includes(t.value)) {
    throw p.unsupported(`ALTER TABLE ... ${t.value.toUpperCase()}`);
  }
  const actions: ast.AlterAction[] = [];
  do {
    p.expectWord('alter');
    actions.push(alterAction(p));
  } while (p.acceptOp(','));
  return { kind: 'alterTable', table, actions, pos };
}

/** One change of the columns or the name; Redshift takes one per statement, and so does keel. */
function schemaChange(p: ParserCursor): ast.SchemaChange {
  const pos = p.tok.pos;
  let change: ast.SchemaChange;
  if (p.acceptWord('add')) {
    if (p.isWord('constraint') || p.isWord('primary') || p.isWord('unique') || p.isWord('foreign')) throw p.unsupported('ALTER TABLE ... ADD CONSTRAINT');
    p.acceptWord('column');
    change = addColumn(p, pos);
  } else if (p.acceptWord('drop')) {
    if (p.isWord('constraint')) throw p.unsupported('ALTER TABLE ... DROP CONSTRAINT');
    p.acceptWord('column');
    const column = p.name();
    const cascade = p.acceptWord('cascade');
    if (!cascade) p.acceptWord('restrict');
    change = { kind: 'dropColumn', column, cascade, pos };
  } else if (p.acceptWord('rename')) {
    if (p.acceptWord('column')) {
      const column = p.name();
      p.expectWord('to');
      change = { kind: 'renameColumn', column, to: p.name(), pos };
    } else {
      p.expectWord('to');
      change = { kind: 'renameTable', to: p.objectName(), pos };
    }
  } else {
    p.expectWord('alter');
    p.expectWord('column');
    const column = p.name();
    p.expectWord('type');
    const typePos = p.tok.pos;
    change = { kind: 'columnType', column, type: p.type(), typePos, pos };
  }
  if (p.isOp(',')) throw p.unsupported('more than one change in one ALTER TABLE ... ADD, DROP, RENAME or ALTER COLUMN ... TYPE (Redshift takes one)');
  return change;
}

/** c type [DEFAULT e] [ENCODE x] [NOT NULL | NULL], each at most once */
function addColumn(p: ParserCursor, pos: number): ast.SchemaChange {
  const name = p.name();
  const type = p.type();
  let def: ast.Expr | null = null;
  let encode: string | null = null;
  let notNull: boolean | null = null;
  for (;;) {
    const t = p.tok;
    const once = (seen: unknown, what: string): void => {
      if (seen !== null) throw p.error('SYNTAX', `${what} is specified more than once for column "${name.name}"`, t.pos);
    };
    if (p.acceptWord('default')) {
      once(def, 'DEFAULT');
      def = p.expr();
    } else if (p.acceptWord('encode')) {
      once(encode, 'ENCODE');
      const e = p.tok;
      if (e.kind !== 'word') throw p.expected('an encoding name');
      encode = p.sql.slice(e.pos, e.end).toUpperCase();
      p.advance();
    } else if (p.acceptWord('not')) {
      once(notNull, 'NULL/NOT NULL');
      p.expectWord('null');
      notNull = true;
    } else if (p.acceptWord('null')) {
      once(notNull, 'NULL/NOT NULL');
      notNull = false;
    } else if (t.kind === 'word' && ['distkey', 'sortkey', 'primary', 'unique', 'references', 'identity', 'generated', 'collate', 'check'].includes(t.value)) {
      throw p.unsupported(`${t.value.toUpperCase()} in ALTER TABLE ... ADD COLUMN`);
    } else {
      return { kind: 'addColumn', name, type, default: def, encode, notNull: notNull === true, pos };
    }
  }
}

function alterAction(p: ParserCursor): ast.AlterAction {
  const t = p.tok;
  const pos = t.pos;
  if (p.acceptWord('diststyle')) {
    const style = distStyleName(p);
    let distKey: ast.Ident | null = null;
    if (style === 'key') {
      p.expectWord('distkey');
      distKey = p.name();
    }
    return { kind: 'distStyle', style, distKey, pos };
  }
  if (p.acceptWord('distkey')) return { kind: 'distKey', column: p.name(), pos };
  // Redshift alters only to compound sort keys (INTERLEAVED is CREATE-only there); keel rewrites to either.
  if (p.isWord('sortkey') || p.isWord('compound') || p.isWord('interleaved')) {
    const style = p.acceptWord('interleaved') ? 'interleaved' : 'compound';
    const written = style === 'interleaved' || p.acceptWord('compound');
    p.expectWord('sortkey');
    if (!written && p.acceptWord('none')) return { kind: 'sortKey', style, columns: [], none: true, auto: false, pos };
    if (!written && p.acceptWord('auto')) return { kind: 'sortKey', style, columns: [], none: false, auto: true, pos };
    return { kind: 'sortKey', style, columns: p.nameList(), none: false, auto: false, pos };
  }
  if (p.acceptWord('column')) {
    const column = p.name();
    if (p.isWord('type')) throw p.unsupported('ALTER COLUMN ... TYPE beside other ALTER actions (Redshift takes it alone)');
    p.expectWord('encode');
    const e = p.tok;
    if (e.kind !== 'word') throw p.expected('an encoding name');
    p.advance();
    return { kind: 'encode', column, encoding: p.sql.slice(e.pos, e.end).toUpperCase(), pos };
  }
  if (p.acceptWord('encode')) {
    p.expectWord('auto');
    return { kind: 'encodeAuto', pos };
  }
  throw p.expected('DISTSTYLE, DISTKEY, SORTKEY, COLUMN or ENCODE');
}
