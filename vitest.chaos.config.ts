import { defineConfig } from 'vitest/config';

/**
 * The chaos suite (`npm run test:chaos`): real processes on a private Postgres
 * cluster it starts itself, so it needs no DATABASE_URL and no global setup.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 15 * 60_000,
  },
});
