import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { childEnv, exampleCustomIds, REPO, run } from './child-process.js';

// A child that compiles TypeScript on load and creates an embedded Postgres on its first start.
const CHILD_TIMEOUT_MS = 180_000;

describe('the TypeScript example, run from the checkout as bin/run-ts runs scripts', () => {
  let scratch: string;
  let databaseUrl: string | undefined;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'batchkeeper-examples-'));
    if (testPostgresUrl()) databaseUrl = await createTestDatabaseUrl();
  });
  afterAll(async () => {
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await rm(scratch, { recursive: true, force: true });
  });

  it(
    'creates a job, waits for it, prints every result and exits 0 on its own',
    async () => {
      const example = await run(process.execPath, ['bin/run-ts', 'examples/wait-for-job.ts'], {
        cwd: REPO,
        env: childEnv(
          databaseUrl
            ? { DATABASE_URL: databaseUrl }
            : { BATCHKEEPER_DATA_DIR: join(scratch, 'data') },
        ),
      });
      expect(example.code, example.stderr).toBe(0);
      const id = /\b(job_[a-z0-9]+)\b/.exec(example.stdout)?.[1];
      expect(id, example.stdout).toBeDefined();
      expect(example.stdout).toContain(`${id} completed`);
      for (const customId of await exampleCustomIds()) {
        expect(example.stdout).toMatch(new RegExp(`^${customId}: \\S`, 'm'));
      }
    },
    CHILD_TIMEOUT_MS,
  );
});
