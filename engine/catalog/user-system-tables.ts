/**
 * The users as PostgreSQL's and Redshift's catalogs show them: pg_user,
 * pg_roles (what psql's \du reads) and pg_auth_members (empty: keel has no
 * groups or roles). Passwords never show: pg_user.passwd and
 * pg_roles.rolpassword read '********', as in PostgreSQL.
 */
import { rowsTable, type SystemTable } from './system-tables.js';
import { usersOf } from './users.js';

const NAME = { id: 'varchar', length: 128 } as const;
const INTEGER = { id: 'integer' } as const;
const BOOLEAN = { id: 'boolean' } as const;
const TIMESTAMP = { id: 'timestamp' } as const;
const MASKED = '********';
/** Booleans are 0 or 1 in physical form. */
const b = (x: boolean): number => (x ? 1 : 0);

export function userSystemTables(): SystemTable[] {
  return [
    rowsTable(
      'pg_user',
      [
        { name: 'usename', type: NAME },
        { name: 'usesysid', type: INTEGER },
        { name: 'usecreatedb', type: BOOLEAN },
        { name: 'usesuper', type: BOOLEAN },
        { name: 'usecatupd', type: BOOLEAN },
        { name: 'passwd', type: NAME },
        { name: 'valuntil', type: TIMESTAMP },
      ],
      (catalog) => users(catalog).map((u) => [u.name, u.id, 0, b(u.superuser), b(u.superuser), MASKED, null]),
    ),
    rowsTable(
      'pg_roles',
      [
        { name: 'rolname', type: NAME },
        { name: 'rolsuper', type: BOOLEAN },
        { name: 'rolinherit', type: BOOLEAN },
        { name: 'rolcreaterole', type: BOOLEAN },
        { name: 'rolcreatedb', type: BOOLEAN },
        { name: 'rolcanlogin', type: BOOLEAN },
        { name: 'rolreplication', type: BOOLEAN },
        { name: 'rolconnlimit', type: INTEGER },
        { name: 'rolpassword', type: NAME },
        { name: 'rolvaliduntil', type: TIMESTAMP },
        { name: 'rolbypassrls', type: BOOLEAN },
        { name: 'oid', type: INTEGER },
      ],
      // a user with PASSWORD DISABLE cannot log in
      (catalog) => users(catalog).map((u) => [u.name, b(u.superuser), 1, b(u.superuser), 0, b(u.password !== null), 0, -1, MASKED, null, b(u.superuser), u.id]),
    ),
    rowsTable(
      'pg_auth_members',
      [
        { name: 'roleid', type: INTEGER },
        { name: 'member', type: INTEGER },
        { name: 'grantor', type: INTEGER },
        { name: 'admin_option', type: BOOLEAN },
      ],
      () => [],
    ),
  ];
}

function users(catalog: Parameters<typeof usersOf>[0]) {
  return Object.values(usersOf(catalog)).sort((a, b) => a.id - b.id);
}
