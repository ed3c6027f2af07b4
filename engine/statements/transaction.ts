/**
 * Transaction blocks, as Redshift runs them. Outside a block every statement
 * is its own transaction (it commits through Store.change). BEGIN opens a
 * block on the session (a Database handle):
 *
 * - Reads see one snapshot: the committed catalog at the block's first
 *   statement, plus the block's own changes.
 * - The first change takes the writer lock (Store.begin) and keeps it to the
 *   end, so one writing transaction runs at a time, across processes; others
 *   wait up to the store's lockWaitMs and fail LOCKED. If another transaction
 *   committed after this block's snapshot was taken, the first change fails
 *   SERIALIZATION (Redshift's serializable isolation violation): writing on a
 *   stale snapshot could lose that commit's rows.
 * - COMMIT / END writes every change with one catalog write; ROLLBACK / ABORT
 *   removes what the block wrote.
 * - A statement that fails aborts the block: its changes are rolled back at
 *   once (the lock is released) and every later statement fails
 *   TRANSACTION_ABORTED until ROLLBACK, or COMMIT / END, which roll back.
 * - TRUNCATE commits the block it runs in, itself included (Redshift's rule).
 *
 * An implicit block (beginImplicit) is what PostgreSQL's extended query
 * protocol runs a batch in: the statements executed up to the client's Sync
 * commit together there (endImplicit), and a failing one rolls them all back.
 * An explicit BEGIN inside it turns it into an ordinary block, statements
 * before it included; COMMIT or ROLLBACK inside it ends it with PostgreSQL's
 * warning. A statement that cannot run in a block (VACUUM) runs on its own
 * when it is the implicit block's first, as PostgreSQL runs one sent first
 * in a batch (standalone()). A simple-protocol Query of several statements
 * runs in an implicit block too (beginImplicit(false)): there, as in
 * PostgreSQL, no statement may run on its own, the first included.
 */
import { randomUUID } from 'node:crypto';
import { KeelError } from '../errors.js';
import type * as ast from '../sql/ast.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Commit, Store, WriteTransaction } from '../storage/store.js';
import { done, type StatementOutcome } from './outcome.js';

type State =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'open';
      readonly id: string;
      readonly readOnly: boolean;
      snapshot: Catalog | null;
      write: WriteTransaction | null;
      implicit: boolean;
      statements: number;
      /** An implicit block whose first statement may run on its own (standalone): the extended protocol's batch, not a Query message's script. */
      readonly firstAlone: boolean;
    }
  | { readonly kind: 'aborted'; readonly id: string; readonly implicit: boolean };

export const ABORTED_MESSAGE = 'current transaction is aborted, commands ignored until end of transaction block';

export class TransactionBlock {
  private state: State = { kind: 'none' };

  constructor(private readonly store: Store) {}

  /** Whether a block is open and usable, open after an error (only ROLLBACK or COMMIT can end it), or not open: PostgreSQL's ReadyForQuery status. */
  get status(): 'none' | 'open' | 'aborted' {
    return this.state.kind;
  }

  /** Whether a block is open (aborted or not): statements belong to it. */
  get inBlock(): boolean {
    return this.state.kind !== 'none';
  }

  /**
   * Whether the open block has changed something: its catalog names files
   * that are not committed. Queries then run on the calling thread, whose
   * segment cache a rollback clears; worker threads cache files by name, and
   * a rolled-back file's name is given out again by the next change.
   */
  get writing(): boolean {
    return this.state.kind === 'open' && this.state.write !== null;
  }

  /** The open block's transaction id (shared by the query records of its statements); null outside a block. */
  id(): string | null {
    return this.state.kind === 'none' ? null : this.state.id;
  }

  /** What a statement reads: the committed catalog, or in a block its snapshot with its own changes. */
  catalog(): Catalog {
    const s = this.state;
    if (s.kind !== 'open') return this.store.catalog();
    if (s.write) return s.write.catalog;
    return (s.snapshot ??= this.store.catalog());
  }

  /** Runs a change: on its own (committed at once) outside a block, else inside the block's write transaction. */
  async change<T>(change: (catalog: Catalog) => Promise<Commit & { result: T }> | (Commit & { result: T })): Promise<T> {
    const s = this.state;
    if (s.kind !== 'open') return this.store.change(change);
    if (s.readOnly) throw new KeelError('UNSUPPORTED', 'cannot change data in a READ ONLY transaction');
    if (!s.write) {
      const write = await this.store.begin();
      if (s.snapshot && s.snapshot.generation !== write.base.generation) {
        this.store.rollback(write);
        throw new KeelError(
          'SERIALIZATION',
          'serializable isolation violation: another transaction committed since this transaction took its snapshot; ROLLBACK and run it again',
        );
      }
      s.write = write;
    }
    return this.store.changeIn(s.write, change);
  }

