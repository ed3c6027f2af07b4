/**
 * SQLSTATE codes (PostgreSQL Appendix A, "Error Codes") for keel's error
 * codes, so that drivers classify keel's errors as they do PostgreSQL's.
 */
import type { ErrorCode } from '../engine/index.js';

const SQLSTATES: Record<ErrorCode, string> = {
  SYNTAX: '42601', // syntax_error
  UNKNOWN_TABLE: '42P01', // undefined_table
  UNKNOWN_COLUMN: '42703', // undefined_column
  AMBIGUOUS_COLUMN: '42702', // ambiguous_column
  TYPE_MISMATCH: '42804', // datatype_mismatch
  DUPLICATE_OBJECT: '42710', // duplicate_object
  INVALID_DDL: '42P16', // invalid_table_definition
  DEPENDENT_OBJECTS: '2BP01', // dependent_objects_still_exist
  TRANSACTION_ABORTED: '25P02', // in_failed_sql_transaction
  SERIALIZATION: '40001', // serialization_failure
  UNSUPPORTED: '0A000', // feature_not_supported
  UNDEFINED_PARAMETER: '42P02', // undefined_parameter
  STATS_ONLY: '55000', // object_not_in_prerequisite_state: the table's rows are not here
  TOO_COMPLEX: '54001', // statement_too_complex
  UNKNOWN_USER: '42704', // undefined_object
  INSUFFICIENT_PRIVILEGE: '42501', // insufficient_privilege
  DIVISION_BY_ZERO: '22012', // division_by_zero
  OVERFLOW: '22003', // numeric_value_out_of_range
  INVALID_VALUE: '22000', // data_exception (bad casts, bad arguments: keel does not tell them apart)
  CARDINALITY: '21000', // cardinality_violation
  CANCELLED: '57014', // query_canceled
  MEMORY_LIMIT: '53200', // out_of_memory
  LOAD_FORMAT: '22P04', // bad_copy_file_format
  LOAD_VALUE: '22P02', // invalid_text_representation
  FILE_NOT_FOUND: '58P01', // undefined_file
  NOT_A_DATA_DIR: '58000', // system_error
  CORRUPT: 'XX001', // data_corrupted
  VERSION: '58000', // system_error
  LOCKED: '55P03', // lock_not_available
  IO: '58030', // io_error
  CONFLICT: '40001', // serialization_failure: the statement may be retried
  ABORTED: '57000', // operator_intervention
  USAGE: '22023', // invalid_parameter_value
};

export function sqlstateOf(code: ErrorCode): string {
  return SQLSTATES[code];
}

/** Codes the server itself raises. */
export const PROTOCOL_VIOLATION = '08P01';
export const INTERNAL_ERROR = 'XX000';
export const FEATURE_NOT_SUPPORTED = '0A000';
export const INVALID_PASSWORD = '28P01';
export const INVALID_AUTHORIZATION = '28000';
export const QUERY_CANCELED = '57014';
/** A startup over the server's connection limit (keel serve --max-connections). */
export const TOO_MANY_CONNECTIONS = '53300';
/** A connection closed for being idle longer than idle_session_timeout (PostgreSQL 14's code). */
export const IDLE_SESSION_TIMEOUT = '57P05';
/** A statement that had nothing to do (COMMIT with no transaction): PostgreSQL's WARNING class. */
export const WARNING = '01000';
