import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';

const BIN = new URL('../../bin/batchkeeper', import.meta.url).pathname;
const CLI_TIMEOUT_MS = 120_000;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('batchkeeper keys', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'batchkeeper-keys-'));
    const { DATABASE_URL: _, BATCHKEEPER_DATA_DIR: __, ...inherited } = process.env;
    env = testPostgresUrl()
      ? { ...inherited, DATABASE_URL: await createTestDatabaseUrl() }
      : { ...inherited, BATCHKEEPER_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    if (testPostgresUrl() && env.DATABASE_URL) await dropTestDatabase(env.DATABASE_URL);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
        env,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  // The tests share one database and run in order: create, list, revoke.
  let created: { key: string; id: string };

  it(
    'create prints a new bk_ key once on stdout and its id on stderr',
    async () => {
      const result = await cli('keys', 'create', '--tenant', 'acme', '--name', 'ci');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^bk_[A-Za-z0-9_-]{43}\n$/);
      const id = /created (key_[0-9a-f]+) for tenant acme/.exec(result.stderr)?.[1];
      expect(id).toBeDefined();
      // The first active key: a server running open is not closed by it, and it says so.
      expect(result.stderr).toContain('stays open until it is restarted');
      created = { key: result.stdout.trim(), id: id! };
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'list shows the key by id, tenant and prefix, never the key itself',
    async () => {
      const result = await cli('keys', 'list', '--json');
      const listed = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(listed).toEqual([
        expect.objectContaining({
          id: created.id,
          tenant: 'acme',
          name: 'ci',
          prefix: created.key.slice(0, 11),
          revokedAt: null,
        }),
      ]);
      expect(result.stdout).not.toContain(created.key);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'revoke revokes the key by id',
    async () => {
      const result = await cli('keys', 'revoke', created.id);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`revoked ${created.id} (tenant acme)\n`);
      // The last active key: said loudly, with what it means for servers.
      expect(result.stderr).toContain('WARNING: no active stored API key is left');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'revoke of an unknown id exits 3',
    async () => {
      const result = await cli('keys', 'revoke', 'key_0000000000000000');
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('no API key key_0000000000000000');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'create refuses a tenant name with spaces with exit 2',
    async () => {
      const result = await cli('keys', 'create', '--tenant', 'not a tenant');
      expect(result.code).toBe(2);
    },
    CLI_TIMEOUT_MS,
  );
});
