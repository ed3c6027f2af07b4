/**
 * engine/sql: SQL text to syntax tree. What other folders may use: the parse
 * entry points, identifier quoting for SQL they write, and the tree's types
 * (./ast.ts is the contract with the binder).
 */
export { parseStatements, parseStatement, parseExpression, type ParsedStatement } from './parser.js';
export { quoteIdentifier } from './lexer.js';
export type * from './ast.js';
