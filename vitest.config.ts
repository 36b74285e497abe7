import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Verification suites simulate whole days; give them room on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Builds dist/ when a source is newer: worker threads and the bin run compiled code.
    globalSetup: ['test/build-dist.ts'],
  },
});
