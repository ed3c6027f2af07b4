/**
 * The system tables x::regclass and pg_table_size(x) look relations up in looks relations up in (parser.ts
 * regclassLookup; catalog/pg-catalog.ts fills it): its name and its columns'
 * names are in parentheses, which no unquoted name can be, so a query's own
 * columns never shadow them.
 */
export const REGCLASS_TABLE = '(regclass)';
export const REGCLASS_OID = '(oid)';
export const REGCLASS_NAME = '(relname)';
/** Per relation: REGCLASS_OID and its size in bytes (a view's is 0), for pg_table_size and its kin (parser.ts catalogLookup). */
export const RELSIZE_TABLE = '(relsize)';
export const RELSIZE_BYTES = '(bytes)';
