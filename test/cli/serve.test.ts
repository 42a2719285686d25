import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';

const BIN = new URL('../../bin/batchkeeper', import.meta.url).pathname;
// Each run starts a process that compiles TypeScript and opens a database (an embedded one is slow to create).
const CHILD_TIMEOUT_MS = 120_000;

interface ServeProcess {
  child: ChildProcess;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first log line that `match` accepts. */
  waitForLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** `batchkeeper serve` as a child process, its environment cleared of our variables but for `env`. */
function startServe(env: Record<string, string>, args: string[] = []): ServeProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('BATCHKEEPER_') &&
        !name.startsWith('ANTHROPIC_') &&
        !['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(name),
    ),
  );
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine: (match) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        void exited.then((code) =>
          reject(new Error(`serve exited (${code}) first; stderr:\n${stderr}`)),
        );
      }),
  };
}

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
