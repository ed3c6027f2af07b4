/**
 * Parsing of the user statements, as Redshift writes them: CREATE USER,
 * ALTER USER, DROP USER, GRANT and REVOKE on tables. The options keel has no
 * meaning for (groups, VALID UNTIL, CONNECTION LIMIT, column and schema
 * privileges …) are refused, naming the option.
 */
import type * as ast from './ast.js';
import type { ParserCursor } from './parse-cursor.js';

/** Options of CREATE/ALTER USER that Redshift has and keel does not. */
const UNSUPPORTED_USER_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['createdb', 'CREATEDB'],
  ['syslog', 'SYSLOG ACCESS'],
  ['in', 'IN GROUP'],
  ['valid', 'VALID UNTIL'],
  ['connection', 'CONNECTION LIMIT'],
  ['session', 'SESSION TIMEOUT'],
  ['externalid', 'EXTERNALID'],
  ['reset', 'ALTER USER … RESET'],
  ['set', 'ALTER USER … SET'],
]);

// CREATE USER name [WITH] PASSWORD {'…' | DISABLE} [option …]; the cursor is on USER
export function createUser(p: ParserCursor, pos: number): ast.CreateUserStatement {
  p.expectWord('user');
  const name = p.name();
  p.acceptWord('with');
  if (!p.isWord('password')) throw p.expected('PASSWORD (Redshift requires one: a password, or PASSWORD DISABLE)');
  const options = userOptions(p);
  return { kind: 'createUser', name, password: options.password!, superuser: options.superuser, pos };
}

// ALTER USER name RENAME TO new | ALTER USER name [WITH] option …; the cursor is on USER
export function alterUser(p: ParserCursor, pos: number): ast.AlterUserStatement {
  p.expectWord('user');
  const name = p.name();
  if (p.acceptWord('rename')) {
    p.expectWord('to');
    return { kind: 'alterUser', name, change: { kind: 'rename', to: p.name() }, pos };
  }
  p.acceptWord('with');
  const options = userOptions(p);
  if (options.password === null && options.superuser === null) throw p.expected('PASSWORD, CREATEUSER, NOCREATEUSER or RENAME TO');
  return { kind: 'alterUser', name, change: { kind: 'options', ...options }, pos };
}

// DROP USER [IF EXISTS] name [, …]; the cursor is on USER
export function dropUser(p: ParserCursor, pos: number): ast.DropUserStatement {
  p.expectWord('user');
  let ifExists = false;
  if (p.acceptWord('if')) {
    p.expectWord('exists');
    ifExists = true;
  }
  const names: ast.Ident[] = [];
  do names.push(p.name());
  while (p.acceptOp(','));
  return { kind: 'dropUser', names, ifExists, pos };
}

function userOptions(p: ParserCursor): { password: ast.PasswordClause | null; superuser: boolean | null } {
  let password: ast.PasswordClause | null = null;
  let superuser: boolean | null = null;
  for (;;) {
    const t = p.tok;
    if (p.isWord('password')) {
      if (password) throw p.error('SYNTAX', 'conflicting or redundant options: PASSWORD given twice', t.pos);
      p.advance();
      if (p.acceptWord('disable')) password = { kind: 'disable' };
      else {
        const s = p.tok;
        if (s.kind !== 'string') throw p.expected("a password in quotes, or DISABLE");
        p.advance();
        password = { kind: 'text', value: s.value, pos: s.pos };
      }
    } else if (p.isWord('createuser') || p.isWord('nocreateuser')) {
      if (superuser !== null) throw p.error('SYNTAX', 'conflicting or redundant options: CREATEUSER or NOCREATEUSER given twice', t.pos);
      superuser = p.advance().value === 'createuser';
    } else if (p.isWord('nocreatedb')) {
      // keel has one database per directory and no CREATE DATABASE: NOCREATEDB is what every user is
      p.advance();
    } else if (t.kind === 'word' && UNSUPPORTED_USER_OPTIONS.has(t.value)) {
      throw p.unsupported(`the user option ${UNSUPPORTED_USER_OPTIONS.get(t.value)!}`);
    } else return { password, superuser };
  }
}

