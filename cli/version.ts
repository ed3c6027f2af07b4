/** keel's version: package.json's, read once (keel --version, the prompt's banner). */
import * as fs from 'node:fs';

let version: string | undefined;

export function keelVersion(): string {
  if (version !== undefined) return version;
  // dist/cli/version.js and cli/version.ts are two and one folders below package.json
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keel' && typeof pkg.version === 'string') return (version = pkg.version);
    } catch {
      /* not there: the other place */
    }
  }
  return (version = 'unknown');
}
