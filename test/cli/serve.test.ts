import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { CHILD_TIMEOUT_MS, type ServeProcess, startServe } from './serve-process.js';

describe('batchkeeper serve', () => {
  let dataDir: string;
  let databaseEnv: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'batchkeeper-serve-'));
    databaseEnv = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    if (databaseEnv.DATABASE_URL) await dropTestDatabase(databaseEnv.DATABASE_URL);
    await rm(dataDir, { recursive: true, force: true });
  });

  // These run in order against one server: started here, stopped by the last test.
  describe('running open on loopback', () => {
    let serve: ServeProcess;
    let url: string;
    beforeAll(async () => {
      serve = startServe({ ...databaseEnv, PORT: '0', HOST: '127.0.0.1' });
      const listening = await serve.waitForLine((line) =>
        String(line.msg).startsWith('listening on'),
      );
      url = listening.url as string;
    }, CHILD_TIMEOUT_MS);
    afterAll(() => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    });

    it('answers /healthz with 200 over a real port', async () => {
      const response = await fetch(`${url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz with 200 once migrated', async () => {
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(200);
    });

    it('names the docs and Anthropic addresses on its listening line, and prints no banner in JSON mode', () => {
      const listening = serve.lines.find((line) => String(line.msg).startsWith('listening on'));
      expect(listening).toMatchObject({
        level: 'info',
        url,
        docs: `${url}/docs`,
        anthropic: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        simulator: true,
      });
      expect(serve.stderr()).toBe('');
    });

    it('says at start-up that it runs open as tenant default', () => {
      expect(serve.lines.some((line) => String(line.msg).includes('the API is open'))).toBe(true);
    });

    it('says at start-up that it uses the built-in simulator without ANTHROPIC_API_KEY', () => {
      expect(serve.lines.some((line) => String(line.msg).includes('built-in simulator'))).toBe(
        true,
      );
    });

    it(
      'exits 0 after SIGTERM, having stopped cleanly',
      async () => {
        serve.child.kill('SIGTERM');
        expect(await serve.exited).toBe(0);
        expect(serve.lines.map((line) => line.msg)).toContain('stopped');
      },
      CHILD_TIMEOUT_MS,
    );
  });

  it(
    'refuses a non-loopback HOST when no API key is configured',
    async () => {
      const serve = startServe({ ...databaseEnv, PORT: '0', HOST: '0.0.0.0' });
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toContain('refusing to listen on 0.0.0.0 with no API keys');
      expect(serve.stderr()).toContain('--insecure-open');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'exits 2 when asked to run neither the API nor the worker',
    async () => {
      const serve = startServe(databaseEnv, ['--no-api', '--no-worker']);
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toContain('leave nothing to run');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'exits 2 naming the variable when the configuration is bad',
    async () => {
      const serve = startServe({ ...databaseEnv, PORT: 'eighty' });
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toContain('PORT: must be a whole number');
    },
    CHILD_TIMEOUT_MS,
  );
});
