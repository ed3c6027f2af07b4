/**
 * PostgreSQL's system information functions, the ones psql's backslash
 * commands, drivers and BI connectors call on the pg_catalog views
 * (catalog/pg-catalog.ts): pg_get_userbyid, pg_table_is_visible,
 * format_type, pg_get_expr, obj_description, col_description,
 * pg_encoding_to_char, array_to_string, current_schema and version. They
 * answer from keel's model: one owner, one schema (public), no comments.
 * Written `pg_catalog.name(...)` they are the same functions.
 */
import { fnCall } from '../plan/expr.js';
import { BOOLEAN, VARCHAR, lit } from '../plan/coerce.js';
import { formatTypeOid, OWNER_NAME, OWNER_OID, PG_VERSION_TEXT, PUBLIC_SCHEMA as SCHEMA, UTF8_ENCODING } from '../catalog/pg-types.js';
import { invalid } from '../exec/runtime.js';
import type { Family } from './types.js';

/** PostgreSQL's pg_get_userbyid: the owner's name, or "unknown (OID=n)" for an id that names no user. */
export function userById(oid: number): string {
  return oid === OWNER_OID ? OWNER_NAME : `unknown (OID=${oid})`;
}

/**
 * The elements of an array in PostgreSQL's text form ({a,b,"c d",NULL}),
 * NULL elements as null: keel's catalog views hold arrays this way (there is
 * no array type), and array_to_string reads them.
 */
export function arrayElements(text: string): (string | null)[] {
  const s = text.trim();
  if (s.length < 2 || s[0] !== '{' || s[s.length - 1] !== '}') invalid(`malformed array literal: "${text}"`);
  const out: (string | null)[] = [];
  let i = 1;
  const end = s.length - 1;
  if (s.slice(1, end).trim() === '') return out;
  while (i <= end) {
    while (s[i] === ' ') i++;
    let value = '';
    let quoted = false;
    if (s[i] === '"') {
      quoted = true;
      i++;
      while (i < end && s[i] !== '"') {
        if (s[i] === '\\') i++;
        value += s[i++];
      }
      if (s[i] !== '"') invalid(`malformed array literal: "${text}"`);
      i++;
    } else {
      while (i < end && s[i] !== ',') {
        if (s[i] === '\\') i++;
        value += s[i++];
      }
      value = value.trim();
    }
    while (s[i] === ' ') i++;
    out.push(!quoted && value.toUpperCase() === 'NULL' ? null : value);
    if (s[i] === ',') i++;
    else if (i !== end) invalid(`malformed array literal: "${text}"`);
    else break;
  }
  return out;
}

/** array_to_string: the elements joined by the separator; NULL elements left out, or written as `nullText` when it is given. */
export function arrayToString(text: string, separator: string, nullText: string | null): string {
  const parts: string[] = [];
  for (const e of arrayElements(text)) {
    if (e !== null) parts.push(e);
    else if (nullText !== null) parts.push(nullText);
  }
  return parts.join(separator);
}

/**
 * PostgreSQL's pg_size_pretty(bigint), step for step (utils/adt/dbsize.c):
 * below 10240 bytes "n bytes"; else the size shifted right 9 bits (one bit
 * kept for rounding) and 10 more per unit while it is 20479 or more, then
 * halved rounding half away from zero, in kB, MB, GB, TB or PB.
 */
export function sizePretty(bytes: number): string {
  if (Math.abs(bytes) < 10 * 1024) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let size = Math.floor(bytes / 512);
  let u = 0;
  while (Math.abs(size) >= 20 * 1024 - 1 && u < units.length - 1) {
    size = Math.floor(size / 1024);
    u++;
  }
  // C's integer division truncates toward zero
  return `${Math.trunc((size + (size < 0 ? -1 : 1)) / 2)} ${units[u]}`;
}

