/** What the CLI tests share: running the built `keel` (bin/keel.js; `npm run build` first) in a child process. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const KEEL_BIN = path.resolve(__dirname, '../../bin/keel.js');

export interface KeelRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `keel args` to its end in `cwd`, with `input` on standard input; a timeout kills it (code -1). */
export function runKeel(args: readonly string[], options: { readonly cwd: string; readonly input?: string; readonly timeout?: number }): KeelRun {
  const r = spawnSync(process.execPath, [KEEL_BIN, ...args], { encoding: 'utf8', cwd: options.cwd, input: options.input, timeout: options.timeout });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A SQL script for the advisor's CLI tests: a fact table f joined to a
 * dimension d on f.d = d.id, `facts` and `dims` rows, and four logged joins
 * for the advisor to mine. Without `diststyle` both tables are AUTO.
 */
export function joinSetupScript(facts: number, dims: number, diststyle?: 'even'): string {
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(', ');
  const dist = diststyle ? ` diststyle ${diststyle}` : '';
  return [
    `create table f (id integer, d integer, v integer)${dist};`,
    `create table d (id integer, name varchar(20))${dist};`,
    `insert into f values ${rows(facts, (i) => `(${i}, ${i % dims}, ${i % 7})`)};`,
    `insert into d values ${rows(dims, (i) => `(${i}, 'n${i}')`)};`,
    ...Array.from({ length: 4 }, (_, k) => `select d.name, sum(f.v) from f join d on f.d = d.id where f.v > ${k} group by d.name;`),
  ].join('\n');
}
