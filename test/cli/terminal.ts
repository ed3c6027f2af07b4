/** For the tests of what only a terminal shows: standard error as a terminal, its output collected. */
import { vi } from 'vitest';

/**
 * Runs `fn` with standard error a terminal, collecting what is written to it
 * (and to standard output); the writes are mocked until vi.restoreAllMocks().
 */
export function onTerminal(fn: () => void): { err: string; out: string } {
  const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  let err = '';
  let out = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    fn();
  } finally {
    if (had) Object.defineProperty(process.stderr, 'isTTY', had);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
  return { err, out };
}
