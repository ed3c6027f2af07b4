/**
 * What one fuzz input ended in, and the bookkeeping of a campaign: inputs per
 * kind, typed errors by code, crashes grouped by where they happen with the
 * smallest input found for each.
 *
 * The rule every input must keep: it ends in a result (checked where a check is
 * cheap) or in a KeelError with its stable code. Anything else is a failure:
 *  - crash: a thrown value that is not a KeelError (TypeError, RangeError, a
 *    stack overflow: nesting past the limits is TOO_COMPLEX, docs/sql.md "Limits");
 *  - wrong: a result that a check shows to be false (a lie);
 *  - hang: no end within the per-input time limit.
 */
import { KeelError } from '../../engine/errors.js';

export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly code: string }
  | { readonly kind: 'crash'; readonly error: string; readonly signature: string }
  | { readonly kind: 'wrong'; readonly detail: string; readonly signature: string }
  | { readonly kind: 'hang'; readonly ms: number };

export const OK: Outcome = { kind: 'ok' };

/** The first stack frame in the project's own code (engine, workload-log, cli), as "engine/x/y.ts:123". */
export function projectFrame(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = /((?:engine|workload-log|cli|advisor)[\\/][^\s:()]+\.[jt]s):(\d+)/.exec(line);
    if (m) return `${m[1]!.replace(/\\/g, '/').replace(/\.js$/, '.ts')}:${m[2]}`;
  }
  const first = (stack ?? '').split('\n')[1]?.trim();
  return first ?? '?';
}