  /** Refuses a statement in an aborted block, unless it ends the block; counts the statements of an implicit block (see standalone). */
  checkRunnable(statement: ast.Statement): void {
    if (this.state.kind === 'aborted' && !(statement.kind === 'transaction' && statement.action !== 'begin')) {
      throw new KeelError('TRANSACTION_ABORTED', ABORTED_MESSAGE);
    }
    if (this.state.kind === 'open' && this.state.implicit) this.state.statements++;
  }

  /**
   * Opens an implicit block, unless a block is open: for the statements of
   * one extended-protocol batch (firstAlone: its first statement may run on
   * its own), or of a Query message's script (not).
   */
  beginImplicit(firstAlone = true): void {
    if (this.state.kind !== 'none') return;
    this.state = { kind: 'open', id: randomUUID(), readOnly: false, snapshot: null, write: null, implicit: true, statements: 0, firstAlone };
  }

  /** The implicit block's statements failed or were cancelled: an open implicit block is rolled back, an aborted one ended; an explicit block stays as it is. */
  abortImplicit(): void {
    const s = this.state;
    if (s.kind === 'open' && s.implicit) this.rollback();
    else if (s.kind === 'aborted' && s.implicit) this.state = { kind: 'none' };
  }

  /** The batch ended (Sync): an implicit block commits, or ends if a statement failed; an explicit block stays open. */
  endImplicit(): void {
    const s = this.state;
    if (s.kind === 'open' && s.implicit) this.commit();
    else if (s.kind === 'aborted' && s.implicit) this.state = { kind: 'none' };
  }

  /**
   * Asked by a statement that must commit on its own (VACUUM, ANALYZE, ALTER
   * COLUMN ... TYPE): whether it may run here. Not inside a block, except as
   * the first statement of an implicit block, which then ends (it holds
   * nothing yet) so that the statement runs on its own.
   */
  standalone(): boolean {
    const s = this.state;
    if (s.kind === 'none') return true;
    if (s.kind === 'open' && s.implicit && s.firstAlone && s.statements <= 1 && s.write === null) {
      this.state = { kind: 'none' };
      return true;
    }
    return false;
  }

  /** A statement in the block failed: the block is aborted, its changes undone now. */
  fail(): void {
    const s = this.state;
    if (s.kind !== 'open') return;
    if (s.write) this.store.rollback(s.write);
    this.state = { kind: 'aborted', id: s.id, implicit: s.implicit };
  }

  /** Runs BEGIN, COMMIT or ROLLBACK; the outcome's notice is Redshift's warning for one that has nothing to do. */
  run(s: ast.TransactionStatement, t0: number): StatementOutcome {
    switch (s.action) {
      case 'begin':
        // BEGIN in an implicit block makes it explicit, with what it ran so far (PostgreSQL's rule)
        if (this.state.kind === 'open' && this.state.implicit) {
          this.state = { ...this.state, implicit: false, readOnly: s.readOnly };
          return done('BEGIN', t0);
        }
        if (this.state.kind !== 'none') return { ...done('BEGIN', t0), notice: 'there is already a transaction in progress' };
        this.state = { kind: 'open', id: randomUUID(), readOnly: s.readOnly, snapshot: null, write: null, implicit: false, statements: 0, firstAlone: false };
        return done('BEGIN', t0);
      case 'commit':
        if (this.state.kind === 'none') return { ...done('COMMIT', t0), notice: 'there is no transaction in progress' };
        // COMMIT of an aborted block rolls it back, and says so
        if (this.state.kind === 'aborted') return this.run({ ...s, action: 'rollback' }, t0);
        // in an implicit block, COMMIT commits what ran before it and warns that no BEGIN opened it (PostgreSQL's rule)
        if (this.state.implicit) {
          this.commit();
          return { ...done('COMMIT', t0), notice: 'there is no transaction in progress' };
        }
        this.commit();
        return done('COMMIT', t0);
      case 'rollback':
        if (this.state.kind === 'none') return { ...done('ROLLBACK', t0), notice: 'there is no transaction in progress' };
        if (this.state.implicit) {
          this.rollback();
          return { ...done('ROLLBACK', t0), notice: 'there is no transaction in progress' };
        }
        this.rollback();
        return done('ROLLBACK', t0);
    }
  }

  /** Commits the block's changes (nothing to write for a block that only read) and ends it. */
  commit(): void {
    const s = this.state;
    if (s.kind !== 'open') return;
    this.state = { kind: 'none' };
    if (s.write) this.store.commit(s.write);
  }

  /** Ends the block, undoing its changes (what a closing Database does with an open block). */
  rollback(): void {
    const s = this.state;
    this.state = { kind: 'none' };
    if (s.kind === 'open' && s.write) this.store.rollback(s.write);
  }
}
