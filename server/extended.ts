/**
 * The extended query protocol's state for one connection: prepared
 * statements and portals by name ('' is the unnamed one, which a new Parse or
 * Bind replaces), and what Parse, Bind, Describe and Close do to them. Execute
 * runs a query and sends rows, which the connection does (connection.ts): it
 * owns the socket and its flow control.
 *
 * A statement is parsed and bound (not run) at Parse, so its errors and its
 * parameter types come out there, as PostgreSQL's do. A portal runs its
 * statement at its first Execute, whole, and hands out its rows over as many
 * Executes as the row limits ask for (PortalSuspended between them).
 */
import type { ParamValue, QueryResult, ResultColumn, SqlType } from '../engine/index.js';
import { BinaryFormatError, hasBinary, readBinary } from './pg-binary.js';
import { oidOf, OID, paramType } from './pg-types.js';
import type { BindMessage, ParseMessage } from './protocol/frontend.js';
import { columnFormats, wireColumns, type WireColumns } from './result-rows.js';
import { FEATURE_NOT_SUPPORTED, PROTOCOL_VIOLATION } from './sqlstate.js';

/** What the extended protocol needs of the session: describing a statement without running it (Database.describePrepared). */
export interface Describer {
  describePrepared(sql: string, declared: readonly (SqlType | null)[]): { params: readonly (SqlType | null)[]; columns: readonly ResultColumn[] | null };
}

/** An error of the protocol's own objects (no such statement, wrong parameter count): an ErrorResponse with this SQLSTATE; the batch skips to Sync. */
export class WireError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** SQLSTATEs of the extended protocol's own errors. */
const DUPLICATE_PREPARED_STATEMENT = '42P05';
const INVALID_SQL_STATEMENT_NAME = '26000';
const INVALID_CURSOR_NAME = '34000';
const INVALID_BINARY_REPRESENTATION = '22P03';
const INVALID_PARAMETER_VALUE = '22023';

export interface Prepared {
  readonly sql: string;
  /** Per parameter: the keel type its text value is read as (null: untyped, typed by its context). */
  readonly declared: readonly (SqlType | null)[];
  /** Per parameter: the OID ParameterDescription reports and a binary value is read as (declared, else as its context types it, else text). */
  readonly oids: readonly number[];
  /** The result columns at Parse; null: no rows. */
  readonly columns: readonly ResultColumn[] | null;
}

/** A statement's results, once a portal has run it: the rows still to hand out. */
export interface Ran {
  readonly result: QueryResult | null;
  readonly rows: readonly (readonly (string | null)[])[];
  sent: number;
}

export interface Portal {
  readonly statement: Prepared;
  readonly params: readonly ParamValue[];
  /** The result columns with their formats, as of the Bind; null: no rows. */
  readonly wire: WireColumns | null;
  ran: Ran | null;
}

export class ExtendedState {
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();

  parse(host: Describer, m: ParseMessage): void {
    if (m.name !== '' && this.statements.has(m.name)) throw new WireError(DUPLICATE_PREPARED_STATEMENT, `prepared statement "${m.name}" already exists`);
    const declared = m.typeOids.map((oid, i) => {
      const t = paramType(oid);
      if (t === undefined) throw new WireError(FEATURE_NOT_SUPPORTED, `parameter $${i + 1} has type OID ${oid}, which keel does not have`);
      return t;
    });
    const d = host.describePrepared(m.sql, declared);
    const oids = d.params.map((t, i) => {
      const given = m.typeOids[i] ?? 0;
      if (given !== 0 && given !== OID.unknown) return given;
      return t ? oidOf(t) : OID.text;
    });
    this.statements.set(m.name, { sql: m.sql, declared: d.params.map((_, i) => declared[i] ?? null), oids, columns: d.columns });
  }

  bind(host: Describer, m: BindMessage): void {
    const s = this.statements.get(m.statement);
    if (!s) throw new WireError(INVALID_SQL_STATEMENT_NAME, `prepared statement "${m.statement}" does not exist`);
    if (m.portal !== '' && this.portals.has(m.portal)) throw new WireError(INVALID_CURSOR_NAME, `portal "${m.portal}" already exists`);
    if (m.values.length !== s.oids.length) {
      throw new WireError(PROTOCOL_VIOLATION, `bind message supplies ${m.values.length} parameters, but prepared statement "${m.statement}" requires ${s.oids.length}`);
    }
    for (const code of [...m.paramFormats, ...m.resultFormats]) if (code !== 0 && code !== 1) throw new WireError(INVALID_PARAMETER_VALUE, `unsupported format code: ${code}`);
    const formats = columnFormats(m.paramFormats, m.values.length);
    if (!formats) throw new WireError(PROTOCOL_VIOLATION, `bind message has ${m.paramFormats.length} parameter formats but ${m.values.length} parameters`);
    const params = m.values.map((v, i): ParamValue => {
      if (formats[i] === 0) return { type: s.declared[i]!, text: v === null ? null : v.toString('utf8') };
      const oid = s.oids[i]!;
      if (!hasBinary(oid)) throw new WireError(FEATURE_NOT_SUPPORTED, `parameter $${i + 1}: keel does not read type OID ${oid} in binary format`);
      // a binary value has the type its OID says, declared or inferred
      const type = paramType(oid) ?? null;
      if (v === null) return { type, text: null };
      try {
        return { type, text: readBinary(oid, v) };
      } catch (e) {
        if (e instanceof BinaryFormatError) throw new WireError(INVALID_BINARY_REPRESENTATION, `incorrect binary data format in bind parameter ${i + 1}: ${e.message}`);
        throw e;
      }
    });
    // described again: the catalog may have changed since the Parse of a named statement
    const columns = host.describePrepared(s.sql, params.map((p) => p.type)).columns;
    let wire: WireColumns | null = null;
    if (columns) {
      const out = columnFormats(m.resultFormats, columns.length);
      if (!out) throw new WireError(PROTOCOL_VIOLATION, `bind message has ${m.resultFormats.length} result formats but query has ${columns.length} columns`);
      wire = wireColumns(columns, out);
    }
    this.portals.set(m.portal, { statement: s, params, wire, ran: null });
  }

  statement(name: string): Prepared {
    const s = this.statements.get(name);
    if (!s) throw new WireError(INVALID_SQL_STATEMENT_NAME, `prepared statement "${name}" does not exist`);
    return s;
  }

  portal(name: string): Portal {
    const p = this.portals.get(name);
    if (!p) throw new WireError(INVALID_CURSOR_NAME, `portal "${name}" does not exist`);
    return p;
  }

  /** Close: closing one that does not exist is not an error (PostgreSQL's rule). */
  close(target: 'S' | 'P', name: string): void {
    if (target === 'S') this.statements.delete(name);
    else this.portals.delete(name);
  }

  /** A transaction ended (a Sync outside a block): its portals are gone, as PostgreSQL's non-holdable ones are. */
  endTransaction(): void {
    this.portals.clear();
  }

  /** A simple Query replaces the unnamed statement and portal. */
  dropUnnamed(): void {
    this.statements.delete('');
    this.portals.delete('');
  }
}
