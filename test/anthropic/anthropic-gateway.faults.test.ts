import { describe, expect, it } from 'vitest';
import type { AnthropicGatewayOptions } from '../../src/anthropic/index.js';
import type { FaultSettings } from '../../src/anthropic/simulator/index.js';
import {
  AnthropicConnectionError,
  AnthropicNotFoundError,
  AnthropicOverloadedError,
  AnthropicRateLimitError,
  AnthropicServerError,
  AnthropicTimeoutError,
  BatchCreationUnconfirmedError,
} from '../../src/domain/anthropic.errors.js';
import { collect, requests, startRig, type TestRig } from './simulator-harness.js';

/** A gateway whose first wait also clears the faults: the first answer fails, the retry meets a healthy API. */
function healingGateway(
  rig: TestRig,
  faults: Partial<FaultSettings>,
  options: AnthropicGatewayOptions = {},
) {
  rig.sim.setFaults(faults);
  return rig.gateway({
    ...options,
    sleep: async (ms) => {
      rig.sleeps.push(ms);
      rig.sim.setFaults(clear(faults));
      rig.clock.advance(ms);
    },
  });
}

function clear(faults: Partial<FaultSettings>): Partial<FaultSettings> {
  return Object.fromEntries(
    Object.entries(faults).map(([key, value]) => [key, typeof value === 'number' ? 0 : {}]),
  );
}

