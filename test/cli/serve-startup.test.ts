import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFormatFrom } from '../../src/observability/logger.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { CHILD_TIMEOUT_MS, type ServeProcess, startServe } from './serve-process.js';

describe('the log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(logFormatFrom(undefined, true)).toBe('pretty');
    expect(logFormatFrom('', false)).toBe('json');
    expect(logFormatFrom('json', true)).toBe('json');
    expect(logFormatFrom('PRETTY', false)).toBe('pretty');
    expect(() => logFormatFrom('xml', false)).toThrow('LOG_FORMAT: must be one of json, pretty');
  });
});

// One after another on one database (an embedded folder is held by one process at a time).
describe('serve starting up', () => {
  let dir: string;
  let databaseEnv: Record<string, string>;
  const servers: ServeProcess[] = [];
  function serve(env: Record<string, string>): ServeProcess {
    const server = startServe({ ...databaseEnv, HOST: '127.0.0.1', ...env });
    servers.push(server);
    return server;
  }
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-startup-'));
    databaseEnv = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    if (databaseEnv.DATABASE_URL) await dropTestDatabase(databaseEnv.DATABASE_URL);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'refuses a LOG_FORMAT it does not know (exit 2), naming the variable',
    async () => {
      const server = serve({ PORT: '0', LOG_FORMAT: 'xml' });
      expect(await server.exited).toBe(2);
      expect(server.stderr()).toBe('error: LOG_FORMAT: must be one of json, pretty (got "xml")\n');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'says which port is in use and how to choose another, without a stack trace (exit 4)',
    async () => {
      const holder: Server = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const { port } = holder.address() as AddressInfo;
      try {
        const server = serve({ PORT: String(port) });
        expect(await server.exited).toBe(4);
        expect(server.stderr()).toBe(
          `error: port ${port} is in use (another batchkeeper or program is listening); stop it ` +
            `or choose another with PORT=${port + 1} or --port ${port + 1}\n`,
        );
        // It had started the rest; it stopped it all again before exiting.
        expect(server.lines.at(-1)?.msg).toBe('stopped');
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'writes logs for people with LOG_FORMAT=pretty, and the banner on stderr once listening',
    async () => {
      const server = serve({ PORT: '0', LOG_FORMAT: 'pretty' });
      while (!server.text.some((line) => line.includes('listening on'))) {
        if (server.child.exitCode !== null) throw new Error(`serve exited:\n${server.stderr()}`);
        await sleep(50);
      }
      expect(server.lines).toEqual([]);
      const listening = server.text.find((line) => line.includes('listening on'))!;
      expect(listening).toMatch(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: listening on http:\/\/127\.0\.0\.1:\d+/,
      );
      const url = /listening on (\S+)/.exec(listening)![1]!;
      while (!server.stderr().includes('stop ')) await sleep(20);
      const banner = server.stderr();
      expect(banner).toContain('is ready');
      expect(banner).toMatch(new RegExp(`API +${url}\\n`));
      expect(banner).toMatch(new RegExp(`docs +${url}/docs\\n`));
      expect(banner).toMatch(/Anthropic +http:\/\/127\.0\.0\.1:\d+ \(the built-in simulator/);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    },
    CHILD_TIMEOUT_MS,
  );
});
