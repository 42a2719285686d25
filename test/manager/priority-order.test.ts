import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, TestBed, waitForStatus } from '../support/manager.js';

describe('start order', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open();
  });
  afterAll(() => bed.close());

  it('starts queued jobs most urgent first, then oldest first, one at a time with one slot', async () => {
    const creator = bed.manager({ worker: false });
    const created: Array<[string, string]> = [];
    for (const [name, priority] of [
      ['low', 'LOW'],
      ['critical-1', 'CRITICAL'],
      ['normal', 'NORMAL'],
      ['high', 'HIGH'],
      ['critical-2', 'CRITICAL'],
      ['background', 'BACKGROUND'],
    ] as const) {
      const { id } = await creator.createJob({ requests: [request(name)], priority });
      created.push([id, name]);
    }
    const names = new Map(created);

    const worker = bed.manager({ maxConcurrentJobs: 1 });
    for (const [id] of created) await waitForStatus(worker, id, ['completed']);

    const events = (
      await bed.database.db
        .selectFrom('events')
        .select(['stream_id', 'type'])
        .orderBy('position')
        .execute()
    ).map((e) => ({ streamId: e.stream_id, type: e.type }));
    const starts = events.filter((e) => e.type === 'JobStarted').map((e) => names.get(e.streamId));
    expect(starts).toEqual(['critical-1', 'critical-2', 'high', 'normal', 'low', 'background']);
    // One slot: each job ends before the next one starts.
    const order = events
      .filter((e) => e.type === 'JobStarted' || e.type === 'JobCompleted')
      .map((e) => e.type);
    expect(order).toEqual(Array.from({ length: 6 }, () => ['JobStarted', 'JobCompleted']).flat());
  });
});
