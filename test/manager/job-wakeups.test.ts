import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

// Polling once a minute: a job claimed within the test's time was claimed by a wake-up.
const SLOW_POLL = { schedulerIntervalMs: 60_000 };

describe('wake-ups between instances', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open({ latencyMs: 0 });
  });
  afterAll(() => bed.close());

  it('a job created by one instance is claimed by another at once, not at its next poll', async () => {
    const creator = bed.manager({ worker: false, tenant: 'wake' });
    const worker = bed.manager({ ...SLOW_POLL, tenant: 'wake' });
    await worker.ready();
    const { id } = await creator.createJob({ requests: [request('wake-1')] });
    await waitForStatus(creator, id, ['completed']);
    await bed.closeManagers();
  });

  it.skipIf(!testPostgresUrl())(
    'misses no wake-up when its listening connection is killed: after the reconnect it looks again',
    async () => {
      const creator = bed.manager({ worker: false, tenant: 'reconnect' });
      const worker = bed.manager({ ...SLOW_POLL, tenant: 'reconnect' });
      await worker.ready();
      const killed = await sql<{ pid: number }>`
        select pg_terminate_backend(pid), pid from pg_stat_activity
        where datname = current_database() and query ilike 'listen %'
      `.execute(bed.database.db);
      expect(killed.rows.length).toBe(1);
      // Created while nobody listens: its notification is lost; the reconnect must make up for it.
      const { id } = await creator.createJob({ requests: [request('reconnect-1')] });
      await waitForStatus(creator, id, ['completed']);
      await bed.closeManagers();
    },
  );

  it('a command given on one instance reaches the instance holding the job', async () => {
    const slow = await TestBed.open({ latencyMs: 3_600_000 });
    try {
      const api = slow.manager({ worker: false, tenant: 'command' });
      const holder = slow.manager({ ...SLOW_POLL, tenant: 'command' });
      await holder.ready();
      const { id } = await api.createJob({ requests: [request('command-1')] });
      await waitUntil(async () => (await api.getJob(id))?.batches[0]?.status === 'submitted');
      await api.cancelJob(id);
      // Polling its batch shows the holder nothing new: it cancels because it was told.
      await waitForStatus(api, id, ['cancelled']);
    } finally {
      await slow.close();
    }
  });

  it('stops at once although its scheduler sleeps for a minute', async () => {
    const manager = bed.manager(SLOW_POLL);
    await manager.ready();
    await manager.close();
  });
});
