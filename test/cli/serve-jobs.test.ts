import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { request } from '../support/manager.js';
import { runCli } from './run-cli.js';

const BIN = new URL('../../bin/batchkeeper', import.meta.url).pathname;
const CHILD_TIMEOUT_MS = 120_000;

describe('batchkeeper serve running jobs end to end', () => {
  let dir: string;
  let databaseEnv: Record<string, string>;
  let serve: ChildProcess;
  let exited: Promise<number | null>;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-serve-jobs-'));
    databaseEnv = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: join(dir, 'data') };
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) =>
          !name.startsWith('BATCHKEEPER_') &&
          !name.startsWith('ANTHROPIC_') &&
          !['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(name),
      ),
    );
    serve = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...inherited, ...databaseEnv, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    exited = new Promise((resolve) => serve.once('exit', resolve));
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).on('line', (text) => {
        const line = JSON.parse(text) as { msg?: string; url?: string };
        if (line.msg?.startsWith('listening on')) resolve(line.url!);
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}) before listening`)));
    });
  }, CHILD_TIMEOUT_MS);
  afterAll(async () => {
    if (serve.exitCode === null) serve.kill('SIGKILL');
    if (databaseEnv.DATABASE_URL) await dropTestDatabase(databaseEnv.DATABASE_URL);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'runs a job submitted with the CLI to completion on its own worker and simulator',
    async () => {
      const file = join(dir, 'job.jsonl');
      await writeFile(
        file,
        [request('served-1'), request('served-2')].map((r) => JSON.stringify(r)).join('\n'),
      );
      const run = await runCli(['submit', file, '--wait', '--json'], { BATCHKEEPER_URL: url });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        status: 'completed',
        progress: expect.objectContaining({ completed: 2 }),
      });
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'closes the job manager and exits 0 on SIGTERM',
    async () => {
      serve.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    CHILD_TIMEOUT_MS,
  );
});
