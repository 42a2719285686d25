import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicGateway } from '../../src/anthropic/anthropic-gateway.js';
import type { BatchApi } from '../../src/machines/batch-api.port.js';
import { type ReconcileOptions, reconcileOrphans } from '../../src/machines/reconcile-orphans.js';
import { readStream } from '../../src/store/event-store.js';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

const HOUR = 60 * 60_000;
const NO_FAULTS = {
  endpoints: { create: { responseLossRate: 0 } },
  erroredResultRates: { overloaded_error: 0 },
};
// The managers never reconcile by themselves: what the command does is what the test sees.
const NEVER_RECONCILES = { reconcileAfterMs: HOUR };

describe.skipIf(!testPostgresUrl())('reconciling the batches at Anthropic no job knows', () => {
  let bed: TestBed;
  let gateway: AnthropicGateway;
  beforeEach(async () => {
    bed = await TestBed.open({ latencyMs: HOUR });
    gateway = new AnthropicGateway({ apiKey: 'test-key', baseURL: bed.simulator.url });
  });
  afterEach(() => bed.close());

  const db = () => bed.database.db;
  const endBatches = () => bed.simulator.clock.advance(HOUR);
  const reconcile = (options: ReconcileOptions = {}) =>
    reconcileOrphans(
      {
        db: db(),
        api: gateway as unknown as BatchApi,
        clock: bed.simulator.clock,
        instanceId: 'reconcile',
      },
      { minAgeMs: 0, ...options },
    );
  /** A batch sent by someone else than the job's instance (a stale owner, another client). */
  const strayBatch = (customIds: string[], text?: (id: string) => string) =>
    gateway.createBatch(customIds.map((id) => ({ ...request(id, text?.(id)), custom_id: id })));
  const eventTypes = async (jobId: string) => (await readStream(db(), jobId)).map((e) => e.type);

  it('adopts for an unconfirmed submission the one batch of its size created after it', async () => {
    bed.simulator.setFaults({ endpoints: { create: { responseLossRate: 1 } } });
    const lost = bed.manager({ tenant: 'intent', ...NEVER_RECONCILES });
    const { id } = await lost.createJob({ requests: [request('i1'), request('i2')] });
    await waitUntil(() => bed.simulator.stats().batchesCreated === 1);
    await lost.close();
    bed.simulator.setFaults(NO_FAULTS);

    const report = await reconcile();
    expect(report).toMatchObject({ listed: 1, known: 0 });
    expect(report.orphans).toMatchObject([{ action: 'adopted', jobId: id, batchKey: 'b1' }]);

    endBatches();
    const next = bed.manager({ tenant: 'intent' });
    expect((await waitForStatus(next, id, ['completed', 'failed'])).progress.completed).toBe(2);
    expect(bed.simulator.stats().batchesCreated).toBe(1);
  });

  it('tells apart by their results two batches of the size of two unconfirmed submissions', async () => {
    bed.simulator.setFaults({ endpoints: { create: { responseLossRate: 1 } } });
    const lost = bed.manager({ tenant: 'twins', ...NEVER_RECONCILES });
    const first = (await lost.createJob({ requests: [request('t1')] })).id;
    await waitUntil(() => bed.simulator.stats().batchesCreated === 1);
    const second = (await lost.createJob({ requests: [request('t2')] })).id;
    await waitUntil(() => bed.simulator.stats().batchesCreated === 2);
    await lost.close();
    bed.simulator.setFaults(NO_FAULTS);

    const running = await reconcile();
    expect(running.orphans.map((o) => o.action)).toEqual(['unmatched', 'unmatched']);
    endBatches();
    const ended = await reconcile();
    expect(ended.orphans.map((o) => [o.action, o.jobId]).sort()).toEqual(
      [
        ['adopted', first],
        ['adopted', second],
      ].sort(),
    );
    const next = bed.manager({ tenant: 'twins' });
    for (const [id, name] of [
      [first, 'req-t1'],
      [second, 'req-t2'],
    ] as const) {
      await waitForStatus(next, id, ['completed']);
      expect((await next.getJobResults(id))!.results[name]?.result.type).toBe('succeeded');
    }
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
  });

  it('adopts an ended batch for the requests its job still waits to send', async () => {
    bed.simulator.setFaults({ erroredResultRates: { overloaded_error: 1 } });
    const owner = bed.manager({ tenant: 'waiting', retryDelayMs: 1000 });
    const { id } = await owner.createJob({ requests: [request('w1')] });
    await waitUntil(async () => (await eventTypes(id)).includes('BatchSubmitted'));
    endBatches();
    await waitUntil(async () => (await eventTypes(id)).includes('RetryScheduled'));
    await owner.close();
    bed.simulator.setFaults(NO_FAULTS);
    // Say an instance that had lost the job sent its request again, too late to record it.
    await strayBatch([`${id}_0`], () => 'question w1');
    endBatches();

    const report = await reconcile();
    expect(report.orphans).toMatchObject([{ action: 'adopted', jobId: id, batchKey: 'b2' }]);
    const next = bed.manager({ tenant: 'waiting' });
    const job = await waitForStatus(next, id, ['completed', 'failed']);
    expect(job.progress).toMatchObject({ completed: 1, failed: 0 });
    expect(bed.simulator.stats().batchesCreated).toBe(2);
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
  });

  it('calls a batch whose requests already have their outcome a duplicate', async () => {
    const owner = bed.manager({ tenant: 'done' });
    const { id } = await owner.createJob({ requests: [request('d1')] });
    await waitUntil(async () => (await eventTypes(id)).includes('BatchSubmitted'));
    endBatches();
    await waitForStatus(owner, id, ['completed']);
    await strayBatch([`${id}_0`], () => 'question d1');
    endBatches();

    const report = await reconcile();
    expect(report).toMatchObject({ listed: 2, known: 1 });
    expect(report.orphans).toMatchObject([{ action: 'duplicate', jobId: id }]);
  });

  it('never touches a batch it did not send', async () => {
    await strayBatch(['someone-else-1', 'someone-else-2']);
    endBatches();
    const report = await reconcile({ cancelOrphans: true });
    expect(report.orphans).toMatchObject([{ action: 'foreign', requestCount: 2 }]);
  });

  it('leaves a running batch it cannot place alone, and cancels it when asked', async () => {
    const stray = await strayBatch(['unplaced-1']);
    expect((await reconcile()).orphans).toMatchObject([{ action: 'unmatched' }]);
    expect((await gateway.getBatchStatus(stray.id)).processing_status).toBe('in_progress');

    expect((await reconcile({ cancelOrphans: true })).orphans).toMatchObject([
      { action: 'cancelled', batchId: stray.id },
    ]);
    expect((await gateway.getBatchStatus(stray.id)).processing_status).not.toBe('in_progress');
  });

  it('leaves alone a batch younger than the minimum age, which a live instance may be recording', async () => {
    await strayBatch(['young-1']);
    const report = await reconcile({ minAgeMs: HOUR, cancelOrphans: true });
    expect(report.orphans).toMatchObject([{ action: 'too-recent' }]);
  });
});
