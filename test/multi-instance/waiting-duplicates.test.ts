import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitForStatus } from '../support/manager.js';
import { Instances, startedBy } from './support/instances.js';

describe.skipIf(!testPostgresUrl())('jobs that wait for other jobs’ originals', () => {
  let bed: TestBed;
  let instances: Instances;
  beforeEach(async () => {
    bed = await TestBed.open({ latencyMs: 50 });
    instances = new Instances(bed);
  });
  afterEach(async () => {
    await instances.closeAll();
    await bed.close();
  });

  it('give their slot back, so the jobs holding the originals run even when every slot was taken', async () => {
    const front = await instances.start({ tenant: 'waits', worker: false });
    // Originals first, at low priority; then urgent jobs made only of their duplicates,
    // which are claimed first and can finish only after the originals' jobs.
    const originals = [];
    for (const n of [1, 2]) {
      const job = await front.manager.createJob({ requests: [request(`o${n}`)], priority: 'LOW' });
      originals.push(job.id);
    }
    const duplicates = [];
    for (const n of [1, 2]) {
      const job = await front.manager.createJob({
        requests: [request(`o${n}`)],
        priority: 'CRITICAL',
      });
      expect(job.deduplicatedRequests).toBe(1);
      duplicates.push(job.id);
    }
    const workers = await Promise.all(
      [1, 2].map(() => instances.start({ tenant: 'waits', maxConcurrentJobs: 1 })),
    );

    for (const id of [...originals, ...duplicates]) {
      expect((await waitForStatus(front.manager, id, ['completed', 'failed'])).status).toBe(
        'completed',
      );
    }
    for (const [n, id] of duplicates.entries()) {
      const { results } = (await front.manager.getJobResults(id))!;
      expect(results[`req-o${n + 1}`]).toMatchObject({
        _deduplicated: true,
        _originalJobId: originals[n],
        result: { type: 'succeeded' },
      });
    }
    const starts = await Promise.all(duplicates.map((id) => startedBy(bed.database.db, id)));
    console.log(
      `JobStarted per duplicate-only job: ${starts.map((s) => s.length).join(', ')} (instances ${workers.map((w) => w.id).join(', ')})`,
    );
  });
});
