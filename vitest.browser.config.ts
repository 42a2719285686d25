import { defineConfig } from 'vitest/config';

/**
 * The browser tests (`npm run test:browser`): the built pages in Debian's Chromium
 * (/usr/bin/chromium, driven by playwright-core) against a real server on real Postgres.
 * One file at a time: each runs a server and a browser.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/build-pages.ts', 'test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
