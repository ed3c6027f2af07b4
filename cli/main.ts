/**
 * The keel command line. Thin: it parses flags and calls the engine; every
 * command takes --data DIR and --json. User mistakes print one clear line
 * (exit 1); only bugs print a stack (exit 2).
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_DATA_DIR } from './context.js';
import { reportError } from './output.js';
import { sqlCommand } from './commands/sql.js';
import { loadCommand } from './commands/load.js';
import { genCommand } from './commands/gen.js';
import { initCommand } from './commands/init.js';
import { demoCommand } from './commands/demo.js';

function common(cmd: Command): Command {
  return cmd.option('--data <dir>', 'data directory', DEFAULT_DATA_DIR).option('--json', 'machine-readable output');
}

const program = new Command('keel')
  .description('an embedded, self-tuning columnar warehouse')
  .showHelpAfterError('(run keel --help for usage)')
  .exitOverride();

common(program.command('init').description('create a data directory'))
  .option('--slices <n>', 'number of slices', '4')
  .action(initCommand);

common(program.command('sql [statement]').description('run SQL: one statement, -f FILE, standard input, or an interactive prompt'))
  .option('-f, --file <file>', 'run the statements of a file in order')
  .action(sqlCommand);

common(program.command('explain <statement>').description('show the plan of a query (EXPLAIN)'))
  .option('--analyze', 'run it and show what each step did')
  .action((statement: string, opts) => sqlCommand(`explain ${opts.analyze ? 'analyze ' : ''}${statement}`, opts));

common(program.command('load <table> <file>').description('load delimited text (.gz too), Parquet or Arrow IPC into a table'))
  .option('--delimiter <c>', 'field delimiter (default by extension: | for .tbl, , for .csv, tab for .tsv)')
  .option('--header', 'the first line is a header')
  .option('--null-as <s>', 'the NULL marker (default \\N)')
  .option('--quote <c>', 'quote character (default ")')
  .option('--format <f>', 'text, parquet or arrow (default by extension)')
  .action(loadCommand);

common(program.command('gen <generator>').description('generate data: tpch'))
  .option('--sf <x>', 'scale factor', '1')
  .option('--seed <s>', 'random seed (0: the data dbgen makes)', '0')
  .option('--replace', 'drop and regenerate existing tables')
  .action(genCommand);

common(program.command('demo').description('load TPC-H into a fresh directory and run queries'))
  .option('--sf <x>', 'TPC-H scale factor of the shared data (0.01 or 0.1)', '0.01')
  .option('--tpch <dir>', 'TPC-H material (default ../shared/tpch beside the repository)')
  .action((opts) => demoCommand({ ...opts, data: opts.data === DEFAULT_DATA_DIR ? './keel-demo' : opts.data }));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // commander has printed its message already
    process.exitCode = e.exitCode === 0 ? 0 : 1;
  } else {
    process.exitCode = reportError(e);
  }
}
