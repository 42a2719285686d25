import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { lockTenantJobCreation } from '../../src/machines/create-job.js';
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
    'does not hold up another tenant while one tenant’s job is being created',
    async () => {
      // A transaction of tenant "busy" holds its creation lock, as a long createJob would.
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = bed.database.db.transaction().execute(async (trx) => {
        await lockTenantJobCreation(trx, 'busy');
        locked();
        await released;
      });
      await isLocked;
      let busyCreated = false;
      const busy = bed
        .manager({ tenant: 'busy', worker: false })
        .createJob({ requests: [request('busy-1')] })
        .then((job) => {
          busyCreated = true;
          return job;
        });
      const other = await bed
        .manager({ tenant: 'not-busy', worker: false })
        .createJob({ requests: [request('free-1')] });
      expect(other.status).toBe('queued');
      expect(busyCreated).toBe(false);
      release();
      await holder;
      expect((await busy).status).toBe('queued');
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