/** A message with its particulars (numbers, quoted text) blanked, so one bug gives one signature. */
function normalized(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

/** What a thrown value means for the fuzzer. */
export function classify(e: unknown): Outcome {
  if (e instanceof KeelError) {
    if (typeof e.code !== 'string' || !/^[A-Z_]+$/.test(e.code)) return crash(new Error(`KeelError without a stable code: ${String(e.code)}: ${e.message}`));
    return { kind: 'error', code: e.code };
  }
  return crash(e);
}

export function crash(e: unknown): Outcome {
  const err = e instanceof Error ? e : new Error(`non-Error thrown: ${String(e)}`);
  return { kind: 'crash', error: `${err.name}: ${err.message}`.slice(0, 500), signature: `${err.name}: ${normalized(err.message)} @ ${projectFrame(err.stack)}` };
}

export function wrong(signature: string, detail: string): Outcome {
  return { kind: 'wrong', signature, detail: detail.slice(0, 2000) };
}

/** Whether an outcome breaks the rule. */
export function isFailure(o: Outcome): boolean {
  return o.kind === 'crash' || o.kind === 'wrong' || o.kind === 'hang';
}

/** The key failures are grouped by. */
export function signatureOf(o: Outcome): string {
  switch (o.kind) {
    case 'crash':
    case 'wrong':
      return `${o.kind}: ${o.signature}`;
    case 'hang':
      return 'hang';
    default:
      return o.kind;
  }
}

/** One failure signature with the smallest input that shows it. */
export interface FailureGroup {
  readonly kind: string;
  readonly signature: string;
  readonly count: number;
  /** The smallest input found for it (shown as text). */
  readonly input: string;
  /** The error or the check's complaint for that input. */
  readonly detail: string;
  /** Index of the first input that showed it (rerun with the same seed). */
  readonly first: number;
}

/** Counts of one campaign (one input kind). */
export class Tally {
  inputs = 0;
  ok = 0;
  readonly errors = new Map<string, number>();
  /** Typed errors within inputs that ended well (a trace's failed queries), by code. */
  readonly inner = new Map<string, number>();
  readonly failures = new Map<string, FailureGroup>();
  /** Results checked against an oracle or an invariant (a subset of ok). */
  checked = 0;
  elapsedMs = 0;

  constructor(readonly kind: string) {}

  add(o: Outcome, index: number, input: string, checked = false, codes: readonly string[] = []): void {
    this.inputs++;
    if (checked) this.checked++;
    for (const c of codes) this.inner.set(c, (this.inner.get(c) ?? 0) + 1);
    switch (o.kind) {
      case 'ok':
        this.ok++;
        return;
      case 'error':
        this.errors.set(o.code, (this.errors.get(o.code) ?? 0) + 1);
        return;
      default: {
        const into = this.failures;
        const sig = signatureOf(o);
        const old = into.get(sig);
        const detail = o.kind === 'crash' ? o.error : o.kind === 'wrong' ? o.detail : `no result after ${o.ms} ms`;
        if (!old) into.set(sig, { kind: this.kind, signature: sig, count: 1, input, detail, first: index });
        else into.set(sig, { ...old, count: old.count + 1, ...(input.length < old.input.length ? { input, detail } : {}) });
      }
    }
  }

  merge(t: Tally): void {
    this.inputs += t.inputs;
    this.ok += t.ok;
    this.checked += t.checked;
    this.elapsedMs += t.elapsedMs;
    for (const [k, v] of t.errors) this.errors.set(k, (this.errors.get(k) ?? 0) + v);
    for (const [k, v] of t.inner) this.inner.set(k, (this.inner.get(k) ?? 0) + v);
    for (const [k, g] of t.failures) {
      const old = this.failures.get(k);
      if (!old) this.failures.set(k, g);
      else this.failures.set(k, { ...(g.input.length < old.input.length ? g : old), count: old.count + g.count, first: Math.min(old.first, g.first) });
    }
  }

  get failureCount(): number {
    let n = 0;
    for (const g of this.failures.values()) n += g.count;
    return n;
  }

  toJSON(): object {
    return {
      kind: this.kind,
      inputs: this.inputs,
      ok: this.ok,
      checked: this.checked,
      elapsedMs: this.elapsedMs,
      errors: Object.fromEntries(this.errors),
      inner: Object.fromEntries(this.inner),
      failures: [...this.failures.values()],
    };
  }

  static fromJSON(j: ReturnType<Tally['toJSON']>): Tally {
    const o = j as { kind: string; inputs: number; ok: number; checked: number; elapsedMs: number; errors: Record<string, number>; inner?: Record<string, number>; failures: FailureGroup[] };
    const t = new Tally(o.kind);
    t.inputs = o.inputs;
    t.ok = o.ok;
    t.checked = o.checked;
    t.elapsedMs = o.elapsedMs;
    for (const [k, v] of Object.entries(o.errors)) t.errors.set(k, v);
    for (const [k, v] of Object.entries(o.inner ?? {})) t.inner.set(k, v);
    for (const g of o.failures) t.failures.set(g.signature, g);
    return t;
  }
}

/**
 * Shrinks a failing input: tries smaller candidates (chunks of it removed,
 * halves first, down to single elements) and keeps any that still fails the
 * same way, until none does or the budget of reruns is spent.
 */
export async function minimize<T>(items: readonly T[], stillFails: (candidate: readonly T[]) => Promise<boolean>, budget = 400): Promise<T[]> {
  let cur = [...items];
  let runs = 0;
  let chunk = Math.max(1, Math.floor(cur.length / 2));
  while (chunk >= 1 && runs < budget) {
    let removed = false;
    for (let start = 0; start < cur.length && runs < budget; ) {
      const candidate = [...cur.slice(0, start), ...cur.slice(start + chunk)];
      runs++;
      if (candidate.length < cur.length && (await stillFails(candidate))) {
        cur = candidate;
        removed = true;
      } else start += chunk;
    }
    if (!removed) chunk = Math.floor(chunk / 2);
    else chunk = Math.min(chunk, Math.max(1, Math.floor(cur.length / 2)));
  }
  return cur;
}

/** minimize() over the characters of a string. */
export async function minimizeText(text: string, stillFails: (candidate: string) => Promise<boolean>, budget = 400): Promise<string> {
  const chars = Array.from(text);
  return (await minimize(chars, (c) => stillFails(c.join('')), budget)).join('');
}
