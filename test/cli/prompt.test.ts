/**
 * keel sql's interactive prompt (cli/prompt/, docs/cli.md), run as the built
 * command (bin/keel.js; `npm run build` first): with piped input through
 * --interactive, and on a real terminal through script(1)'s pseudo-terminal
 * where the system has it. Ctrl-C cancels the running statement (its work
 * stops) or clears the line, and the prompt goes on; Ctrl-D quits; a
 * multi-line statement is one history entry, kept in KEEL_HISTORY across
 * sessions; the meta-commands; errors without stacks. The pieces that need
 * no process (statement ends, meta-command parsing, history file, formats)
 * are tested on their own first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEEL_BIN, runKeel } from './helpers.js';
import { statementComplete, parseMetaCommand, isMetaCommand } from '../../cli/prompt/input.js';
import { History, historyFile, HISTORY_SIZE } from '../../cli/prompt/history.js';
import { formatExpanded, formatMarkdown } from '../../cli/prompt/display.js';
import { tableDdl } from '../../cli/prompt/schema.js';
import { Database } from '../../engine/index.js';

// no run of these tests writes the user's ~/.keel_history: those that test the history name their own file
process.env.KEEL_HISTORY = '';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-prompt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
const fresh = (name: string) => path.join(root, `${name}-${n++}`);

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('internal error');
}

/**
 * A keel process talking to us: `send` writes to its input, `until` waits for
 * its output to match. On a terminal (pty) both streams come through script's
 * output, with the terminal's escape sequences.
 */
class Conversation {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;

  constructor(readonly p: ChildProcessWithoutNullStreams) {
    p.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => p.on('exit', (code) => resolve(code)));
  }

  /** keel sql -i on the data directory, input piped. */
  static piped(data: string, env: Record<string, string> = {}): Conversation {
    return new Conversation(spawn(process.execPath, [KEEL_BIN, 'sql', '--data', data, '-i'], { env: { ...process.env, KEEL_HISTORY: '', ...env } }));
  }

  /** keel sql on the data directory, on a pseudo-terminal that script(1) makes. */
  static terminal(data: string, env: Record<string, string> = {}): Conversation {
    const cmd = `${process.execPath} ${KEEL_BIN} sql --data ${data}`;
    return new Conversation(spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, TERM: 'xterm', KEEL_HISTORY: '', ...env } }));
  }

  send(text: string): void {
    this.p.stdin.write(text);
  }

  /** Waits until stream() matches `re` (counted from `from`), failing after `ms`. */
  async until(re: RegExp, stream: 'out' | 'err' = 'out', from = 0, ms = 60_000): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const text = (stream === 'out' ? this.out : this.err).slice(from);
      if (re.test(text)) return Date.now() - t0;
      if (Date.now() - t0 > ms) throw new Error(`no ${re} on std${stream} after ${ms} ms; stdout:\n${this.out}\nstderr:\n${this.err}`);
      if (this.p.exitCode !== null) throw new Error(`keel exited (${this.p.exitCode}) before ${re}; stdout:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tables for a statement that runs for hours: big (300,000 rows) times seed times seed. */
const SETUP = [
  'create table seed (x integer);',
  `insert into seed values ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')};`,
  'create table big as select a.x * 1000 + b.x as x from seed a, seed b where b.x < 300;',
].join('\n');
const SLOW = 'select count(*) from big a, seed b, seed c where a.x + b.x + c.x < 0;';

