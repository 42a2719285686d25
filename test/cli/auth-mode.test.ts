import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { request } from '../support/manager.js';
import { runCli } from './run-cli.js';
import { CHILD_TIMEOUT_MS, type ServeProcess, startServe } from './serve-process.js';

const NO_KEYS_LEFT = 'no API key is left';

/** What an anonymous caller (or one with `key`) gets from the job list and from creating a job. */
async function statuses(url: string, key?: string) {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const list = await fetch(`${url}/v1/jobs`, { headers });
  const create = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ requests: [request('auth-1')] }),
  });
  return { list: list.status, create: create.status };
}

/** Every serve a test started, stopped after it. */
const servers: ServeProcess[] = [];
function serve(env: Record<string, string>, args: string[] = []): ServeProcess {
  const server = startServe({ PORT: '0', ...env }, args);
  servers.push(server);
  return server;
}
afterEach(() => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
});

// Another process changes the keys while serve runs: only a real Postgres can be shared so.
describe.skipIf(!testPostgresUrl())(
  'the auth mode while keys change under a running server',
  () => {
    const urls: string[] = [];
    afterAll(() => Promise.all(urls.map((url) => dropTestDatabase(url))));
    const database = async () => {
      const url = await createTestDatabaseUrl();
      urls.push(url);
      return { DATABASE_URL: url };
    };

    it(
      'never opens a 0.0.0.0 server when its last stored key is revoked, and says so loudly',
      async () => {
        const env = await database();
        const created = await runCli(['keys', 'create', '--tenant', 'dave'], env);
        expect(created.code).toBe(0);
        const key = created.stdout.trim();
        const id = /created (key_[0-9a-f]+)/.exec(created.stderr)![1]!;

        const server = serve({ ...env, HOST: '0.0.0.0' });
        const url = await server.listening();
        expect(server.lines.find((l) => l.auth)).toMatchObject({
          auth: 'keys',
          reason: 'stored API keys exist',
        });
        expect(await statuses(url)).toEqual({ list: 401, create: 401 });
        expect((await statuses(url, key)).list).toBe(200);

        const revoked = await runCli(['keys', 'revoke', id], env);
        expect(revoked.code).toBe(0);
        expect(revoked.stderr).toContain('WARNING: no active stored API key is left');
        expect(revoked.stderr).toContain('do not open: they answer 401 to every request');

        expect(await statuses(url)).toEqual({ list: 401, create: 401 });
        expect(await statuses(url, key)).toEqual({ list: 401, create: 401 });
        const alarm = await server.waitForLine((l) => String(l.msg).includes(NO_KEYS_LEFT));
        expect(alarm.level).toBe('error');
        expect(await statuses(url)).toEqual({ list: 401, create: 401 });

        // Restarted with no key anywhere, it would be open: so it refuses to listen on 0.0.0.0.
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        const again = serve({ ...env, HOST: '0.0.0.0' });
        expect(await again.exited).toBe(2);
        expect(again.stderr()).toContain('refusing to listen on 0.0.0.0 with no API keys');
      },
      CHILD_TIMEOUT_MS,
    );

    it(
      'keeps an open server open when a key is created, and the key works for its tenant',
      async () => {
        const env = await database();
        const server = serve({ ...env, HOST: '127.0.0.1' });
        const url = await server.listening();
        expect(await statuses(url)).toEqual({ list: 200, create: 201 });

        const created = await runCli(['keys', 'create', '--tenant', 'erin'], env);
        expect(created.code).toBe(0);
        expect(created.stderr).toContain('stays open until it is restarted');
        const key = created.stdout.trim();

        expect(await statuses(url)).toEqual({ list: 200, create: 201 });
        const erin = await fetch(`${url}/v1/jobs`, { headers: { 'x-api-key': key } });
        expect(erin.status).toBe(200);
        // erin sees her own jobs only: none of the two created anonymously as tenant default.
        expect(((await erin.json()) as { total: number }).total).toBe(0);
        expect(
          (await fetch(`${url}/v1/jobs`, { headers: { 'x-api-key': 'bk_wrong' } })).status,
        ).toBe(401);
      },
      CHILD_TIMEOUT_MS,
    );
  },
);

describe('the auth mode decided at start-up', () => {
  let dir: string;
  let databaseEnv: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-auth-'));
    databaseEnv = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    if (databaseEnv.DATABASE_URL) await dropTestDatabase(databaseEnv.DATABASE_URL);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'runs keys mode with BATCHKEEPER_AUTH=keys and no key at all: every request is 401, said at error level',
    async () => {
      const server = serve({ ...databaseEnv, HOST: '127.0.0.1', BATCHKEEPER_AUTH: 'keys' });
      const url = await server.listening();
      expect(await statuses(url)).toEqual({ list: 401, create: 401 });
      const alarm = server.lines.find((l) => String(l.msg).includes(NO_KEYS_LEFT));
      expect(alarm).toMatchObject({ level: 'error', auth: 'keys', reason: 'BATCHKEEPER_AUTH' });
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'runs keys mode when BATCHKEEPER_API_KEYS is set',
    async () => {
      const key = 'acme-key-0123456789';
      const server = serve({
        ...databaseEnv,
        HOST: '127.0.0.1',
        BATCHKEEPER_API_KEYS: `acme:${key}`,
      });
      const url = await server.listening();
      expect(await statuses(url)).toEqual({ list: 401, create: 401 });
      expect(await statuses(url, key)).toEqual({ list: 200, create: 201 });
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses BATCHKEEPER_AUTH=open on a non-loopback HOST without --insecure-open (exit 2)',
    async () => {
      const server = serve({ ...databaseEnv, HOST: '0.0.0.0', BATCHKEEPER_AUTH: 'open' });
      expect(await server.exited).toBe(2);
      expect(server.stderr()).toContain('refusing to listen on 0.0.0.0 with BATCHKEEPER_AUTH=open');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'serves open on a non-loopback HOST with --insecure-open, saying so',
    async () => {
      const server = serve({ ...databaseEnv, HOST: '0.0.0.0', BATCHKEEPER_AUTH: 'open' }, [
        '--insecure-open',
      ]);
      const url = await server.listening();
      expect((await statuses(url)).list).toBe(200);
      expect(server.lines.find((l) => l.auth)).toMatchObject({ level: 'warn', auth: 'open' });
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'exits 2 naming BATCHKEEPER_AUTH when it is neither open nor keys',
    async () => {
      const server = serve({ ...databaseEnv, BATCHKEEPER_AUTH: 'sometimes' });
      expect(await server.exited).toBe(2);
      expect(server.stderr()).toContain('BATCHKEEPER_AUTH: must be one of open, keys');
    },
    CHILD_TIMEOUT_MS,
  );
});
