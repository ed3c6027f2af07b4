/**
 * A test double of the server's QueryHost: the statement "wait" runs until its
 * signal aborts, as the engine's statements do once they see the abort
 * (ExecError CANCELLED); any other statement returns one row of one integer
 * column holding its length. `aborted` counts the aborts seen. Tests that
 * cancel or time out a statement use it so that what they wait for is the
 * outcome, never a time (docs/server.md, "Cancelling").
 */
import { ExecError, type ExecuteOptions, type QueryResult } from '../../engine/index.js';

export function waitingHost(settings: { timeZone: string; statementTimeoutMs?: number; idleSessionTimeoutMs?: number } = { timeZone: 'UTC' }) {
  const host = {
    aborted: 0,
    settings,
    transaction: { status: 'none' as const },
    beginImplicitTransaction: () => {},
    endImplicitTransaction: () => {},
    close: () => {},
    describePrepared: () => ({ params: [], columns: [{ name: 'len', type: 'integer' }] }),
    async execute(sql: string, onResult: (r: QueryResult) => void, options: ExecuteOptions): Promise<QueryResult[]> {
      if (sql === 'wait') {
        await new Promise<void>((_, reject) =>
          options.signal!.addEventListener('abort', () => {
            host.aborted++;
            reject(new ExecError('CANCELLED', 'the statement was cancelled'));
          }),
        );
      }
      const r = {
        table: undefined as never,
        columns: [{ name: 'len', type: 'integer' }],
        stats: undefined as never,
        command: 'SELECT',
        rowCount: 1,
        notice: null,
        copyOut: null,
        rows: () => [[sql.length]],
        textRows: () => [[String(sql.length)]],
      } satisfies QueryResult;
      onResult(r);
      return [r];
    },
  };
  return host;
}