const PRIVILEGE_WORDS: ReadonlySet<string> = new Set(['select', 'insert', 'update', 'delete']);
/** Privileges of Redshift's GRANT that keel has no objects or checks for. */
const UNSUPPORTED_PRIVILEGES: ReadonlySet<string> = new Set(['references', 'alter', 'drop', 'truncate', 'create', 'temporary', 'temp', 'usage', 'execute', 'assumerole', 'trigger']);

// GRANT privileges ON [TABLE] t [, …] | ON ALL TABLES IN SCHEMA s [, …] TO grantee [, …]
// REVOKE [GRANT OPTION FOR] privileges ON … FROM grantee [, …] [RESTRICT | CASCADE]
export function grantStatement(p: ParserCursor): ast.GrantStatement {
  const first = p.advance();
  const revoke = first.value === 'revoke';
  if (revoke && p.isWord('grant') && p.isWord('option', 1)) throw p.unsupported('REVOKE GRANT OPTION FOR');
  const privileges = privilegeList(p);
  p.expectWord('on');
  let on: ast.GrantStatement['on'];
  if (p.isWord('all') && p.isWord('tables', 1)) {
    p.advance();
    p.advance();
    p.expectWord('in');
    p.expectWord('schema');
    const names: ast.Ident[] = [];
    do names.push(p.name());
    while (p.acceptOp(','));
    on = { kind: 'schemas', names };
  } else {
    const t = p.tok;
    if (t.kind === 'word' && ['schema', 'database', 'function', 'procedure', 'language', 'datashare', 'model'].includes(t.value)) {
      throw p.unsupported(`GRANT ON ${t.value.toUpperCase()}`);
    }
    p.acceptWord('table');
    const names: ast.Ident[] = [];
    do names.push(p.objectName());
    while (p.acceptOp(','));
    on = { kind: 'relations', names };
  }
  p.expectWord(revoke ? 'from' : 'to');
  const grantees: { name: ast.Ident | null; pos: number }[] = [];
  do {
    const t = p.tok;
    if (p.isWord('group') || p.isWord('role')) throw p.unsupported(`${t.value.toUpperCase()} grantees (keel has users, not groups or roles)`);
    if (p.acceptWord('public')) grantees.push({ name: null, pos: t.pos });
    else grantees.push({ name: p.name(), pos: t.pos });
  } while (p.acceptOp(','));
  if (!revoke && p.isWord('with') && p.isWord('grant', 1)) throw p.unsupported('WITH GRANT OPTION');
  if (revoke && p.isWord('cascade')) throw p.unsupported('REVOKE … CASCADE');
  if (revoke) p.acceptWord('restrict');
  return { kind: 'grant', revoke, privileges, on, grantees, pos: first.pos };
}

function privilegeList(p: ParserCursor): ast.TablePrivilege[] {
  if (p.acceptWord('all')) {
    p.acceptWord('privileges');
    return ['select', 'insert', 'update', 'delete'];
  }
  const out: ast.TablePrivilege[] = [];
  do {
    const t = p.tok;
    if (t.kind === 'word' && PRIVILEGE_WORDS.has(t.value)) {
      p.advance();
      if (p.isOp('(')) throw p.unsupported('column privileges');
      if (!out.includes(t.value as ast.TablePrivilege)) out.push(t.value as ast.TablePrivilege);
    } else if (t.kind === 'word' && UNSUPPORTED_PRIVILEGES.has(t.value)) throw p.unsupported(`the ${t.value.toUpperCase()} privilege`);
    else throw p.expected('SELECT, INSERT, UPDATE, DELETE or ALL');
  } while (p.acceptOp(','));
  return out;
}
