#!/usr/bin/env node
// The keel command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('keel is not built: run `npm ci` (or `npm run build`) in the repository first\n');
  process.exit(2);
}
await import(main.href);
