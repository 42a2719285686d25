import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitUntil } from '../support/manager.js';

let bed: TestBed;
beforeAll(async () => {
  bed = await TestBed.open();
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await bed.closeManagers();
});
afterAll(async () => {
  await bed.close();
});

const LEASE_TTL_MS = 300;
const HEARTBEAT_MS = LEASE_TTL_MS / 3;

/** Lets pending callbacks and the promises they start run (setImmediate is a real timer here). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe.skipIf(!testPostgresUrl())('a closed manager', () => {
  it('runs no heartbeat once closed: waiting past several prints nothing to stderr', async () => {
    // Only the periodic timers are the test's: the heartbeat fires when the test says so.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const manager = bed.manager({
      // Its own pool, closed by close(): a renewal after it would fail on a destroyed driver.
      database: undefined,
      databaseUrl: bed.database.url,
      leaseTtlMs: LEASE_TTL_MS,
    });
    const { id } = await manager.createJob({ requests: [request(1)] });
    // The simulator's clock stands still: the batch stays in flight and the job stays held.
    await waitUntil(async () => (await manager.runtime()).worker?.heldJobs().includes(id) ?? false);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    await settle();

    const printed: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void printed.push(args));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      printed.push(chunk);
      return true;
    });
    await manager.close();
    expect(vi.getTimerCount()).toBe(0);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(HEARTBEAT_MS);
      await settle();
    }
    expect(printed).toEqual([]);
  });
});
