import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { fingerprintParams } from '../../src/domain/fingerprint.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import { claimOriginals } from '../../src/store/jobs/job-requests.js';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitForStatus } from '../support/manager.js';

describe('deduplication', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open();
  });
  afterEach(() => bed.closeManagers());
  afterAll(() => bed.close());

  it('sends a request repeated inside a job once, and gives the copy the original’s result', async () => {
    const manager = bed.manager({ tenant: 'within' });
    const { id, uniqueRequests, deduplicatedRequests } = await manager.createJob({
      requests: [
        request('one', 'same question'),
        request('two', 'same question'),
        request('three'),
      ],
    });
    expect({ uniqueRequests, deduplicatedRequests }).toEqual({
      uniqueRequests: 2,
      deduplicatedRequests: 1,
    });
    await waitForStatus(manager, id, ['completed']);
    const { results } = (await manager.getJobResults(id))!;
    expect(results['req-two']).toMatchObject({ _deduplicated: true, _originalJobId: id });
    expect(results['req-two']!.result).toEqual(results['req-one']!.result);
    expect(bed.simulator.stats().requestsReceived).toBe(2);
  });

  it('does not send a request another job of the tenant sent within the window', async () => {
    const manager = bed.manager({ tenant: 'across' });
    const first = await manager.createJob({ requests: [request('a', 'shared across jobs')] });
    await waitForStatus(manager, first.id, ['completed']);
    const before = bed.simulator.stats().requestsReceived;
    const second = await manager.createJob({ requests: [request('b', 'shared across jobs')] });
    expect(second.deduplicatedRequests).toBe(1);
    await waitForStatus(manager, second.id, ['completed']);
    expect(bed.simulator.stats().requestsReceived).toBe(before);
    const { results } = (await manager.getJobResults(second.id))!;
    expect(results['req-b']).toMatchObject({ _deduplicated: true, _originalJobId: first.id });
  });

  it('remembers fingerprints across a restart of the manager', async () => {
    const first = bed.manager({ tenant: 'restart', worker: false });
    await first.createJob({ requests: [request('r', 'asked before the restart')] });
    await first.close();
    const second = bed.manager({ tenant: 'restart', worker: false });
    const again = await second.createJob({ requests: [request('r2', 'asked before the restart')] });
    expect(again.deduplicatedRequests).toBe(1);
  });

  it('sends again once the window has passed', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const manager = bed.manager({
      tenant: 'window',
      worker: false,
      clock,
      deduplicationWindowMs: 60_000,
    });
    await manager.createJob({ requests: [request('w', 'asked twice, far apart')] });
    clock.advance(60_001);
    const later = await manager.createJob({ requests: [request('w2', 'asked twice, far apart')] });
    expect(later.deduplicatedRequests).toBe(0);
  });

  it('deduplicates between two jobs of a tenant created at the same moment', async () => {
    const asked = Array.from({ length: 20 }, (_, i) => `asked twice at once ${i}`);
    const [a, b] = await Promise.all(
      ['a', 'b'].map((side) =>
        bed
          .manager({ tenant: 'at-once', worker: false })
          .createJob({ requests: asked.map((text, i) => request(`${side}-${i}`, text)) }),
      ),
    );
    expect([a!.deduplicatedRequests, b!.deduplicatedRequests].sort()).toEqual([0, 20]);
  });

  it.skipIf(!testPostgresUrl())(
    'holds up a creation only while another is claiming the same request, never the tenant’s other creations',
    async () => {
      // A creation of tenant "busy" that has claimed one fingerprint and not committed yet.
      const contested = request('contested', 'asked by two creations at once');
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let claimed!: () => void;
      const isClaimed = new Promise<void>((resolve) => {
        claimed = resolve;
      });
      const now = new Date();
      const holder = bed.database.db.transaction().execute(async (trx) => {
        const fingerprint = fingerprintParams(contested.params as MessageParams);
        await claimOriginals(trx, 'busy', 'job_holder', [{ fingerprint, ordinal: 0 }], now, now);
        claimed();
        await released;
        throw new Error('the other creation fails');
      });
      await isClaimed;
      const manager = bed.manager({ tenant: 'busy', worker: false });
      let contestedCreated = false;
      const waiting = manager.createJob({ requests: [contested] }).then((job) => {
        contestedCreated = true;
        return job;
      });
      const other = await manager.createJob({ requests: [request('free', 'asked by one')] });
      expect(other.status).toBe('queued');
      expect(contestedCreated).toBe(false);
      release();
      await expect(holder).rejects.toThrow('the other creation fails');
      // The other creation rolled back: this one is the original after all.
      expect(await waiting).toMatchObject({ status: 'queued', deduplicatedRequests: 0 });
    },
  );

  it('keeps tenants apart: another tenant’s request is not a duplicate', async () => {
    const a = bed.manager({ tenant: 'tenant-a', worker: false });
    const b = bed.manager({ tenant: 'tenant-b', worker: false });
    await a.createJob({ requests: [request('t', 'both tenants ask this')] });
    const other = await b.createJob({ requests: [request('t', 'both tenants ask this')] });
    expect(other.deduplicatedRequests).toBe(0);
  });

  it('sends everything when the job asks not to deduplicate', async () => {
    const manager = bed.manager({ tenant: 'no-dedup', worker: false });
    const job = await manager.createJob({
      requests: [request('x', 'same'), request('y', 'same')],
      deduplicate: false,
    });
    expect(job).toMatchObject({ uniqueRequests: 2, deduplicatedRequests: 0 });
  });
});
