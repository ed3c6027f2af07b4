/**
 * 64 node-postgres clients run a mixed TPC-H stream (SF 0.01, keel's own
 * generator) against one server at the same time; every answer must be the
 * one a single client gets for the same query, value for value as text. The
 * stream covers the 22 queries, each several times with its own substitution
 * parameters (drawn as `keel gen workload tpch` draws them); kept to two
 * queries a client to stay short in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { tpchTables } from '../../engine/index.js';
import { PARAMETERS, Rng, tpchQuery } from '../../workload-log/tpch-workload.js';
import { startServer, TEST_PASSWORD, type TestServer } from './wire-client.js';

const CLIENTS = 64;
const PER_CLIENT = 2;
const SF = 0.01;

let env: TestServer;

/** Every value as the server sent it (text), so the comparison is of the wire's answers, not of parsed numbers. */
const asText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: env.server.port, user: 'alice', password: TEST_PASSWORD, database: 'keel', types: asText });
  await c.connect();
  return c;
}

async function rows(c: pg.Client, sql: string): Promise<unknown[][]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
}

/** Client i's queries: the 22 in turn across the clients, each with parameters drawn from its own seed. */
function stream(): string[][] {
  return Array.from({ length: CLIENTS }, (_, i) =>
    Array.from({ length: PER_CLIENT }, (_, k) => {
      const q = ((i * PER_CLIENT + k) % 22) + 1;
      return tpchQuery(q, PARAMETERS[q - 1]!(new Rng(i * PER_CLIENT + k), SF));
    }),
  );
}

beforeAll(async () => {
  env = await startServer();
  for (const t of tpchTables(SF, 1)) {
    await env.db.execute(t.ddl);
    await env.db.append(t.name, t.batches(), t.rows);
  }
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('64 concurrent clients', () => {
  it('get the answers one client gets, for a mixed TPC-H stream', async () => {
    const work = stream();
    // one client, one query at a time
    const single = await connect();
    const expected = new Map<string, unknown[][]>();
    try {
      for (const sql of new Set(work.flat())) expected.set(sql, await rows(single, sql));
    } finally {
      await single.end();
    }
    // every client connected at once, then all streams run together
    const clients = await Promise.all(work.map(() => connect()));
    try {
      const answers = await Promise.all(
        clients.map(async (c, i) => {
          const got: unknown[][][] = [];
          for (const sql of work[i]!) got.push(await rows(c, sql));
          return got;
        }),
      );
      let compared = 0;
      answers.forEach((got, i) =>
        got.forEach((r, k) => {
          expect(r, `client ${i}, query ${k}`).toEqual(expected.get(work[i]![k]!));
          compared++;
        }),
      );
      expect(compared).toBe(CLIENTS * PER_CLIENT);
      // the stream is not trivial: most answers have rows
      expect([...expected.values()].filter((r) => r.length > 0).length).toBeGreaterThan(expected.size / 2);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  }, 300_000);
});
