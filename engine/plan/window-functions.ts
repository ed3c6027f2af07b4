/**
 * The window functions by name, apart from the aggregates (which are window
 * functions too when written with OVER): what the binder needs to know before
 * it binds a call. bind-window.ts binds them; exec/ops/window*.ts run them.
 */

/** Functions that exist only as window functions: a call without OVER is an error naming the missing clause. */
const WINDOW_ONLY: ReadonlySet<string> = new Set([
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile',
  'lag', 'lead', 'first_value', 'last_value', 'nth_value',
]);

export function isWindowOnlyFunction(name: string): boolean {
  return WINDOW_ONLY.has(name);
}

export function windowOnlyFunctions(): readonly string[] {
  return [...WINDOW_ONLY];
}
