/**
 * The keel command line. Thin: it parses flags and calls the engine; every
 * command takes --data DIR and --json. User mistakes print one clear line
 * (exit 1); only bugs print a stack (exit 2).
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_DATA_DIR } from './context.js';
import { SqlError, positionAt } from '../engine/errors.js';
import { CliError, reportError, setJsonErrors } from './output.js';
import { sqlCommand } from './commands/sql.js';
import { keelVersion } from './version.js';
import { loadCommand } from './commands/load.js';
import { genDispatch } from './commands/gen.js';
import { replayCommand } from './commands/replay.js';
import { logCompactCommand, logExportCommand, logHistoryCommand, logImportCommand, logTopCommand } from './commands/log.js';
import { initCommand } from './commands/init.js';
import { demoCommand } from './commands/demo.js';
import { advisorViewsCommand } from './commands/advisor-views.js';
import { advisorApplyCommand, advisorGraphCommand, advisorListCommand, advisorRevertCommand, advisorRunCommand, advisorShowCommand } from './commands/advisor.js';
import { daemonStartCommand, daemonStatusCommand, daemonStopCommand } from './commands/daemon.js';
import { serveCommand } from './commands/serve.js';
import { advisorLockCommand, ddlExportCommand } from './commands/ddl.js';

function common(cmd: Command): Command {
  return cmd.option('--data <dir>', 'data directory', DEFAULT_DATA_DIR).option('--json', 'machine-readable output');
}

const program = new Command('keel')
  .description('an embedded, self-tuning columnar warehouse')
  .version(keelVersion(), '-V, --version', 'print the version')
  .showHelpAfterError('(run keel --help for usage)')
  // a subcommand's options go after it (keel log export --data D), not to its parent
  .enablePositionalOptions()
  .exitOverride()
  // --json: errors too are JSON, on standard output (output.ts reportError)
  .hook('preAction', (_program, action) => setJsonErrors(action.opts().json === true));

common(program.command('init').description('create a data directory'))
  .option('--slices <n>', 'number of slices', '4')
  .action(initCommand);

common(program.command('sql [statement]').description('run SQL: one statement, -f FILE, standard input, or an interactive prompt'))
  .option('-f, --file <file>', 'run the statements of a file in order')
  .option('-i, --interactive', 'the prompt even when standard input is not a terminal')
  .option('--csv', 'results as CSV (a header line, then the rows)')
  .option('--null <str>', 'how NULL prints in tables and CSV (default: empty)')
  .option('--memory-limit <bytes>', "memory a query's sorts, aggregates and joins may hold (512MB, 2GB; bytes without a unit): sorts and aggregates spill to the data directory beyond it (docs/memory.md). Default: KEEL_MEMORY_LIMIT, else none")
  .action((statement: string | undefined, opts) => sqlCommand(statement, opts));

common(program.command('explain <statement>').description('show the plan of a query (EXPLAIN)'))
  .option('--analyze', 'run it and show what each step did')
  .action((statement: string, opts) => {
    const prefix = `explain ${opts.analyze ? 'analyze ' : ''}`;
    // an error's position in the statement as the user typed it, not in the EXPLAIN built around it
    return sqlCommand(prefix + statement, opts, (e) =>
      e instanceof SqlError && e.position && e.sql === prefix + statement && e.position.offset >= prefix.length
        ? new SqlError(e.code, e.message, positionAt(statement, e.position.offset - prefix.length), statement)
        : e,
    );
  });

common(program.command('load <table> <file>').description('load delimited text (.gz too), Parquet or Arrow IPC into a table'))
  .option('--delimiter <c>', 'field delimiter (default by extension: | for .tbl, , for .csv, tab for .tsv)')
  .option('--header', 'the first line is a header')
  .option('--null-as <s>', 'the NULL marker (default \\N)')
  .option('--quote <c>', 'quote character (default ")')
  .option('--format <f>', 'text, parquet or arrow (default by extension)')
  .action(loadCommand);

common(program.command('gen <generator> [kind]').description('generate data (gen tpch) or a workload trace (gen workload tpch --queries N)'))
  .option('--sf <x>', 'scale factor', '1')
  .option('--seed <s>', 'random seed (0: the data dbgen makes)', '0')
  .option('--replace', 'drop and regenerate existing tables')
  .option('--queries <n>', 'gen workload: number of queries in the trace')
  .option('--out <file>', 'gen workload: write the trace to a file (default standard output)')
  .action(genDispatch);

common(program.command('replay <trace>').description('run a trace (JSON Lines: {"ts","sql","user","session"}) and summarize latency and costs'))
  .option('--pace <pace>', 'max (as fast as possible) or recorded (honour the ts offsets)', 'max')
  .option('--speed <x>', 'with --pace recorded: run x times faster than recorded', '1')
  .option('--concurrency <k>', 'statements in flight', '1')
  .option('--stop-on-error', 'stop at the first bad line or failing query (exit 1)')
  .action(replayCommand);

const log = common(program.command('log').description('the recorded workload: top fingerprints (subcommands: history, export, import, compact)'))
  .enablePositionalOptions()
  .option('--limit <n>', 'fingerprints per table', '10')
  .option('--since <t>', 'only statements since an ISO time or an age (24h, 7d)')
  .option('--user <name>', 'only the statements of this user')
  .action(logTopCommand);
common(log.command('history').description('the latest statements, newest first'))
  .option('--limit <n>', 'statements', '20')
  .option('--since <t>', 'only statements since an ISO time or an age (24h, 7d)')
  .option('--user <name>', 'only the statements of this user')
  .action(logHistoryCommand);
common(log.command('export').description('write recorded statements as a trace (JSON Lines), oldest first; --format redshift writes a cluster\'s CSV exports into a directory'))
  .option('--since <t>', 'only statements since an ISO time or an age (24h, 7d)')
  .option('--out <file>', 'write to a file (default standard output); with --format redshift, a directory')
  .option('--format <format>', 'trace (default) or redshift')
  .action(logExportCommand);
common(log.command('import <files...>').description('read a workload from elsewhere: --format redshift reads CSV exports of SYS_QUERY_HISTORY, SYS_QUERY_DETAIL, SVV_TABLE_INFO and pg_stats (files or directories)'))
  .option('--format <format>', 'redshift')
  .action(logImportCommand);
common(log.command('compact').description('move raw records into columnar chunks and apply retention'))
  .option('--max-age <age>', 'keep records this young (e.g. 30d; remembered for this directory)')
  .option('--max-size <size>', 'keep at most this much compacted (e.g. 1GB; remembered)')
  .action(logCompactCommand);

const advisor = program
  .command('advisor')
  .description('layout advice from the workload (subcommands: graph, run, list, show, apply, revert, views)')
  .enablePositionalOptions();
common(advisor.command('graph').description('the join graph: tables, join edges and what they cost when not co-located'))
  .option('--dot', 'Graphviz DOT instead of tables')
  .option('--since <t>', 'only statements since an ISO time or an age (24h, 7d)')
  .option('--half-life <hours>', 'recency half-life of the weights, in hours', '168')
  .action(advisorGraphCommand);
common(advisor.command('run').description('choose every table\'s distribution and store the recommendations'))
  .option('--since <t>', 'only statements since an ISO time or an age (24h, 7d)')
  .option('--method <m>', 'auto, exact or heuristic', 'auto')
  .option('--budget <ms>', 'solver time budget in milliseconds', '2000')
  .option('--half-life <hours>', 'recency half-life of the weights, in hours', '168')
  .option('--skew-factor <x>', 'reject keys whose fullest slice holds more than x times the average', '1.5')
  .option('--no-skew', 'skip the skew estimates (no SQL on the tables)')
  .option('--no-what-if', "keep the solver's layout: do not run and re-plan the workload's query shapes")
  .option('--no-shadow', 'propose on the estimates alone: do not measure each group on a shadow copy first')
  .action(advisorRunCommand);
common(advisor.command('list').description('the recommendations and their status, then the refusals the advisor remembers'))
  .option('--refusals', 'only the remembered refusals (with --json: an array of them)')
  .action(advisorListCommand);
common(advisor.command('show <id>').description('one recommendation: why, its evidence, and what applying costs')).action(advisorShowCommand);
common(advisor.command('apply [id]').description('apply a recommendation (or --all that the policy allows) through ALTER TABLE, and wait for it'))
  .option('--all', 'every proposed recommendation keel.config.json lets the daemon apply (not user-set, not excluded)')
  .option('--background', 'return at once; a detached keel process applies them')
  .option('--dry-run', 'print the DDL, apply nothing')
  .option('--dialect <d>', 'redshift: print a migration script for a Redshift cluster, groups best first with their evidence as comments (applies nothing)')
  .option('--out <file>', 'with --dialect redshift: write the script to FILE and its inverse to FILE.undo.sql')
  .option('--include-user-set', 'with --dialect redshift: emit changes to keys written in DDL too (listed as advice otherwise)')
  .action(advisorApplyCommand);
common(advisor.command('views').description('the automatic materialized views: queries served, time saved, build and refresh cost, storage, staleness, why'))
  .option('--active', 'only the views that exist (without it: also those dropped or that failed, with why)')
  .action(advisorViewsCommand);
common(advisor.command('lock').description('write the current AUTO layout choices, one line per table and setting, for review'))
  .option('--out <file>', 'where to write them', 'keel.lock')
  .action(advisorLockCommand);
const ddl = program.command('ddl').description('the tables as DDL (subcommand: export)').enablePositionalOptions();
common(ddl.command('export').description('CREATE TABLE statements whose layout clauses stay the same from run to run (AUTO as AUTO)'))
  .option('--dialect <d>', "redshift (keel's DDL is Redshift's; the default)")
  .option('--with-auto-choices', 'write what AUTO chose instead of AUTO')
  .option('--out <file>', 'write to FILE instead of standard output')
  .action(ddlExportCommand);
common(advisor.command('revert <id>').description('undo an applied or verified recommendation (inverse ALTER TABLE)')).action(advisorRevertCommand);

const daemon = program.command('daemon').description('the advisor daemon: mines the workload, applies and verifies changes on a schedule (docs/autonomics.md)').enablePositionalOptions();
common(daemon.command('start').description('start the daemon in the background (or --foreground)'))
  .option('--foreground', 'run in this terminal, logging to it too (pretty on a terminal)')
  .option('--once', 'run mine, apply, verify, maintain and views once each, then exit')
  .action(daemonStartCommand);
common(daemon.command('status').description('is it running, what it did last, recommendations by status')).action(daemonStatusCommand);
common(daemon.command('stop').description('stop it (SIGTERM: a running apply is abandoned cleanly) and wait'))
  .option('--timeout <s>', 'seconds to wait for it to exit', '60')
  .action(daemonStopCommand);

common(program.command('serve').description('serve the data directory over the PostgreSQL wire protocol (psql, drivers; docs/server.md)'))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0: any free one)', '5439')
  .option('--auth <method>', 'how passwords are asked for: scram-sha-256 (default), md5 or cleartext')
  .option('--tls-cert <file>', 'PEM certificate: clients that ask for SSL get TLS (with --tls-key)')
  .option('--tls-key <file>', "the certificate's PEM private key")
  .option('--max-connections <n>', 'connections at once; one more is refused (53300)', '100')
  .option('--statement-timeout <ms>', "each session's statement_timeout at its start: a statement running (or queued) longer is cancelled (57014); 0: none", '0')
  .option('--idle-session-timeout <ms>', "each session's idle_session_timeout at its start: an idle connection is closed (57P05); 0: none", '0')
  .option('--wlm-slots <n>', 'workload management: statements running at once, the rest wait in a queue (0: no queue; default: keel.config.json wlm.slots, else 0)')
  .option('--wlm-short-ms <ms>', 'short query acceleration: statements predicted to run at most this long go ahead of the others (default: keel.config.json wlm.shortQueryTime, else 1000)')
  .option('--daemon', 'run the advisor daemon in this process too (its schedule and policy: keel.config.json)')
  .option('--memory-limit <bytes>', "memory a query's sorts, aggregates and joins may hold (512MB, 2GB; bytes without a unit): sorts and aggregates spill to the data directory beyond it (docs/memory.md). Default: KEEL_MEMORY_LIMIT, else none")
  .action(serveCommand);

common(program.command('demo').description('the self-tuning loop on TPC-H: generate, replay, advise, apply online, replay tuned and default side by side, compare'))
  .option('--sf <x>', 'TPC-H scale factor (default 0.1; --quick: 0.01 or 0.1 of the shared files)')
  .option('--queries <n>', 'queries in the replayed stream', '200')
  .option('--rounds <n>', 'measured rounds of the side-by-side replay', '3')
  .option('--seed <s>', 'seed of the query stream', '1')
  .option('--quick', 'the short tour instead: load the shared TPC-H files and run four queries')
  .option('--tpch <dir>', 'with --quick: TPC-H material (default ../shared/tpch beside the repository)')
  .action((opts) => demoCommand({ ...opts, data: opts.data === DEFAULT_DATA_DIR ? './keel-demo' : opts.data }));

// `keel log export | head`: a reader that stops early is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // commander has printed its message already; with --json the error is JSON on standard output too
    if (e.exitCode !== 0 && process.argv.slice(2).includes('--json')) {
      setJsonErrors(true);
      reportError(new CliError('USAGE', e.message.replace(/^error: /, '')));
    }
    process.exitCode = e.exitCode === 0 ? 0 : 1;
  } else {
    process.exitCode = reportError(e);
  }
}
