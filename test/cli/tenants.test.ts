import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { runCli } from './run-cli.js';

const CLI_TIMEOUT_MS = 120_000;

describe('batchkeeper tenants', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'batchkeeper-tenants-'));
    env = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    if (env.DATABASE_URL) await dropTestDatabase(env.DATABASE_URL);
    await rm(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli(args, env);

  it(
    'sets some limits of a tenant, keeps the others, clears one with "default", and lists them',
    async () => {
      const set = await cli('tenants', 'limits', 'alice', '--max-queue-size', '50', '--json');
      expect(set.code).toBe(0);
      expect(JSON.parse(set.stdout)).toMatchObject({
        tenant: 'alice',
        maxQueueSize: 50,
        maxConcurrentJobs: null,
      });
      const more = await cli('tenants', 'limits', 'alice', '--max-concurrent-jobs', '2', '--json');
      expect(JSON.parse(more.stdout)).toMatchObject({ maxQueueSize: 50, maxConcurrentJobs: 2 });
      const cleared = await cli('tenants', 'limits', 'alice', '--max-queue-size', 'default');
      expect(cleared.stdout).toMatch(/alice\s+default\s+2\s+default/);
      const list = await cli('tenants', 'list', '--json');
      expect(
        list.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).tenant),
      ).toEqual(['alice']);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'refuses bad input with exit 2 and writes nothing',
    async () => {
      const bad = await cli('tenants', 'limits', 'bob', '--max-queue-size', '-3');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('a whole number');
      const none = await cli('tenants', 'limits', 'bob');
      expect(none.code).toBe(2);
      const list = await cli('tenants', 'list', '--json');
      expect(list.stdout).not.toContain('bob');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'clears every override of a tenant',
    async () => {
      const cleared = await cli('tenants', 'limits', 'alice', '--clear');
      expect(cleared.code).toBe(0);
      expect(cleared.stderr).toContain("cleared alice's limits");
      expect((await cli('tenants', 'list')).stdout).toContain('no tenant has limits of its own');
    },
    CLI_TIMEOUT_MS,
  );
});
