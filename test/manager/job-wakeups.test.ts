import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchJobManager } from '../../src/index.js';
import { JOB_WAKEUP_CHANNEL, parseJobWakeup } from '../../src/store/jobs/job-wakeups.js';
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

  it('a job created on an instance with a free slot is claimed there, waking no other', async () => {
    // Room for every job: a round that fills its last slot tells the others, as there may be more.
    const creator = bed.manager({
      ...SLOW_POLL,
      maxConcurrentJobs: 10,
      tenant: 'local',
      instanceId: 'creator',
    });
    const other = bed.manager({ ...SLOW_POLL, tenant: 'local', instanceId: 'other' });
    await Promise.all([creator.ready(), other.ready()]);
    const heard: string[] = [];
    const listening = await bed.database.listen([JOB_WAKEUP_CHANNEL], {
      notified: (channel, payload) => {
        if (channel === JOB_WAKEUP_CHANNEL) heard.push(payload);
      },
      reconnected: () => {},
    });
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      ids.push((await creator.createJob({ requests: [request(`local-${n}`)] })).id);
    }
    for (const id of ids) await waitForStatus(creator, id, ['completed']);
    for (const id of ids) expect(await startedBy(creator, id, 'local')).toEqual(['creator']);
    await listening.close();
    expect(heard.filter((payload) => parseJobWakeup(payload) === 'work-queued')).toEqual([]);
    await bed.closeManagers();
  });

  it('a job created on an instance with no free slot wakes the others, one of which claims it at once', async () => {
    const slow = await TestBed.open({ latencyMs: 3_600_000 });
    try {
      const full = slow.manager({ ...SLOW_POLL, maxConcurrentJobs: 1, tenant: 'full' });
      const other = slow.manager({ ...SLOW_POLL, tenant: 'full', instanceId: 'other' });
      await Promise.all([full.ready(), other.ready()]);
      const first = await full.createJob({ requests: [request('full-1')] });
      await waitForStatus(full, first.id, ['processing']);
      const second = await full.createJob({ requests: [request('full-2')] });
      await waitForStatus(full, second.id, ['processing']);
      expect(await startedBy(full, second.id, 'full')).toEqual(['other']);
    } finally {
      await slow.close();
    }
  });

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

/** The instances that recorded JobStarted in the job's log, in order. */
async function startedBy(
  manager: BatchJobManager,
  jobId: string,
  tenant: string,
): Promise<string[]> {
  const events = (await manager.forTenant(tenant).readEvents(jobId)) ?? [];
  return events.flatMap((e) =>
    e.type === 'JobStarted' ? [(e.data as { instanceId: string }).instanceId] : [],
  );
}
