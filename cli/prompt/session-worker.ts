/**
 * The prompt's session thread: it holds the Database and runs what the main
 * thread asks (session.ts). Statements run here so that the main thread stays
 * free to read Ctrl-C while one runs: it then sets the statement's cancel flag
 * (shared memory), which this thread's executor (and the query's worker
 * threads) check per batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Database } from '../../index.js';
import { schemaDdl } from './schema.js';
import { toWire, type Reply, type Request, type WireResult } from './wire.js';
import type { QueryResult } from '../../engine/index.js';
import { databaseName } from '../../engine/catalog/schema-views.js';

const port = parentPort!;
const post = (r: Reply): void => port.postMessage(r);

function wireResult(r: QueryResult): WireResult {
  return { columns: r.columns, rows: r.rows(), textRows: r.textRows(), command: r.command, rowCount: r.rowCount, stats: r.stats, notice: r.notice };
}

let db!: Database;
let opened = false;
try {
  const { data, memoryLimit } = workerData as { data: string; memoryLimit?: number };
  db = await Database.open(data, { workloadLog: { source: 'cli' }, resultCache: true, ...(memoryLimit === undefined ? {} : { memoryLimit }) });
  opened = true;
  post({ type: 'open', dir: db.dir });
} catch (e) {
  // the main thread reports it (a bad path, a foreign directory) and ends the prompt; this thread ends with nothing to do
  post({ type: 'error', id: 0, error: toWire(e) });
  port.close();
}

async function handle(m: Request): Promise<void> {
  switch (m.type) {
    case 'run':
      await db.execute(m.sql, (r) => post({ type: 'result', id: m.id, result: wireResult(r) }), { cancel: m.cancel });
      post({ type: 'done', id: m.id });
      return;
    case 'schema':
      post({ type: 'done', id: m.id, text: schemaDdl(db.catalog(), m.name) });
      return;
    case 'info': {
      const c = db.catalog();
      const tables = Object.values(c.tables);
      post({
        type: 'done',
        id: m.id,
        info: {
          name: databaseName(db.dir),
          dir: db.dir,
          slices: c.slices,
          blockRows: c.blockRows,
          tables: tables.length,
          views: Object.keys(c.views).length,
          rows: tables.reduce((a, t) => a + t.rows, 0),
          bytes: tables.reduce((a, t) => a + t.segments.reduce((b, s) => b + s.bytes, 0), 0),
        },
      });
      return;
    }
    case 'close':
      return;
  }
}

if (opened) port.on('message', (m: Request) => {
  if (m.type === 'close') {
    try {
      db.close();
    } finally {
      port.close();
    }
    return;
  }
  handle(m).catch((e: unknown) => post({ type: 'error', id: m.id, error: toWire(e) }));
});
