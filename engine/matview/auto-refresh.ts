/**
 * AUTO REFRESH YES: after a statement of a session commits a change to a base
 * table of such a view, the view is refreshed in the background, in this
 * process, once the statement has returned (setImmediate): the caller does not
 * wait for it. Each refresh is an ordinary one (incremental where it can be),
 * logged with trigger 'auto' (svl_mv_refresh_status.refresh_type 'Auto'), and
 * commits on its own, never as part of the session's transaction block: while
 * a block is open nothing is refreshed, and the statement that ends it looks
 * again. Statements that arrive meanwhile wait for a running refresh's commit
 * like for any other writer's. Changes made by other processes are picked up
 * at this session's next statement.
 *
 * A refresh that fails leaves the view stale (a later statement tries again)
 * and is reported once per view and message, as a process warning.
 */
import type { Catalog } from '../catalog/catalog.js';
import { materializedViews } from '../catalog/catalog.js';
import { isFresh } from './refresh.js';
import { newCancelFlag, setCancelled, type CancelFlag } from '../exec/cancel.js';

/** What the refresher needs of its session. */
export interface AutoRefreshHost {
  /** The latest committed catalog. */
  committed(): Catalog;
  /** Whether the session has a transaction block open (its changes are not committed). */
  inBlock(): boolean;
  /** Refreshes one view in a catalog change of its own; `cancel` is set when the session closes. */
  refresh(name: string, cancel: CancelFlag): Promise<unknown>;
}

export class AutoRefresher {
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly warned = new Set<string>();
  private readonly cancel = newCancelFlag();

  constructor(private readonly host: AutoRefreshHost) {}

  /** After a statement: starts refreshing, in the background, each AUTO REFRESH YES view a committed change left stale. */
  poke(): void {
    if (this.closed || this.host.inBlock()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // called after every statement, failed ones too: reading the catalog must not replace the statement's own outcome
    try {
      if (this.stale().length === 0) return;
    } catch (e) {
      this.warn('automatic refresh of materialized views could not read the catalog', e);
      return;
    }
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .catch((e: unknown) => this.warn('automatic refresh of materialized views could not read the catalog', e))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Resolves once no background refresh is running or due. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No refresh starts after this; one under way is cancelled and does not commit. */
  close(): void {
    this.closed = true;
    setCancelled(this.cancel);
  }

  private stale(): string[] {
    const catalog = this.host.committed();
    return Object.values(materializedViews(catalog))
      .filter((v) => v.autoRefresh && !isFresh(v, catalog))
      .map((v) => v.name)
      .sort();
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    for (const name of this.stale()) {
      if (this.closed || this.host.inBlock()) return;
      try {
        await this.host.refresh(name, this.cancel);
      } catch (e) {
        this.warn(`automatic refresh of materialized view ${name} failed; it stays stale until a later refresh`, e);
      }
    }
  }

  /** Once per message, and not after close (a refresh cut short by it is no failure). */
  private warn(what: string, e: unknown): void {
    if (this.closed) return;
    const message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    if (this.warned.has(message)) return;
    this.warned.add(message);
    process.emitWarning(message, { code: 'KEEL_MV_AUTO_REFRESH' });
  }
}
