/**
 * The system table x::regclass looks relations up in (parser.ts
 * regclassLookup; catalog/pg-catalog.ts fills it): its name and its columns'
 * names are in parentheses, which no unquoted name can be, so a query's own
 * columns never shadow them.
 */
export const REGCLASS_TABLE = '(regclass)';
export const REGCLASS_OID = '(oid)';
export const REGCLASS_NAME = '(relname)';