function setUpData(data: string): void {
  const r = runKeel(['sql', '--data', data], { cwd: root, input: SETUP });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('the prompt, piece by piece', () => {
  it('a statement ends at a semicolon outside strings, quoted names and comments', () => {
    expect(statementComplete('select 1;')).toBe(true);
    expect(statementComplete('select 1;  \n')).toBe(true);
    expect(statementComplete('select 1; -- done')).toBe(true);
    expect(statementComplete('select 1 /* ; */')).toBe(false);
    expect(statementComplete("select ';")).toBe(false);
    expect(statementComplete("select ';'")).toBe(false);
    expect(statementComplete("select 'it''s;';")).toBe(true);
    expect(statementComplete('select "a;b"')).toBe(false);
    expect(statementComplete('select 1 -- ;')).toBe(false);
    expect(statementComplete('select 1\nfrom t\n;')).toBe(true);
    expect(statementComplete('select 1; select')).toBe(false);
    expect(statementComplete('/* open ;')).toBe(false);
  });

  it('meta-commands: psql spellings and sqlite3/duckdb dot commands', () => {
    expect(['\\q', '.quit', '.exit', 'quit', 'exit;'].map(parseMetaCommand)).toEqual(Array(5).fill({ kind: 'quit' }));
    expect(parseMetaCommand('\\d')).toEqual({ kind: 'list', only: null });
    expect(parseMetaCommand('\\dt')).toEqual({ kind: 'list', only: 'tables' });
    expect(parseMetaCommand('\\d orders')).toEqual({ kind: 'describe', name: 'orders' });
    expect(parseMetaCommand('\\d "My Table"')).toEqual({ kind: 'describe', name: '"My Table"' });
    expect(parseMetaCommand('\\l')).toEqual({ kind: 'database' });
    expect(parseMetaCommand('.tables')).toEqual({ kind: 'tables' });
    expect(parseMetaCommand('.schema t')).toEqual({ kind: 'schema', name: 't' });
    expect(parseMetaCommand('.schema')).toEqual({ kind: 'schema', name: null });
    expect(parseMetaCommand('\\timing')).toEqual({ kind: 'timing', on: null });
    expect(parseMetaCommand('.timer on')).toEqual({ kind: 'timing', on: true });
    expect(parseMetaCommand('\\x off')).toEqual({ kind: 'expanded', on: false });
    expect(parseMetaCommand('\\pset format csv')).toEqual({ kind: 'format', mode: 'csv' });
    expect(parseMetaCommand('.mode markdown')).toEqual({ kind: 'format', mode: 'markdown' });
    expect(parseMetaCommand('.mode line')).toEqual({ kind: 'format', mode: 'table', expanded: true });
    expect(parseMetaCommand("\\pset null '(null)'")).toEqual({ kind: 'null', text: '(null)' });
    expect(parseMetaCommand("\\i 'my file.sql'")).toEqual({ kind: 'include', file: 'my file.sql' });
    expect(parseMetaCommand('\\?')).toEqual({ kind: 'help' });
    expect(parseMetaCommand('.mode html')).toMatchObject({ kind: 'usage', message: expect.stringContaining('unknown format "html"') });
    expect(parseMetaCommand('\\timing maybe')).toMatchObject({ kind: 'usage' });
    expect(parseMetaCommand('\\frobnicate')).toMatchObject({ kind: 'usage', message: 'unknown command \\frobnicate; \\? lists the commands' });
    expect(isMetaCommand('.5 + 1;')).toBe(false);
    expect(isMetaCommand('select 1;')).toBe(false);
    // within a statement only backslash commands count, and not inside a string or comment
    expect(isMetaCommand('\\q', 'select 1 +')).toBe(true);
    expect(isMetaCommand('.tables', 'select 1 +')).toBe(false);
    expect(isMetaCommand('\\d', "select 'open")).toBe(false);
    expect(isMetaCommand('\\d', 'select /* open')).toBe(false);
  });

  it('history: one entry per statement, line breaks kept, across sessions; KEEL_HISTORY names the file', () => {
    const file = path.join(fresh('hist'), 'history');
    fs.mkdirSync(path.dirname(file));
    expect(historyFile({ KEEL_HISTORY: file })).toBe(file);
    expect(historyFile({ KEEL_HISTORY: '' })).toBeNull();
    expect(historyFile({ HOME: '/home/x' })).toBe(path.join(os.homedir(), '.keel_history'));
    const warnings: string[] = [];
    const a = new History(file, (m) => warnings.push(m));
    a.add('select 1\nfrom t;');
    a.add('\\d');
    a.add('\\d');
    expect(a.entries).toEqual(['\\d', 'select 1\nfrom t;']);
    const b = new History(file, (m) => warnings.push(m));
    expect(b.entries).toEqual(['\\d', 'select 1\nfrom t;']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
  });

  it('history: a file that grew past twice the size is trimmed; one that cannot be written warns once and the prompt goes on', () => {
    const dir = fresh('hist');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'history');
    fs.writeFileSync(file, Array.from({ length: 2 * HISTORY_SIZE + 5 }, (_, i) => JSON.stringify(`select ${i};`)).join('\n') + '\n');
    const h = new History(file, () => undefined);
    expect(h.entries).toHaveLength(HISTORY_SIZE);
    expect(h.entries[0]).toBe(`select ${2 * HISTORY_SIZE + 4};`);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(HISTORY_SIZE);
    const warnings: string[] = [];
    const bad = new History(path.join(dir, 'no', 'such', 'dir', 'history'), (m) => warnings.push(m));
    bad.add('select 1;');
    bad.add('select 2;');
    expect(bad.entries).toEqual(['select 2;', 'select 1;']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot write the history file .*ENOENT/);
  });

  it('expanded display and Markdown', () => {
    expect(formatExpanded(['id', 'name'], [['1', 'a'], ['22', null]])).toBe(['-[ RECORD 1 ]-', 'id   | 1', 'name | a', '-[ RECORD 2 ]-', 'id   | 22', 'name |'].join('\n'));
    expect(formatExpanded(['a_long_column_name', 'b'], [['x', 'two\nlines']])).toBe(
      ['-[ RECORD 1 ]------+------', 'a_long_column_name | x', 'b                  | two', '                   | lines'].join('\n'),
    );
    expect(formatExpanded(['a'], [])).toBe('(0 rows)');
    expect(formatMarkdown(['n', 'text'], [['1', 'a|b'], ['10', null]], [true, false])).toBe(['|   n | text |', '|----:|------|', '|   1 | a\\|b |', '|  10 |      |'].join('\n'));
  });

  it('.schema writes the table as declared: AUTO stays AUTO, with what it is now', async () => {
    const db = await Database.open(fresh('ddl'), { slices: 2 });
    try {
      await db.execute('create table k (a integer encode az64, "B c" varchar(10) not null) diststyle key distkey (a) interleaved sortkey (a, "B c"); create table auto (x integer)');
      expect(tableDdl(db.catalog().tables.k!)).toBe(['create table k (', '  a integer encode az64,', '  "B c" varchar(10) not null', ')', 'diststyle key distkey (a)', 'interleaved sortkey (a, "B c");'].join('\n'));
      expect(tableDdl(db.catalog().tables.auto!)).toBe(['create table auto (', '  x integer', ')', 'diststyle auto -- now ALL;'].join('\n'));
    } finally {
      db.close();
    }
  });
});

describe('the prompt on piped input (keel sql -i)', () => {
  it('keel --version prints package.json\'s version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    const r = runKeel(['--version'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('meta-commands show the schema and set the output; errors are one line, no stack, and the prompt goes on', () => {
    const data = fresh('meta');
    const script = path.join(root, `inc-${n++}.sql`);
    fs.writeFileSync(script, "insert into t values (3, 'c');\nselect count(*) as n from t;\n");
    const input = [
      "create table t (id integer not null encode az64, name varchar(20)) diststyle key distkey(id) sortkey(name);",
      "insert into t values (1, 'a'), (2, null);",
      'create view v as select id from t;',
      '\\d',
      '\\d t',
      '\\dv',
      '.schema t',
      '\\l',
      'select nope from t;',
      '\\d nope',
      `\\i ${script}`,
      '\\i /no/such/file.sql',
      '\\x',
      'select id, name from t where id = 1;',
      '\\x off',
      '\\pset format csv',
      "\\pset null '(null)'",
      'select id, name from t order by id;',
      '.mode markdown',
      'select id, name from t order by id;',
      '.mode json',
      'select id from t where id = 2;',
      '.mode table',
      '\\timing on',
      'select count(*) from t where name is not null;',
      '\\frobnicate',
      'show tables;',
      'describe v;',
      'select 2',
      '\\dt',
      '+ 3 as five;',
      "select '",
      '\\q',
      "' as s;",
      'select 1 +',
      '\\q',
      'select 1;',
    ].join('\n');
    const r = runKeel(['sql', '--data', data, '-i'], { cwd: root, input });
    noStack(r.stderr);
    expect(r.code).toBe(0);
    const out = r.stdout;
    // \d: every relation, with rows and layout
    expect(out).toMatch(/name \| type +\| rows \| diststyle \| sortkey1 \| size_bytes\n/);
    const lines = out.split('\n').map((l) => l.replace(/^(keel> )+/, ''));
    expect(lines.find((l) => l.startsWith('t '))).toMatch(/^t +\| table \| +2 \| KEY\(id\) +\| name +\| +\d+$/);
    expect(lines.find((l) => l.startsWith('v '))).toMatch(/^v +\| view +\| +\| +\| +\| *$/);
    // \d t: columns with type, encoding, distkey, sort key position, not null; then the table's layout
    expect(out).toMatch(/column \| type +\| encoding \| distkey \| sortkey \| notnull/);
    expect(out).toMatch(/id +\| integer +\| az64 +\| true +\| +0 \| true/);
    expect(out).toMatch(/name +\| varchar\(20\) \| auto +\| false +\| +1 \| false/);
    expect(out).toContain('Distribution: KEY(id)\nSort key: compound (name)\nRows: 2\n');
    expect(out).toContain('create table t (\n  id integer not null encode az64,\n  name varchar(20)\n)\ndiststyle key distkey (id)\ncompound sortkey (name);');
    // \l: the data directory
    expect(out).toMatch(/name +\| directory +\| slices \| block_rows \| tables \| views \| rows \| size_bytes/);
    expect(lines.find((l) => l.startsWith(path.basename(data)))).toMatch(new RegExp(` \\| ${path.resolve(data)} +\\| +4 \\| +16384 \\| +1 \\| +1 \\| +2 \\| +\\d+$`));
    // \i ran the file
    expect(out).toMatch(/INSERT 1\n(keel> )*n\n-\n3\n\(1 row\)/);
    // \x: a block per row
    expect(out).toContain('-[ RECORD 1 ]');
    expect(out).toMatch(/id +\| 1\nname \| a\n/);
    // CSV with \pset null, then Markdown
    expect(out).toContain('id,name\n1,a\n2,(null)\n3,c\n');
    expect(out).toContain('|  id | name   |\n|----:|--------|\n|   1 | a      |\n|   2 | (null) |');
    // JSON as keel sql --json prints it
    expect(out).toMatch(/\{"columns":\[\{"name":"id","type":"integer"\}\],"rows":\[\[2\]\],"stats":\{/);
    // \timing
    expect(out).toMatch(/Time: \d+\.\d{3} ms \(blocks scanned \d+, skipped \d+; rows moved \d+, bytes moved [^)]*\)/);
    expect(out).toMatch(/schema_name \| table_name \| table_type\n-+.*\npublic +\| t +\| TABLE +\npublic +\| v +\| VIEW/);
    // a backslash command within a statement ran, and the statement went on
    expect(out).toMatch(/five *\n-+\n +5\n/);
    // not inside a string: there it is the string's
    expect(out).toMatch(/s *\n-+\n\n\\q\n *\n\(1 row\)/);
    // \q within a statement quit: nothing after it ran
    expect(out).not.toContain('?column?');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: line 1, column 8: column "nope" does not exist',
      'error: line 1, column 10: relation "nope" does not exist',
      'error: \\i /no/such/file.sql: no such file',
      'error: unknown command \\frobnicate; \\? lists the commands',
    ]);
  });

  it('a statement over several lines is one history entry, kept for the next session', () => {
    const data = fresh('hist');
    const history = path.join(root, `history-${n++}`);
    const env = { ...process.env, KEEL_HISTORY: history };
    const run = (input: string) => spawnSync(process.execPath, [KEEL_BIN, 'sql', '--data', data, '-i'], { encoding: 'utf8', input, env });
    const first = run("select 1\n  + 2\n  as three;\n\\d\nselect 'x;\ny';\n");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/three\n-+\n +3\n/);
    expect(run('select 4;\n').status).toBe(0);
    const entries = fs.readFileSync(history, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string);
    expect(entries).toEqual(['select 1\n  + 2\n  as three;', '\\d', "select 'x;\ny';", 'select 4;']);
  });

  it('Ctrl-C (SIGINT) cancels the running statement, which stops; the prompt reports it and answers the next one', async () => {
    const data = fresh('cancel');
    setUpData(data);
    const k = Conversation.piped(data);
    try {
      await k.until(/keel> /);
      k.send(`${SLOW}\n`);
      await sleep(1500);
      const before = k.out.length;
      k.p.kill('SIGINT');
      const ms = await k.until(/error: statement cancelled\n/, 'err');
      // hours of work stopped within seconds
      expect(ms).toBeLessThan(20_000);
      expect(k.err).toContain('Cancel request sent\n');
      expect(k.p.exitCode).toBeNull();
      k.send('select 41 + 1 as answer;\n');
      await k.until(/answer\n-+\n +42\n\(1 row\)/, 'out', before);
      noStack(k.err);
    } finally {
      k.p.stdin.end();
    }
    expect(await k.exited).toBe(0);
  });

  it('Ctrl-C at an idle prompt drops what is typed and does not exit', async () => {
    const k = Conversation.piped(fresh('idle'));
    try {
      await k.until(/keel> /);
      k.send('select 1 +\n');
      await k.until(/ {3}-> /);
      k.p.kill('SIGINT');
      await sleep(500);
      k.p.kill('SIGINT');
      await sleep(500);
      expect(k.p.exitCode).toBeNull();
      // the half-typed statement is gone: this one stands alone
      k.send("select 'after' as s;\n");
      await k.until(/s *\n-+\nafter\n\(1 row\)/);
    } finally {
      k.p.stdin.end();
    }
    expect(await k.exited).toBe(0);
    expect(k.err).toBe('');
  });

  it('a data directory that cannot be opened is one line and exit 1', () => {
    const file = path.join(root, `a-file-${n++}`);
    fs.writeFileSync(file, 'not a data directory');
    const r = runKeel(['sql', '--data', file, '-i'], { cwd: root, input: 'select 1;\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*a-file/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    noStack(r.stderr);
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasScript)('the prompt on a terminal (a pseudo-terminal made by script(1))', () => {
  let data: string;
  beforeAll(() => {
    data = fresh('tty');
    setUpData(data);
  }, 120_000);

  it('Ctrl-C cancels the running statement and the prompt answers the next one; at an idle prompt it clears the line; Ctrl-D quits', async () => {
    const k = Conversation.terminal(data);
    await k.until(/keel> /);
    k.send(`${SLOW}\r`);
    await sleep(1500);
    k.send('\x03');
    const ms = await k.until(/error: statement cancelled/);
    expect(ms).toBeLessThan(20_000);
    expect(k.out).toContain('Cancel request sent');
    const mark = k.out.length;
    // a half-typed line, then Ctrl-C: gone, and still at the prompt
    k.send('select this is not finished');
    await k.until(/not finished/, 'out', mark);
    k.send('\x03');
    await sleep(300);
    k.send('\x03');
    await sleep(300);
    k.send('select 6 * 7 as answer;\r');
    await k.until(/answer\r\n-+\r\n +42\r\n/, 'out', mark);
    expect(k.out.slice(mark)).not.toMatch(/syntax error|error:/);
    k.send('\x04');
    expect(await k.exited).toBe(0);
  });

  it('history across sessions on a terminal: the up arrow brings back a statement of several lines as one entry', async () => {
    const history = path.join(root, `history-${n++}`);
    const a = Conversation.terminal(data, { KEEL_HISTORY: history });
    await a.until(/keel> /);
    a.send('select 20\r');
    await a.until(/-> /);
    a.send('  + 1 as twentyone;\r');
    await a.until(/twentyone[\s\S]*21/);
    a.send('\x04');
    expect(await a.exited).toBe(0);
    expect(fs.readFileSync(history, 'utf8')).toBe(`${JSON.stringify('select 20\n  + 1 as twentyone;')}\n`);

    const b = Conversation.terminal(data, { KEEL_HISTORY: history });
    await b.until(/keel> /);
    const mark = b.out.length;
    b.send('\x1b[A');
    await sleep(300);
    b.send('\r');
    // the recalled statement runs whole: both of its lines
    await b.until(/twentyone\r\n-+\r\n +21\r\n/, 'out', mark);
    b.send('\x04');
    expect(await b.exited).toBe(0);
    // running it again did not add a second copy
    expect(fs.readFileSync(history, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
