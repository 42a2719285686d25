import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { BatchJobManager } from '../../src/index.js';
import type { BatchJobManagerOptions } from '../../src/manager/manager-options.js';
import { readStream } from '../../src/store/event-store.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

const HOUR = 60 * 60_000;
/** The slow simulator's batches take 40 h: of four requests the last two pass Anthropic's 24 h and expire. */
const SLOW_LATENCY = 40 * HOUR;

/** A request Anthropic refuses under the current version (temperature on this model): dropped, errored at once. */
function refusedRequest(n: number | string) {
  const item = request(n);
  return { ...item, params: { ...item.params, temperature: 1 } };
}

describe('retrying the failed part of a job', () => {
  let bed: TestBed;
  /** A simulator that answers every request at once: where retries succeed. */
  let quick: RunningSimulator;
  beforeAll(async () => {
    bed = await TestBed.open({ latencyMs: SLOW_LATENCY });
    quick = await startSimulator({ latencyMs: 30 });
  });
  afterEach(async () => {
    await bed.closeManagers();
    quick.setFaults({ erroredResultRates: { overloaded_error: 0 } });
  });
  afterAll(async () => {
    await bed.close();
    await quick.stop();
  });

  const onSlow = (tenant: string, options: BatchJobManagerOptions = {}) =>
    bed.manager({ tenant, ...options });
  const onQuick = (tenant: string, options: BatchJobManagerOptions = {}) =>
    bed.manager({ tenant, anthropic: { apiKey: 'test-key', baseURL: quick.url }, ...options });

  /** Waits until the slow simulator holds the job's batch, then lets its 40 h pass. */
  async function endSlowBatch(manager: BatchJobManager, jobId: string) {
    await waitUntil(
      async () => (await manager.getJob(jobId))?.batches.at(-1)?.status === 'submitted',
    );
    bed.simulator.clock.advance(SLOW_LATENCY);
    return waitForStatus(manager, jobId, ['completed']);
  }

  /**
   * A completed job of five requests: req-0 and req-2 succeeded, req-1 errored (refused by
   * validation), req-3 and req-4 expired at Anthropic.
   */
  async function aJobWithErroredAndExpired(manager: BatchJobManager): Promise<string> {
    const { id } = await manager.createJob({
      onInvalid: 'drop',
      tags: ['nightly'],
      priority: 'HIGH',
      requests: [request(0), refusedRequest(1), request(2), request(3), request(4)],
    });
    await endSlowBatch(manager, id);
    return id;
  }

  /** The merged view as `custom_id → [result type, producing job]`, in order. */
  async function merged(manager: BatchJobManager, jobId: string) {
    const lines: Array<[string, string, string]> = [];
    for await (const line of manager.iterateResults(jobId, { merged: true })) {
      const { custom_id, result, _producedBy } = line as typeof line & { _producedBy: string };
      lines.push([custom_id, result.type, _producedBy]);
    }
    return lines;
  }

  it('retries the errored and expired requests with an override; the merged view has each request once, newest outcome first', async () => {
    const original = await aJobWithErroredAndExpired(onSlow('merge'));
    await bed.closeManagers();
    const manager = onQuick('merge');

    const retried = await manager.retryJob(original, {
      filter: { resultTypes: ['errored', 'expired'] },
      overrides: { temperature: null, max_tokens: 100 },
    });
    expect(retried).toMatchObject({ retryOf: original, totalRequests: 3, priority: 2 });
    await waitForStatus(manager, retried.id, ['completed']);

    expect(await merged(manager, original)).toEqual([
      ['req-0', 'succeeded', original],
      ['req-1', 'succeeded', retried.id],
      ['req-2', 'succeeded', original],
      ['req-3', 'succeeded', retried.id],
      ['req-4', 'succeeded', retried.id],
    ]);
    const sent = await bed.database.db
      .selectFrom('job_requests')
      .select(['custom_id', 'params'])
      .where('job_id', '=', retried.id)
      .orderBy('ordinal')
      .execute();
    expect(sent.map((r) => r.custom_id)).toEqual(['req-1', 'req-3', 'req-4']);
    for (const { params } of sent) {
      expect(params).toMatchObject({ max_tokens: 100 });
      expect(params).not.toHaveProperty('temperature');
    }
  });

  it('links the retry and the original both ways: views, rows and events', async () => {
    const original = await aJobWithErroredAndExpired(onSlow('links'));
    await bed.closeManagers();
    const manager = onQuick('links');
    const retried = await manager.retryJob(original, { overrides: { temperature: null } });

    const [originalView, retryView] = await Promise.all([
      manager.getJob(original),
      manager.getJob(retried.id),
    ]);
    expect(originalView).toMatchObject({ retries: [retried.id], retryOf: null });
    expect(retryView).toMatchObject({
      retryOf: original,
      retries: [],
      tags: ['nightly'],
      priority: 2,
    });
    const originalLog = await readStream(bed.database.db, original);
    expect(originalLog.at(-1)).toMatchObject({
      type: 'JobRetried',
      data: { retryJobId: retried.id, requestCount: 3 },
    });
    const retryLog = await readStream(bed.database.db, retried.id);
    expect(retryLog[0]).toMatchObject({ type: 'JobCreated', data: { retryOf: original } });
  });

  it('refuses patched params Anthropic would refuse with a 400 naming the request, and writes nothing', async () => {
    const original = await aJobWithErroredAndExpired(onSlow('invalid'));
    const manager = bed.managers.at(-1)!;
    const before = await readStream(bed.database.db, original);
    const refusal = await manager
      .retryJob(original, { filter: { resultTypes: ['errored'] }, overrides: { max_tokens: 64 } })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).message).toMatch(/custom_id "req-1"/);
    expect(await readStream(bed.database.db, original)).toHaveLength(before.length);
    expect((await manager.getJob(original))?.retries).toEqual([]);
  });

  it('follows a retry of a retry: each request shows the outcome of the newest job that answered it', async () => {
    const slow = onSlow('chain');
    const original = await aJobWithErroredAndExpired(slow);
    // On the slow simulator again: of its three requests req-1 succeeds, req-3 and req-4 expire.
    const first = await slow.retryJob(original, { overrides: { temperature: null } });
    await endSlowBatch(slow, first.id);
    expect(await merged(slow, original)).toEqual([
      ['req-0', 'succeeded', original],
      ['req-1', 'succeeded', first.id],
      ['req-2', 'succeeded', original],
      ['req-3', 'expired', first.id],
      ['req-4', 'expired', first.id],
    ]);
    await bed.closeManagers();
    const manager = onQuick('chain');
    const second = await manager.retryJob(first.id, { filter: { resultTypes: ['expired'] } });
    expect(second).toMatchObject({ retryOf: first.id, totalRequests: 2 });
    await waitForStatus(manager, second.id, ['completed']);

    expect(await merged(manager, original)).toEqual([
      ['req-0', 'succeeded', original],
      ['req-1', 'succeeded', first.id],
      ['req-2', 'succeeded', original],
      ['req-3', 'succeeded', second.id],
      ['req-4', 'succeeded', second.id],
    ]);
    // The merged view of the first retry covers its own three requests.
    expect((await merged(manager, first.id)).map(([id, , by]) => [id, by])).toEqual([
      ['req-1', first.id],
      ['req-3', second.id],
      ['req-4', second.id],
    ]);
  });

  it('sends a retried request again although its errored original holds its fingerprint', async () => {
    quick.setFaults({ erroredResultRates: { overloaded_error: 1 } });
    const failing = onQuick('dedup-errored', { retryAttempts: 0 });
    const { id } = await failing.createJob({ requests: [request('same')] });
    const done = await waitForStatus(failing, id, ['completed']);
    expect(done.progress).toMatchObject({ failed: 1 });
    quick.setFaults({ erroredResultRates: { overloaded_error: 0 } });
    const received = quick.stats().requestsReceived;

    const retried = await failing.retryJob(id);
    expect(retried).toMatchObject({ totalRequests: 1, deduplicatedRequests: 0 });
    await waitForStatus(failing, retried.id, ['completed']);
    expect(quick.stats().requestsReceived - received).toBe(1);
    expect(await merged(failing, id)).toEqual([['req-same', 'succeeded', retried.id]]);
  });

  it('reuses an identical request that succeeded elsewhere instead of sending it again', async () => {
    // A cancelled job answers nothing more: it gives up its fingerprints.
    const slow = onSlow('dedup-succeeded');
    const { id } = await slow.createJob({ requests: [request('shared')] });
    await waitUntil(async () => (await slow.getJob(id))?.batches[0]?.status === 'submitted');
    await slow.cancelJob(id);
    bed.simulator.clock.advance(SLOW_LATENCY);
    await waitForStatus(slow, id, ['cancelled']);
    await bed.closeManagers();
    const manager = onQuick('dedup-succeeded');
    const elsewhere = await manager.createJob({ requests: [request('shared')] });
    await waitForStatus(manager, elsewhere.id, ['completed']);
    const received = quick.stats().requestsReceived;

    // Canceled or expired, as the cancel reached the batch before its 40 h or not.
    const retried = await manager.retryJob(id);
    expect(retried).toMatchObject({ totalRequests: 1, deduplicatedRequests: 1 });
    await waitForStatus(manager, retried.id, ['completed']);
    expect(quick.stats().requestsReceived).toBe(received);
    const lines = [];
    for await (const line of manager.iterateResults(id, { merged: true })) lines.push(line);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      custom_id: 'req-shared',
      result: { type: 'succeeded' },
      _producedBy: retried.id,
      _deduplicated: true,
      _originalJobId: elsewhere.id,
    });
  });

  it('refuses to retry a job that has not ended (409) and leaves it alone', async () => {
    const manager = onSlow('running');
    const { id } = await manager.createJob({ requests: [request('running')] });
    await waitUntil(async () => (await manager.getJob(id))?.batches[0]?.status === 'submitted');
    const refusal = await manager.retryJob(id).catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      status: 409,
      message: 'cannot retry a job that is processing',
    });
    expect((await manager.getJob(id))?.retries).toEqual([]);
    await endSlowBatch(manager, id);
  });

  it('a bulk cancel cancels the jobs that have not ended and skips the ended ones', async () => {
    const manager = onSlow('bulk-cancel');
    const ended = await aJobWithErroredAndExpired(manager);
    const { id: running } = await manager.createJob({
      tags: ['nightly'],
      requests: [request('r')],
    });
    await waitUntil(
      async () => (await manager.getJob(running))?.batches[0]?.status === 'submitted',
    );

    const result = await manager.bulkJobs({ action: 'cancel', filter: { tag: 'nightly' } });
    expect(result).toEqual({
      jobs: [
        { id: ended, outcome: 'skipped', reason: 'the job has already ended (completed)' },
        { id: running, outcome: 'cancelled' },
      ],
      more: false,
    });
    bed.simulator.clock.advance(SLOW_LATENCY);
    await waitForStatus(manager, running, ['cancelled']);
  });
});