describe('AnthropicGateway under injected faults', () => {
  it('waits the retry-after of a 429, then succeeds', async () => {
    const rig = await startRig();
    const gateway = healingGateway(rig, { rateLimitRate: 1, retryAfterSeconds: 3 });
    await expect(gateway.listBatches()).resolves.toMatchObject({ data: [] });
    // retry-after is a floor; up to 20% jitter is added (random() is 0.5 here).
    expect(rig.sleeps).toEqual([3300]);
  });

  it('retries a 529 with backoff, then succeeds', async () => {
    const rig = await startRig();
    const gateway = healingGateway(rig, { overloadRate: 1 });
    await expect(gateway.createBatch(requests(1))).resolves.toMatchObject({
      processing_status: 'in_progress',
    });
    expect(rig.sleeps).toEqual([375]);
    expect(rig.sim.stats().batchesCreated).toBe(1);
  });

  it('retries a 500, then succeeds', async () => {
    const rig = await startRig();
    const gateway = healingGateway(rig, { serverErrorRate: 1 });
    await expect(gateway.listBatches()).resolves.toBeDefined();
    expect(rig.sim.stats().faultsInjected.server_error).toBe(1);
  });

  it('backs off longer each time and gives up after maxRetries with a retryable typed error', async () => {
    const rig = await startRig({ faults: { serverErrorRate: 1 } });
    const error = await rig
      .gateway({ maxRetries: 3 })
      .listBatches()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AnthropicServerError);
    expect(error).toMatchObject({ retryable: true, upstreamStatus: 500, type: 'api_error' });
    expect(rig.sleeps).toEqual([375, 750, 1500]);
    expect(rig.sim.stats().httpRequests).toBe(4);
  });

  it.each([
    ['rateLimitRate', AnthropicRateLimitError],
    ['overloadRate', AnthropicOverloadedError],
  ] as const)('surfaces a lasting %s as its own typed error', async (rate, errorClass) => {
    const rig = await startRig({ faults: { [rate]: 1 } });
    const error = await rig
      .gateway({ maxRetries: 1 })
      .listBatches()
      .catch((e) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect(error.retryable).toBe(true);
  });

  it('retries a read after the connection was reset', async () => {
    const rig = await startRig();
    const gateway = healingGateway(rig, { connectionResetRate: 1 });
    await expect(gateway.listBatches()).resolves.toBeDefined();
    expect(rig.sim.stats().faultsInjected.connection_reset).toBe(1);
  });

  it('never resends a create whose connection failed: the batch may exist', async () => {
    const rig = await startRig({ faults: { connectionResetRate: 1 } });
    const error = await rig
      .gateway()
      .createBatch(requests(2))
      .catch((e) => e);
    expect(error).toBeInstanceOf(BatchCreationUnconfirmedError);
    expect(error).toMatchObject({ requestCount: 2, retryable: false });
    expect(error.cause).toBeInstanceOf(AnthropicConnectionError);
    expect(rig.sim.stats().httpRequests).toBe(1);
  });

  it('lets the caller find a batch created although its answer was lost', async () => {
    const rig = await startRig({ faults: { endpoints: { create: { responseLossRate: 1 } } } });
    const gateway = rig.gateway();
    const error = await gateway.createBatch(requests(2)).catch((e) => e);
    expect(error).toBeInstanceOf(BatchCreationUnconfirmedError);
    const found = await collect(gateway.listAllBatches({ createdAfter: error.attemptedAt }));
    expect(found).toHaveLength(1);
    expect(found[0]!.request_counts.processing).toBe(2);
    expect(rig.sim.stats().batchesCreated).toBe(1);
  });

  it('turns an answer slower than timeoutMs into a retryable AnthropicTimeoutError', async () => {
    const rig = await startRig({ faults: { slowRate: 1, slowMs: 2_000 } });
    const error = await rig
      .gateway({ timeoutMs: 50, maxRetries: 0 })
      .listBatches()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AnthropicTimeoutError);
    expect(error.retryable).toBe(true);
  });

  it('treats a creation the caller cut off while it was out as unconfirmed, never as failed', async () => {
    const rig = await startRig({ faults: { slowMs: 10_000 } });
    rig.sim.setFaults({ endpoints: { create: { slowRate: 1 } } });
    const error = await rig
      .gateway()
      .createBatch(requests(1), { signal: AbortSignal.timeout(200) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BatchCreationUnconfirmedError);
    // The simulator, like a server that had the whole request, creates it anyway.
    await expect.poll(() => rig.sim.stats().batchesCreated).toBe(1);
  });

  it('creates nothing when the caller cut off a creation before it went out', async () => {
    const rig = await startRig();
    const cut = new AbortController();
    cut.abort(new Error('deadline passed'));
    await expect(rig.gateway().createBatch(requests(1), { signal: cut.signal })).rejects.toThrow(
      'deadline passed',
    );
    expect(rig.sim.stats().httpRequests).toBe(0);
  });

  it('retries a read that timed out', async () => {
    // The timeout must leave a healthy answer time to arrive on a loaded machine.
    const rig = await startRig({ faults: { slowMs: 10_000 } });
    const gateway = healingGateway(rig, { slowRate: 1 }, { timeoutMs: 1_000 });
    await expect(gateway.listBatches()).resolves.toBeDefined();
    expect(rig.sleeps).toHaveLength(1);
  });

  it('retries the 404s of a batch it has just created until the batch shows', async () => {
    const rig = await startRig({ latencyMs: 100, faults: { transientNotFoundMs: 5_000 } });
    const gateway = rig.gateway();
    const { id } = await gateway.createBatch(requests(1));
    const ended = await gateway.waitForBatch(id, { pollInterval: 100 });
    expect(ended.processing_status).toBe('ended');
    expect(rig.sim.stats().faultsInjected.not_found).toBeGreaterThan(0);
  });

  it('does not retry the 404 of a batch it did not create lately', async () => {
    const rig = await startRig({ latencyMs: 100, faults: { transientNotFoundMs: 5_000 } });
    const creator = rig.gateway();
    const { id } = await creator.createBatch(requests(1));
    const stranger = rig.gateway();
    await expect(stranger.getBatchStatus(id)).rejects.toBeInstanceOf(AnthropicNotFoundError);
  });

  it('resumes a cut results download and yields every line exactly once', async () => {
    const rig = await startRig({ latencyMs: 100 });
    const gateway = healingGateway(rig, { resultsCutRate: 1 });
    const { id } = await gateway.createBatch(requests(40));
    rig.clock.advance(100);
    const lines = await collect(gateway.results(id));
    expect(rig.sim.stats().faultsInjected.results_cut).toBe(1);
    expect(lines.map((l) => l.custom_id).sort()).toEqual(
      requests(40)
        .map((r) => r.custom_id)
        .sort(),
    );
  });

  it('gives up on a download cut every time with AnthropicConnectionError', async () => {
    const rig = await startRig({ latencyMs: 100, faults: { resultsCutRate: 1 } });
    const gateway = rig.gateway({ maxRetries: 2 });
    const { id } = await gateway.createBatch(requests(10));
    rig.clock.advance(100);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const line of gateway.results(id)) seen.push(line.custom_id);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(AnthropicConnectionError);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('takes a batch from create to results with every fault switched on', async () => {
    const rig = await startRig({
      latencyMs: 5_000,
      seed: 42,
      faults: {
        rateLimitRate: 0.1,
        overloadRate: 0.1,
        serverErrorRate: 0.1,
        connectionResetRate: 0.1,
        resultsCutRate: 0.5,
        transientNotFoundMs: 2_000,
        erroredResultRates: { overloaded_error: 0.1, api_error: 0.1 },
        // A lost create is the caller's to reconcile; here creates fail only in ways the gateway retries.
        endpoints: { create: { connectionResetRate: 0 } },
      },
    });
    const gateway = rig.gateway({ maxRetries: 8 });
    const { id } = await gateway.createBatch(requests(200));
    await gateway.waitForBatch(id, { pollInterval: 1_000 });
    const lines = await collect(gateway.results(id));
    expect(new Set(lines.map((l) => l.custom_id)).size).toBe(200);
    const erroredTypes = new Set(
      lines.map((l) => l.result.type === 'errored' && l.result.error.error.type),
    );
    expect(erroredTypes).toEqual(new Set([false, 'overloaded_error', 'api_error']));
    const injected = rig.sim.stats().faultsInjected;
    expect(injected.rate_limit + injected.overloaded + injected.server_error).toBeGreaterThan(0);
    expect(rig.sim.stats().batchesCreated).toBe(1);
  });
});
