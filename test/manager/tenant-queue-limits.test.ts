import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTenantLimits } from '../../src/store/jobs/tenant-limits.js';
import { request, TestBed } from '../support/manager.js';

describe("one tenant cannot fill the queue for everyone (issue 15's reported case)", () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await TestBed.open({ latencyMs: 0 });
  });
  afterEach(() => bed.close());

  it("given alice's five waiting jobs fill maxQueueSize 5, bob's first job is admitted, and alice's sixth refused with her own numbers", async () => {
    const alice = bed.manager({ worker: false, tenant: 'alice', maxQueueSize: 5 });
    const bob = bed.manager({ worker: false, tenant: 'bob', maxQueueSize: 5 });
    for (let n = 0; n < 5; n++) await alice.createJob({ requests: [request(`alice-${n}`)] });

    await expect(bob.createJob({ requests: [request('bob-0')] })).resolves.toMatchObject({
      status: 'queued',
    });
    const refused = await alice
      .createJob({ requests: [request('alice-5')] })
      .catch((error: Error) => error);
    expect(refused).toMatchObject({ name: 'QueueFullError', status: 429 });
    expect((refused as Error).message).toContain('5 of your jobs are waiting');
    // Nothing about bob's jobs or the queue's total.
    expect((refused as Error).message).not.toMatch(/\b6\b/);
  });

  it('admits each tenant up to an even share while the shared queue is full', async () => {
    const limits = { worker: false, maxQueueSize: 5, tenantMaxQueueSize: 10 } as const;
    const alice = bed.manager({ ...limits, tenant: 'alice' });
    const bob = bed.manager({ ...limits, tenant: 'bob' });
    for (let n = 0; n < 5; n++) await alice.createJob({ requests: [request(`alice-${n}`)] });
    await bob.createJob({ requests: [request('bob-0')] });
    await bob.createJob({ requests: [request('bob-1')] });
    await expect(bob.createJob({ requests: [request('bob-2')] })).rejects.toMatchObject({
      name: 'QueueFullError',
      message: expect.stringContaining('you may have 2 jobs waiting'),
    });
    await expect(alice.createJob({ requests: [request('alice-5')] })).rejects.toMatchObject({
      name: 'QueueFullError',
    });
  });

  it('refuses a tenant at its own quota while the queue has room, and its override raises it', async () => {
    const carol = bed.manager({
      worker: false,
      tenant: 'carol',
      maxQueueSize: 100,
      tenantMaxQueueSize: 2,
    });
    await carol.createJob({ requests: [request('carol-0')] });
    await carol.createJob({ requests: [request('carol-1')] });
    await expect(carol.createJob({ requests: [request('carol-2')] })).rejects.toMatchObject({
      name: 'QueueFullError',
      message: expect.stringContaining('2 of your jobs are waiting'),
    });
    await setTenantLimits(bed.database.db, 'carol', { maxQueueSize: 3 });
    await expect(carol.createJob({ requests: [request('carol-2')] })).resolves.toMatchObject({
      status: 'queued',
    });
  });
});