export const PG_CATALOG_FUNCTIONS: Family = {
  name: 'PostgreSQL catalog',
  functions: [
    {
      names: ['pg_get_userbyid'],
      syntax: ['PG_GET_USERBYID(oid)'],
      returns: 'VARCHAR',
      doc: `the name of the user with that OID: ${OWNER_NAME} for ${OWNER_OID}, the owner of everything in the pg_catalog views; unknown (OID=n) for any other`,
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        return fnCall('pg_get_userbyid', [b.int(0, 'oid')], { id: 'varchar', length: 128 });
      },
      compile: (c) => `${c.target} = ${c.constant(userById)}(${c.args[0]});`,
    },
    {
      names: ['pg_table_is_visible'],
      syntax: ['PG_TABLE_IS_VISIBLE(oid)'],
      returns: 'BOOLEAN',
      doc: 'whether the relation is found by its unqualified name: always true, as keel has one schema on the search path',
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        return fnCall('pg_table_is_visible', [b.int(0, 'oid')], BOOLEAN);
      },
      compile: (c) => `${c.target} = 1;`,
    },
    {
      names: ['format_type'],
      syntax: ['FORMAT_TYPE(type_oid, typmod)'],
      returns: 'VARCHAR',
      doc: "the SQL name of the type with that OID and modifier (pg_attribute's atttypid and atttypmod): character varying(20), numeric(12,2); ??? for an OID that is not one of keel's types; a NULL modifier is none",
      nulls: 'own',
      bind(b) {
        b.argc(2);
        return fnCall('format_type', [b.int(0, 'type_oid'), b.int(1, 'typmod')], { id: 'varchar', length: 128 });
      },
      compile: (c) =>
        `if (${c.nulls[0]}) ${c.isNull} = true; else { ${c.isNull} = false; ${c.target} = ${c.constant(formatTypeOid)}(${c.args[0]}, ${c.nulls[1]} ? null : ${c.args[1]}); }`,
    },
    {
      names: ['pg_get_expr'],
      syntax: ['PG_GET_EXPR(expr_text, relation_oid [, pretty])'],
      returns: 'VARCHAR',
      doc: "an expression of the catalog as SQL text: pg_attrdef's adbin is that text already (a column's DEFAULT as PostgreSQL prints it), so it is returned as it is",
      nulls: 'strict',
      bind(b) {
        b.argc(2, 3);
        b.int(1, 'relation_oid');
        if (b.count === 3) b.arg(2);
        return b.str(0);
      },
    },
    {
      names: ['obj_description', 'col_description', 'shobj_description'],
      syntax: ['OBJ_DESCRIPTION(oid [, catalog])', 'COL_DESCRIPTION(table_oid, column_number)', 'SHOBJ_DESCRIPTION(oid, catalog)'],
      returns: 'VARCHAR',
      doc: 'the comment on an object: always NULL, as keel keeps no comments (COMMENT ON is accepted and ignored)',
      nulls: 'strict',
      bind(b) {
        b.argc(1, 2);
        for (let i = 0; i < b.count; i++) b.arg(i);
        return lit(null, VARCHAR);
      },
    },
    {
      names: ['pg_function_is_visible'],
      syntax: ['PG_FUNCTION_IS_VISIBLE(oid)'],
      returns: 'BOOLEAN',
      doc: 'whether the function is found by its unqualified name: always true, as keel has one schema on the search path',
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        return fnCall('pg_function_is_visible', [b.int(0, 'oid')], BOOLEAN);
      },
      compile: (c) => `${c.target} = 1;`,
    },
    {
      names: ['pg_get_function_result', 'pg_get_function_arguments', 'pg_get_function_identity_arguments'],
      syntax: ['PG_GET_FUNCTION_RESULT(oid)', 'PG_GET_FUNCTION_ARGUMENTS(oid)', 'PG_GET_FUNCTION_IDENTITY_ARGUMENTS(oid)'],
      returns: 'VARCHAR',
      doc: "a function's result type or argument list (pg_proc's): always NULL, as keel has no user-defined functions and pg_proc no rows",
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        b.int(0, 'oid');
        return lit(null, VARCHAR);
      },
    },
    {
      names: ['pg_encoding_to_char'],
      syntax: ['PG_ENCODING_TO_CHAR(encoding)'],
      returns: 'VARCHAR',
      doc: `the name of an encoding number (pg_database's encoding): UTF8 for ${UTF8_ENCODING}, the only one keel has; an empty string for any other, as PostgreSQL answers an unknown number`,
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        return fnCall('pg_encoding_to_char', [b.int(0, 'encoding')], { id: 'varchar', length: 16 });
      },
      compile: (c) => `${c.target} = ${c.args[0]} === ${UTF8_ENCODING} ? 'UTF8' : '';`,
    },
    {
      names: ['array_to_string'],
      syntax: ['ARRAY_TO_STRING(array, separator [, null_string])'],
      returns: 'VARCHAR',
      doc: "the array's elements joined by the separator, NULL elements left out (or written as null_string). keel has no array type: the array is its PostgreSQL text form, {a,b,\"c d\"}, as the pg_catalog views' array columns hold it; a malformed one is INVALID_VALUE",
      nulls: 'own',
      bind(b) {
        b.argc(2, 3);
        const args = [b.str(0), b.str(1)];
        if (b.count === 3) args.push(b.str(2));
        return fnCall('array_to_string', args, VARCHAR);
      },
      compile: (c) => {
        const nullText = c.args.length === 3 ? `${c.nulls[2]} ? null : ${c.args[2]}` : 'null';
        return `if (${c.nulls[0]} || ${c.nulls[1]}) ${c.isNull} = true; else { ${c.isNull} = false; ${c.target} = ${c.constant(arrayToString)}(${c.args[0]}, ${c.args[1]}, ${nullText}); }`;
      },
    },
    {
      names: ['pg_size_pretty'],
      syntax: ['PG_SIZE_PRETTY(bytes)'],
      returns: 'VARCHAR',
      doc: 'a size in bytes for people to read: 9216 bytes, 12 kB, 35 MB (units of 1024, from 10 of the unit on, rounded half away from zero), as in PostgreSQL',
      nulls: 'strict',
      bind(b) {
        b.argc(1);
        return fnCall('pg_size_pretty', [b.int(0, 'bytes')], { id: 'varchar', length: 32 });
      },
      compile: (c) => `${c.target} = ${c.constant(sizePretty)}(${c.args[0]});`,
    },
    {
      names: ['current_schema'],
      syntax: ['CURRENT_SCHEMA()'],
      returns: 'VARCHAR',
      doc: `the schema unqualified names are created in: ${SCHEMA}, keel's one schema`,
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(SCHEMA, { id: 'varchar', length: 128 });
      },
    },
    {
      names: ['current_user', 'session_user'],
      syntax: ['CURRENT_USER', 'SESSION_USER'],
      returns: 'VARCHAR',
      doc: `the user the session acts as: the one who logged in (keel serve), or ${OWNER_NAME}, the data directory's owner, for a local session; the two are the same, as keel has no SET ROLE`,
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(b.sessionUser ?? OWNER_NAME, { id: 'varchar', length: 128 });
      },
    },
    {
      names: ['version'],
      syntax: ['VERSION()'],
      returns: 'VARCHAR',
      doc: `the server's version text, as PostgreSQL and Redshift word it: ${PG_VERSION_TEXT}`,
      nulls: 'strict',
      bind(b) {
        b.argc(0);
        return lit(PG_VERSION_TEXT, { id: 'varchar', length: 256 });
      },
    },
  ],
};
