/** keel init [--slices N]: creates a new data directory. */
import { Database, UsageError } from '../../engine/index.js';
import { reportError } from '../output.js';
import { printJson, type CommonOptions } from '../context.js';
import { parsePositive } from './gen.js';

export async function initCommand(flags: CommonOptions & { slices: string }): Promise<void> {
  const slices = parsePositive('--slices', flags.slices, true);
  if (slices > 256) throw new UsageError(`--slices must be at most 256, got ${slices}`);
  try {
    const db = await Database.create(flags.data, { slices });
    db.close();
  } catch (e) {
    process.exitCode = reportError(e);
    return;
  }
  if (flags.json) printJson({ data: flags.data, slices });
  else process.stdout.write(`created keel data directory ${flags.data} with ${slices} slices\n`);
}
