import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CHILD_TIMEOUT_MS, type ServeProcess, startServe } from './serve-process.js';

/** What an idle `npm start` on the embedded database may hold (issue 12: it held 890 MB). */
const IDLE_RSS_LIMIT_MB = 400;

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe.skipIf(!existsSync('/proc/self/status'))('an idle serve on the embedded database', () => {
  let dir: string | undefined;
  let server: ServeProcess | undefined;
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    `holds at most ${IDLE_RSS_LIMIT_MB} MB of resident memory on its first start`,
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'batchkeeper-memory-'));
      server = startServe({ BATCHKEEPER_DATA_DIR: join(dir, 'data'), PORT: '0' });
      await server.listening();
      await sleep(10_000);
      expect(residentMb(server.child.pid!)).toBeLessThanOrEqual(IDLE_RSS_LIMIT_MB);
    },
    CHILD_TIMEOUT_MS,
  );
});
