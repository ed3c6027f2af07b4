/**
 * What the prompt reads: whether the text typed so far ends a statement, and
 * the meta-commands (psql's backslash commands, and the dot commands sqlite3
 * and duckdb users type). Pure functions, tested on their own.
 */

/** What the text typed so far ends in: its last character outside strings, quoted names and comments, and whether one of those is still open. */
function scan(text: string): { last: string; open: boolean } {
  let last = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      // '' and "" inside are the quote itself
      let j = i + 1;
      for (;;) {
        if (j >= n) return { last, open: true };
        if (text[j] === c) {
          if (text[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      last = c;
      i = j + 1;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return { last, open: true };
      i = end + 2;
    } else {
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return { last, open: false };
}

/**
 * Whether `text` holds one or more whole statements: its last token outside
 * strings, quoted names and comments is a semicolon. A ';' inside '...', "..."
 * or a comment does not end a statement, and an unclosed quote or block
 * comment means more lines are coming.
 */
export function statementComplete(text: string): boolean {
  const s = scan(text);
  return !s.open && s.last === ';';
}

/** Whether `text` ends inside a string, a quoted name or a block comment (a line typed next is part of it, whatever it starts with). */
export function insideQuotes(text: string): boolean {
  return scan(text).open;
}

/** Output formats of the prompt (\pset format, .mode). */
export type OutputMode = 'table' | 'csv' | 'json' | 'markdown';

/** The names each format answers to: psql's (aligned), duckdb's and sqlite3's (box, duckbox, line). */
const MODE_NAMES: ReadonlyMap<string, { mode: OutputMode; expanded?: boolean }> = new Map([
  ['table', { mode: 'table' }],
  ['aligned', { mode: 'table' }],
  ['box', { mode: 'table' }],
  ['duckbox', { mode: 'table' }],
  ['column', { mode: 'table' }],
  ['csv', { mode: 'csv' }],
  ['json', { mode: 'json' }],
  ['markdown', { mode: 'markdown' }],
  ['md', { mode: 'markdown' }],
  // sqlite3's and duckdb's one value per line: psql's expanded display
  ['line', { mode: 'table', expanded: true }],
]);

export type MetaCommand =
  | { readonly kind: 'quit' }
  | { readonly kind: 'help' }
  /** \d, \dt, \dv: the relations, or only the tables or the views. */
  | { readonly kind: 'list'; readonly only: 'tables' | 'views' | null }
  /** \d NAME: one relation's columns. */
  | { readonly kind: 'describe'; readonly name: string }
  /** \l: the database (the data directory). */
  | { readonly kind: 'database' }
  /** .tables */
  | { readonly kind: 'tables' }
  /** .schema [NAME]: CREATE statements. */
  | { readonly kind: 'schema'; readonly name: string | null }
  /** \timing [on|off] (.timer): null toggles. */
  | { readonly kind: 'timing'; readonly on: boolean | null }
  /** \x [on|off] (\pset expanded): null toggles. */
  | { readonly kind: 'expanded'; readonly on: boolean | null }
  | { readonly kind: 'format'; readonly mode: OutputMode; readonly expanded?: boolean }
  /** \pset null TEXT: how NULL prints in tables and CSV. */
  | { readonly kind: 'null'; readonly text: string }
  /** \i FILE (.read): run the statements of a file. */
  | { readonly kind: 'include'; readonly file: string }
  /** A mistake in a meta-command: the message says what is wrong and how it goes. */
  | { readonly kind: 'usage'; readonly message: string };

/**
 * Whether a line is a meta-command rather than SQL. At the start of a
 * statement: a backslash command, a dot command, quit, exit or help. Within
 * one (`pending` is the text typed so far) only a backslash command, as in
 * psql, and not inside a string or comment: \q quits, \d describes, and the
 * statement stays as typed.
 */
export function isMetaCommand(line: string, pending = ''): boolean {
  const t = line.trim();
  if (pending.trim() !== '') return t.startsWith('\\') && !insideQuotes(pending);
  return t.startsWith('\\') || /^\.[a-z]/i.test(t) || /^(quit|exit|help)\s*;?$/i.test(t);
}

/** The words of a meta-command's argument: blank-separated, '...' or "..." quoted (the quotes kept on "..." for names). */
function words(rest: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'|("(?:[^"]|"")*")|(\S+)/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) out.push(m[1] !== undefined ? m[1].replace(/''/g, "'") : (m[2] ?? m[3])!);
  return out;
}

function onOff(arg: string | undefined, what: string): boolean | null | string {
  if (arg === undefined) return null;
  const a = arg.toLowerCase();
  if (a === 'on' || a === 'true' || a === '1') return true;
  if (a === 'off' || a === 'false' || a === '0') return false;
  return `${what}: expected on or off, not "${arg}"`;
}

function formatCommand(arg: string | undefined, how: string): MetaCommand {
  const names = [...MODE_NAMES.keys()].join(', ');
  if (arg === undefined) return { kind: 'usage', message: `${how} takes a format: ${names}` };
  const m = MODE_NAMES.get(arg.toLowerCase());
  if (!m) return { kind: 'usage', message: `unknown format "${arg}"; ${how} takes ${names}` };
  return { kind: 'format', mode: m.mode, ...(m.expanded ? { expanded: true } : {}) };
}

/** Parses a meta-command line (isMetaCommand is true of it). */
export function parseMetaCommand(line: string): MetaCommand {
  const t = line.trim().replace(/;$/, '').trim();
  const m = /^([\\.]?[A-Za-z?]*[+]?)\s*(.*)$/.exec(t)!;
  const cmd = m[1]!.toLowerCase();
  const rest = m[2]!.trim();
  const args = words(rest);
  switch (cmd) {
    case '\\q':
    case '.quit':
    case '.exit':
    case '.q':
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case '\\?':
    case '\\h':
    case '\\help':
    case '.help':
    case 'help':
      return { kind: 'help' };
    case '\\d':
    case '\\d+':
      return args.length === 0 ? { kind: 'list', only: null } : { kind: 'describe', name: args[0]! };
    case '\\dt':
    case '\\dt+':
      return args.length === 0 ? { kind: 'list', only: 'tables' } : { kind: 'describe', name: args[0]! };
    case '\\dv':
    case '\\dv+':
      return args.length === 0 ? { kind: 'list', only: 'views' } : { kind: 'describe', name: args[0]! };
    case '\\l':
    case '\\l+':
    case '\\list':
    case '.databases':
      return { kind: 'database' };
    case '.tables':
      return { kind: 'tables' };
    case '.schema':
      return { kind: 'schema', name: args[0] ?? null };
    case '\\timing':
    case '.timer': {
      const on = onOff(args[0], cmd);
      return typeof on === 'string' ? { kind: 'usage', message: on } : { kind: 'timing', on };
    }
    case '\\x': {
      const on = onOff(args[0], '\\x');
      return typeof on === 'string' ? { kind: 'usage', message: on } : { kind: 'expanded', on };
    }
    case '\\pset': {
      const option = args[0]?.toLowerCase();
      if (option === 'format') return formatCommand(args[1], '\\pset format');
      if (option === 'null') return { kind: 'null', text: args[1] ?? '' };
      if (option === 'expanded' || option === 'x') {
        const on = onOff(args[1], '\\pset expanded');
        return typeof on === 'string' ? { kind: 'usage', message: on } : { kind: 'expanded', on };
      }
      return { kind: 'usage', message: '\\pset takes format (table, csv, json, markdown), null TEXT, or expanded [on|off]' };
    }
    case '.mode':
      return formatCommand(args[0], '.mode');
    case '.nullvalue':
      return { kind: 'null', text: args[0] ?? '' };
    case '\\i':
    case '\\include':
    case '.read':
      return args.length === 0 ? { kind: 'usage', message: `${cmd} takes a file name` } : { kind: 'include', file: args[0]! };
    default:
      return { kind: 'usage', message: `unknown command ${m[1]}; \\? lists the commands` };
  }
}

/** What \? prints. */
export const HELP = `Statements end with ';' and may span lines. Ctrl-C cancels the running statement, or clears what is typed; Ctrl-D or \\q quits.

  \\d               list tables and views (name, type, rows, distribution, first sort key column, size)
  \\d NAME          a table's or view's columns: type, encoding, distkey, sort key position, not null
  \\dt, \\dv         list only the tables, only the views
  \\l               the database: its data directory, slices, tables, views, rows, size
  \\timing [on|off] print each statement's time (and what it read and moved)
  \\x [on|off]      expanded display: one line per column, a block per row
  \\pset format F   output format: table, csv, json or markdown
  \\pset null TEXT  how NULL prints in tables and CSV
  \\i FILE          run the statements in FILE
  \\q               quit
  \\?               this help

  sqlite3 and duckdb spellings: .tables, .schema [NAME] (CREATE statements), .mode F (also line),
  .timer on|off, .read FILE, .nullvalue TEXT, .help, .quit
  SQL: DESCRIBE t, SHOW TABLES, and the views information_schema.tables, information_schema.columns,
  pg_table_def, svv_columns, svv_table_info (docs/cli.md).`;
