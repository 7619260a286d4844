import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Workers run the build in dist/; rebuild it first when it is older than the sources.
    globalSetup: ['test/global-setup.ts'],
    // Integration suites start real worker processes; on a 2-core machine running
    // many files at once only adds contention and timeouts.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Distributed-GC tests force collections to check that forgotten references are released.
    execArgv: ['--expose-gc'],
  },
});
