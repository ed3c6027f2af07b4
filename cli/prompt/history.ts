/**
 * The prompt's history: one entry per statement (however many lines it took)
 * or meta-command, kept across sessions in a file. The file is KEEL_HISTORY
 * when set (empty: no file), else ~/.keel_history. Each line of the file is
 * one entry as a JSON string, so entries can hold line breaks; a line that is
 * not JSON is read as the entry itself (a file edited by hand). The file is
 * appended to as entries are made and trimmed to HISTORY_SIZE when it has
 * grown to twice that; it is created readable by its owner only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Entries kept. */
export const HISTORY_SIZE = 1000;

/** Where the history is kept, or null for nowhere (KEEL_HISTORY=''). */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.KEEL_HISTORY;
  if (set !== undefined) return set === '' ? null : path.resolve(set);
  return path.join(os.homedir(), '.keel_history');
}

function decode(line: string): string {
  if (line.startsWith('"')) {
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'string') return v;
    } catch {
      /* not JSON: the line as it is */
    }
  }
  return line;
}

export class History {
  /** Newest first, as readline keeps it. */
  readonly entries: string[];
  private warned = false;

  /**
   * Reads the file (a missing one is an empty history). `warn` is told once
   * when the file cannot be read or written: the prompt goes on without it.
   */
  constructor(
    readonly file: string | null,
    private readonly warn: (message: string) => void,
  ) {
    this.entries = [];
    if (file === null) return;
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.fail('read', e);
      return;
    }
    const lines = text.split('\n').filter((l) => l !== '');
    const all = lines.map(decode);
    this.entries.push(...all.slice(-HISTORY_SIZE).reverse());
    if (lines.length > 2 * HISTORY_SIZE) this.rewrite();
  }

  private fail(what: 'read' | 'write', e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    this.warn(`warning: cannot ${what} the history file ${this.file} (${reason}); history is not kept${what === 'read' ? '' : ' from now on'} (KEEL_HISTORY names another file, or '' none)`);
  }

  /** Adds an entry (not when it repeats the newest) and appends it to the file. */
  add(entry: string): void {
    const e = entry.replace(/\s+$/, '');
    if (e.trim() === '' || this.entries[0] === e) return;
    this.entries.unshift(e);
    if (this.entries.length > HISTORY_SIZE) this.entries.length = HISTORY_SIZE;
    if (this.file === null || this.warned) return;
    try {
      fs.appendFileSync(this.file, JSON.stringify(e) + '\n', { mode: 0o600 });
    } catch (err) {
      this.fail('write', err);
    }
  }

  /** Replaces the file with the entries kept, through a temporary file and a rename. */
  private rewrite(): void {
    const file = this.file!;
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, [...this.entries].reverse().map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      this.fail('write', e);
    }
  }
}
