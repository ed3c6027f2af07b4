import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default for `vitest run` is one worker fewer than the cores: on CI's 2 cores that is one worker, and the
    // suite ran file after file. Two workers use both cores; the crash tests' children and the CLI tests' processes
    // mostly wait on process start and fsync, so they share them well.
    maxWorkers: 2,
  },
});
