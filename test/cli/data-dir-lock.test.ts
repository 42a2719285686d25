import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { CHILD_TIMEOUT_MS, inheritedEnv, type ServeProcess, startServe } from './serve-process.js';

const RUN_TS = new URL('../../bin/run-ts', import.meta.url).pathname;
const OPEN_MANAGER = new URL('./fixtures/open-manager.ts', import.meta.url).pathname;

// Embedded PGlite whatever the suite runs on: this is about the embedded folder. The tests run
// in order against one folder and the processes that take it in turn.
describe('one process at a time on an embedded data folder', () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServeProcess;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-one-owner-'));
    env = { BATCHKEEPER_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' };
    server = startServe({ ...env, PORT: '0', HOST: '127.0.0.1' });
    url = await server.listening();
  }, CHILD_TIMEOUT_MS);
  afterAll(async () => {
    for (const s of [server, restarted]) if (s?.child.exitCode === null) s.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  let restarted: ServeProcess | undefined;

  it(
    'refuses `keys create` while serve runs: exit 4, the server named by pid, no key printed',
    async () => {
      const run = await runCli(['keys', 'create', '--tenant', 'acme'], env);
      expect(run.code).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `error: the embedded database in ${env.BATCHKEEPER_DATA_DIR} is open by batchkeeper serve (pid ${server.child.pid}`,
      );
      expect(run.stderr).toContain(
        'stop it first, or run both against a Postgres with DATABASE_URL',
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses every other command that opens the database in the same way',
    async () => {
      const runs = await Promise.all([
        runCli(['keys', 'list'], env),
        runCli(['keys', 'revoke', 'key_0000000000000000'], env),
        runCli(['migrate'], env),
        runCli(['projections', 'rebuild', '--check'], env),
      ]);
      for (const run of runs) {
        expect(run.code).toBe(4);
        expect(run.stderr).toContain(`(pid ${server.child.pid}`);
      }
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses a second serve on the folder with exit 4',
    async () => {
      const second = startServe({ ...env, PORT: '0', HOST: '127.0.0.1' });
      expect(await second.exited).toBe(4);
      expect(second.stderr()).toContain(`open by batchkeeper serve (pid ${server.child.pid}`);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses the library’s BatchJobManager with a DataDirLockedError naming the server',
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [RUN_TS, OPEN_MANAGER, env.BATCHKEEPER_DATA_DIR!],
        { env: inheritedEnv() },
      );
      expect(JSON.parse(stdout)).toMatchObject({
        typed: true,
        name: 'DataDirLockedError',
        ownerPid: server.child.pid,
      });
    },
    CHILD_TIMEOUT_MS,
  );

  it('keeps serving, still open: no refused command changed what it runs with', async () => {
    const response = await fetch(`${url}/v1/jobs`);
    expect(response.status).toBe(200);
  });

  it(
    'lets `keys create` take the folder over at once after the server is killed with SIGKILL',
    async () => {
      server.child.kill('SIGKILL');
      await server.exited;
      expect(existsSync(join(env.BATCHKEEPER_DATA_DIR!, 'batchkeeper.lock'))).toBe(true);

      const listed = await runCli(['keys', 'list', '--json'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toBe(''); // the refused create wrote nothing

      const created = await runCli(['keys', 'create', '--tenant', 'acme'], env);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^bk_/);
      key = created.stdout.trim();
      expect(existsSync(join(env.BATCHKEEPER_DATA_DIR!, 'batchkeeper.lock'))).toBe(false);
    },
    CHILD_TIMEOUT_MS,
  );
  let key: string;

  it(
    'starts the next server in keys mode, and it accepts the key made while it was down',
    async () => {
      restarted = startServe({ ...env, PORT: '0', HOST: '127.0.0.1' });
      const restartedUrl = await restarted.listening();
      expect((await fetch(`${restartedUrl}/v1/jobs`)).status).toBe(401);
      const withKey = await fetch(`${restartedUrl}/v1/jobs`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(withKey.status).toBe(200);

      restarted.child.kill('SIGTERM');
      expect(await restarted.exited).toBe(0);
      expect(existsSync(join(env.BATCHKEEPER_DATA_DIR!, 'batchkeeper.lock'))).toBe(false);
    },
    CHILD_TIMEOUT_MS,
  );
});
