import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { commitJobEvents, loadJob } from '../../src/machines/job-store.js';
import { readStream } from '../../src/store/event-store.js';
import { acquireLease } from '../../src/store/jobs/job-leases.js';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';
import { Instances, msSince, ownerOf, startedBy, startedEvent } from './support/instances.js';

const HOUR = 60 * 60_000;
const LEASE_TTL_MS = 1000;

describe.skipIf(!testPostgresUrl())('leases across instances on one Postgres', () => {
  let bed: TestBed;
  let instances: Instances;
  // A database and simulator per test: no test's unfinished jobs are the next one's to take over.
  beforeEach(async () => {
    // Batches wait at the simulator until the test moves its clock on.
    bed = await TestBed.open({ latencyMs: HOUR });
    instances = new Instances(bed);
  });
  afterEach(async () => {
    await instances.closeAll();
    await bed.close();
  });

  const db = () => bed.database.db;
  const endBatches = () => bed.simulator.clock.advance(HOUR);
  const submitted = (jobId: string) => async () => {
    const batch = await db()
      .selectFrom('job_batches')
      .select('status')
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return batch?.status === 'submitted';
  };

  it('holds a processing job under a lease of its instance and renews it before it lapses', async () => {
    const a = await instances.start({ tenant: 'renew', leaseTtlMs: LEASE_TTL_MS });
    const { id } = await a.manager.createJob({ requests: [request('held')] });
    await waitUntil(submitted(id));
    const first = await leaseOf(id);
    expect(first?.owner).toBe(a.id);
    await waitUntil(async () => (await leaseOf(id))!.expires_at > first!.expires_at);
    const renewed = await leaseOf(id);
    expect(renewed?.owner).toBe(a.id);
    expect(await startedBy(db(), id)).toEqual([a.id]);
  });

  it('takes over the jobs of an instance that stopped renewing, and finishes them without sending anything twice', async () => {
    const a = await instances.start({ tenant: 'crash', leaseTtlMs: LEASE_TTL_MS });
    const ids = await Promise.all(
      [1, 2, 3].map(async (n) => (await a.manager.createJob({ requests: [request(`c${n}`)] })).id),
    );
    for (const id of ids) await waitUntil(submitted(id));
    const created = bed.simulator.stats().batchesCreated;
    const b = await instances.start({ tenant: 'crash', leaseTtlMs: LEASE_TTL_MS });

    const crashedAt = Date.now();
    await a.crash();
    for (const id of ids) {
      await waitUntil(async () => (await startedEvent(db(), id, b.id)) !== undefined);
    }
    const takeovers = await Promise.all(
      ids.map(async (id) => msSince(crashedAt, (await startedEvent(db(), id, b.id))!)),
    );
    console.log(
      `takeover after a crash (lease TTL ${LEASE_TTL_MS} ms): ${takeovers.map((ms) => `${ms} ms`).join(', ')}`,
    );

    endBatches();
    for (const id of ids) {
      const job = await waitForStatus(b.manager, id, ['completed', 'failed']);
      expect(job.status).toBe('completed');
      expect(await startedBy(db(), id)).toEqual([a.id, b.id]);
    }
    expect(bed.simulator.stats().batchesCreated).toBe(created);
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
  });

  it('hands its leases over when it stops, so another instance carries on at once', async () => {
    const a = await instances.start({ tenant: 'handover', leaseTtlMs: 60_000 });
    const { id } = await a.manager.createJob({ requests: [request('handed')] });
    await waitUntil(submitted(id));
    const b = await instances.start({ tenant: 'handover', leaseTtlMs: 60_000 });

    const stoppedAt = Date.now();
    await a.manager.close();
    await waitUntil(async () => (await startedEvent(db(), id, b.id)) !== undefined);
    console.log(
      `takeover after a graceful stop (lease TTL 60000 ms): ${msSince(stoppedAt, (await startedEvent(db(), id, b.id))!)} ms`,
    );
    endBatches();
    expect((await waitForStatus(b.manager, id, ['completed', 'failed'])).status).toBe('completed');
    expect(await startedBy(db(), id)).toEqual([a.id, b.id]);
  });

  it('fences a stale owner: once another instance took the job, it writes nothing more and drops it', async () => {
    // A's heartbeat is 20 s apart, so it does not notice the loss by itself during the test;
    // busy with one job, it takes no lapsed lease back either.
    const a = await instances.start({ tenant: 'stale', leaseTtlMs: 60_000, maxConcurrentJobs: 1 });
    const { id } = await a.manager.createJob({ requests: [request('s1'), request('s2')] });
    await waitUntil(submitted(id));
    // A stalls (a long pause, a slow network): its lease lapses although it is alive.
    await db()
      .updateTable('job_leases')
      .set({ expires_at: sql<Date>`'-infinity'::timestamptz` })
      .where('job_id', '=', id)
      .execute();
    const b = await instances.start({ tenant: 'stale', leaseTtlMs: LEASE_TTL_MS });
    await waitUntil(async () => (await startedEvent(db(), id, b.id)) !== undefined);

    endBatches();
    await waitForStatus(b.manager, id, ['completed']);
    await waitUntil(async () => !(await a.heldJobs()).includes(id));
    const events = await readStream(db(), id);
    const takeover = events.findIndex(
      (e) => e.type === 'JobStarted' && e.metadata.instanceId === b.id,
    );
    expect(events.slice(takeover).map((e) => e.metadata.instanceId)).toEqual(
      events.slice(takeover).map(() => b.id),
    );
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
  });

  it('takes a lapsed lease over once it has lapsed and not before, on the clock the instances share', async () => {
    const clock = new ManualClock(new Date('2026-12-01T09:00:00.000Z'));
    const ttl = 10_000;
    const queuer = bed.manager({ tenant: 'clock', worker: false, clock });
    const { id } = await queuer.createJob({ requests: [request('held')] });
    // An instance claimed it and then died: its lease runs until 09:00:10 on the shared clock.
    await db()
      .transaction()
      .execute(async (trx) => {
        const job = await loadJob(trx, id);
        const at = clock.now();
        await commitJobEvents(
          trx,
          job,
          [{ type: 'JobStarted', data: { at: at.toISOString(), instanceId: 'crashed' } }],
          { instanceId: 'crashed' },
        );
        await acquireLease(trx, id, 'crashed', at, new Date(at.getTime() + ttl));
      });
    clock.advance(ttl - 1);
    const b = await instances.start({ tenant: 'clock', leaseTtlMs: ttl, clock });
    // B's first round looked at the lapsed leases (at ttl − 1); it claims a job queued now.
    const probe = await queuer.createJob({ requests: [request('probe')] });
    await waitUntil(async () => (await startedEvent(db(), probe.id, b.id)) !== undefined);
    expect(await ownerOf(db(), id)).toBe('crashed');
    expect(await startedEvent(db(), id, b.id)).toBeUndefined();

    clock.advance(2);
    await waitUntil(async () => (await startedEvent(db(), id, b.id)) !== undefined);
    expect(await ownerOf(db(), id)).toBe(b.id);
  });

  it('never lets two instances start the same queued job', async () => {
    const front = await instances.start({ tenant: 'spread', worker: false });
    const workers = await Promise.all(
      [1, 2, 3].map(() =>
        // Claims are under test, not takeovers: a lease long enough that no stall of a loaded
        // machine lets one lapse (with one second, CI saw a job started twice after a lapse).
        instances.start({ tenant: 'spread', maxConcurrentJobs: 10, leaseTtlMs: 15_000 }),
      ),
    );
    const ids = [];
    for (let n = 0; n < 30; n++) {
      ids.push((await front.manager.createJob({ requests: [request(`q${n}`)] })).id);
    }
    for (const id of ids) await waitUntil(submitted(id));
    const starters = await Promise.all(ids.map((id) => startedBy(db(), id)));
    expect(starters.every((s) => s.length === 1)).toBe(true);
    const share = workers.map((w) => starters.filter((s) => s[0] === w.id).length);
    console.log(`30 queued jobs claimed by three instances: ${share.join(' / ')}`);
    expect(share.reduce((a, b) => a + b, 0)).toBe(30);
    // Four managers in one process: 18-25 s in loaded CI runs here, 6 s on a quiet machine.
  }, 90_000);

  it('lets an instance without a worker take jobs that only instances with one run', async () => {
    const front = await instances.start({ tenant: 'roles', worker: false });
    const back = await instances.start({ tenant: 'roles', leaseTtlMs: LEASE_TTL_MS });
    const { id } = await front.manager.createJob({ requests: [request('role')] });
    await waitUntil(submitted(id));
    expect(await ownerOf(db(), id)).toBe(back.id);
    endBatches();
    expect((await waitForStatus(front.manager, id, ['completed'])).status).toBe('completed');
    expect(await startedBy(db(), id)).toEqual([back.id]);
  });

  async function leaseOf(jobId: string) {
    return db()
      .selectFrom('job_leases')
      .select(['owner', 'expires_at'])
      .where('job_id', '=', jobId)
      .executeTakeFirst();
  }
});
