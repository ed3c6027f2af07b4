/**
 * Time spent generating and compiling query code on this thread (expression
 * and predicate functions, fused aggregate updates), and how often compiled
 * code was found in a cache instead. A statement reads the clock before and
 * after it runs: its compile phase (QueryStats.phases) is the difference.
 * Module state, like the caches it measures: statements that overlap on this
 * thread (awaiting worker threads) can see each other's compilations; code
 * compiled on a worker thread is not counted here.
 */
export const compileClock = {
  /** Milliseconds spent in code generation and `new Function`. */
  ms: 0,
  /** Functions made with `new Function`. */
  compiled: 0,
  /** Functions (or their generated source) found already compiled. */
  reused: 0,
};

/** Runs `make` with its time added to the clock. */
export function timedCompile<T>(make: () => T): T {
  const t0 = performance.now();
  try {
    return make();
  } finally {
    compileClock.ms += performance.now() - t0;
  }
}
