import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdvanceableClock } from '../../src/anthropic/simulator/advanceable-clock.js';
import { systemClock } from '../../src/domain/clock.js';
import { readStream } from '../../src/store/event-store.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

const HOUR = 60 * 60_000;
const NO_FAULTS = {
  erroredResultRates: { overloaded_error: 0, api_error: 0 },
  endpoints: { create: { responseLossRate: 0 } },
};

describe('restarts, retries and deadlines', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open({ latencyMs: HOUR });
  });
  afterEach(async () => {
    await bed.closeManagers();
    bed.simulator.setFaults(NO_FAULTS);
  });
  afterAll(() => bed.close());

  const endBatches = () => bed.simulator.clock.advance(HOUR);

  it('finishes a job after its manager restarts, without sending anything twice', async () => {
    const first = bed.manager({ tenant: 'restart' });
    const { id } = await first.createJob({ requests: [request('r1'), request('r2')] });
    await waitUntil(async () => (await first.getJob(id))?.batches[0]?.status === 'submitted');
    const created = bed.simulator.stats().batchesCreated;
    await first.close();

    endBatches();
    const second = bed.manager({ tenant: 'restart' });
    const job = await waitForStatus(second, id, ['completed']);
    expect(job.progress.completed).toBe(2);
    expect(bed.simulator.stats().batchesCreated).toBe(created);
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
    const started = (await readStream(bed.database.db, id)).filter((e) => e.type === 'JobStarted');
    expect(started.map((e) => (e.data as { instanceId: string }).instanceId)).toEqual([
      first.instanceId,
      second.instanceId,
    ]);
  });

  it('sends requests that errored for a retryable reason again, up to retryAttempts times', async () => {
    bed.simulator.setFaults({ erroredResultRates: { overloaded_error: 1 } });
    const manager = bed.manager({ tenant: 'retry', retryAttempts: 2 });
    const { id } = await manager.createJob({ requests: [request('flaky')] });
    for (let round = 0; round < 3; round++) {
      await waitUntil(
        async () => (await manager.getJob(id))?.batches[round]?.status === 'submitted',
      );
      endBatches();
    }
    const job = await waitForStatus(manager, id, ['completed']);
    expect(job.batches.map((b) => b.attempt)).toEqual([1, 2, 3]);
    expect(job.retryCount).toBe(2);
    expect(job.progress).toMatchObject({ failed: 1, completed: 0 });
    // Three errored attempts: two were sent again, the last is the request's final outcome.
    expect(job).toMatchObject({ errorCount: 3, retriedErrorCount: 2, finalErrorCount: 1 });
    const { results } = (await manager.getJobResults(id))!;
    expect(results['req-flaky']?.result).toMatchObject({
      type: 'errored',
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
  });

  it('completes a retried request once it succeeds', async () => {
    bed.simulator.setFaults({ erroredResultRates: { api_error: 1 } });
    const manager = bed.manager({ tenant: 'retry-ok' });
    const { id } = await manager.createJob({ requests: [request('later')] });
    await waitUntil(async () => (await manager.getJob(id))?.batches[0]?.status === 'submitted');
    // Outcomes are drawn when a batch is created: the next one will succeed.
    bed.simulator.setFaults(NO_FAULTS);
    endBatches();
    await waitUntil(async () => (await manager.getJob(id))?.batches[1]?.status === 'submitted');
    endBatches();
    const job = await waitForStatus(manager, id, ['completed']);
    expect(job.progress).toMatchObject({ completed: 1, failed: 0 });
    // The error a retry fixed is counted, apart from final failures (none).
    expect(job).toMatchObject({ errorCount: 1, retriedErrorCount: 1, finalErrorCount: 0 });
  });

  it('expires a job at its deadline, cancelling its batch and keeping every request accounted for', async () => {
    // The manager's clock runs with real time, and jumps past the deadline when the test says.
    const clock = new AdvanceableClock(systemClock);
    const manager = bed.manager({ tenant: 'expiry', clock });
    const { id } = await manager.createJob({
      requests: [request('slow1'), request('slow2')],
      timeoutMs: HOUR,
    });
    await waitUntil(async () => (await manager.getJob(id))?.batches[0]?.status === 'submitted');
    clock.advance(HOUR);
    const job = await waitForStatus(manager, id, ['expired']);
    expect(job.progress.total).toBe(2);
    expect(job.progress.cancelled + job.progress.expired).toBe(2);
    const { results } = (await manager.getJobResults(id))!;
    expect(Object.keys(results)).toHaveLength(2);
  });

  it('expires a queued job nobody started before its deadline', async () => {
    const clock = new AdvanceableClock(systemClock);
    const waiting = bed.manager({ tenant: 'expiry-queued', worker: false, clock });
    const { id } = await waiting.createJob({ requests: [request('never')], timeoutMs: HOUR });
    clock.advance(HOUR);
    const sweeper = bed.manager({ tenant: 'expiry-queued', maxConcurrentJobs: 0, clock });
    const job = await waitForStatus(sweeper, id, ['expired']);
    expect(job.progress.expired).toBe(1);
  });

  it('adopts a batch Anthropic created when the answer to the create call was lost', async () => {
    bed.simulator.setFaults({ endpoints: { create: { responseLossRate: 1 } } });
    const before = bed.simulator.stats().batchesCreated;
    const manager = bed.manager({ tenant: 'lost-answer' });
    const { id } = await manager.createJob({ requests: [request('lost')] });
    await waitUntil(() => bed.simulator.stats().batchesCreated > before);
    const created = bed.simulator.stats().batchesCreated;
    bed.simulator.setFaults(NO_FAULTS);
    await waitUntil(async () => (await manager.getJob(id))?.batches[0]?.status === 'submitted');
    endBatches();
    await waitForStatus(manager, id, ['completed']);
    expect(bed.simulator.stats().batchesCreated).toBe(created);
    const events = await readStream(bed.database.db, id);
    expect(events.find((e) => e.type === 'BatchSubmitted')?.data).toMatchObject({ adopted: true });
  });
});
