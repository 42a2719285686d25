import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/anthropic/simulator/index.js';
import { collect, sdkRequests, startRig } from './simulator-harness.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

describe('simulated processing', () => {
  it('keeps every request in processing until the whole batch has ended', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 1000 });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(4) });
    clock.advance(999);
    const almost = await sdk.messages.batches.retrieve(id);
    expect(almost.processing_status).toBe('in_progress');
    expect(almost.request_counts).toEqual({
      processing: 4,
      succeeded: 0,
      errored: 0,
      canceled: 0,
      expired: 0,
    });
    clock.advance(1);
    const ended = await sdk.messages.batches.retrieve(id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts).toEqual({
      processing: 0,
      succeeded: 4,
      errored: 0,
      canceled: 0,
      expired: 0,
    });
  });

  it('ends batches on its own in real time when no clock is injected', async () => {
    const sim = await startSimulator({ latencyMs: 30 });
    try {
      const sdk = new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(2) });
      await expect
        .poll(async () => (await sdk.messages.batches.retrieve(id)).processing_status, {
          timeout: 5000,
          interval: 20,
        })
        .toBe('ended');
    } finally {
      await sim.stop();
    }
  });

  it('moves the system clock on with advance()', async () => {
    const sim = await startSimulator({ latencyMs: 60 * 60 * 1000 });
    try {
      const sdk = new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      sim.clock.advance(60 * 60 * 1000);
      expect((await sdk.messages.batches.retrieve(id)).processing_status).toBe('ended');
    } finally {
      await sim.stop();
    }
  });

  it('expires what is not done 24 hours after creation', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 48 * HOUR_MS });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(10) });
    clock.advance(DAY_MS);
    const batch = await sdk.messages.batches.retrieve(id);
    expect(batch).toMatchObject({
      processing_status: 'ended',
      ended_at: batch.expires_at,
      request_counts: { processing: 0, succeeded: 5, errored: 0, canceled: 0, expired: 5 },
    });
    const results = await collect(await sdk.messages.batches.results(id));
    expect(results.filter((line) => line.result.type === 'expired')).toHaveLength(5);
  });

  it('archives a batch 29 days after creation: archived_at is set and the results are gone', async () => {
    const { sdk, clock, sim } = await startRig({ latencyMs: 1000 });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(2) });
    clock.advance(29 * DAY_MS - 1);
    expect((await sdk.messages.batches.retrieve(id)).archived_at).toBeNull();
    clock.advance(1);
    const archived = await sdk.messages.batches.retrieve(id);
    expect(archived.archived_at).toBe('2026-02-03T10:00:00.000000Z');
    expect(archived.request_counts.succeeded).toBe(2);
    const response = await fetch(archived.results_url!, {
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    });
    expect(response.status).toBe(404);
    expect(sim.stats().batchesCreated).toBe(1);
  });

  it('refuses a batch that would overfill the processing queue with a 429 and retry-after', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 1000, processingQueueLimit: 5 });
    await sdk.messages.batches.create({ requests: sdkRequests(3) });
    const error = await sdk.messages.batches.create({ requests: sdkRequests(3) }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.headers.get('retry-after')).toMatch(/^\d+$/);
    clock.advance(1000);
    await expect(sdk.messages.batches.create({ requests: sdkRequests(3) })).resolves.toMatchObject({
      processing_status: 'in_progress',
    });
  });

  it('shares one per-minute rate limit across the batch endpoints', async () => {
    const { sdk, clock, sim } = await startRig({ requestsPerMinute: 3 });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
    await sdk.messages.batches.retrieve(id);
    await sdk.messages.batches.list();
    const error = await sdk.messages.batches.retrieve(id).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.headers.get('retry-after')).toBe('20');
    clock.advance(20_000);
    await expect(sdk.messages.batches.retrieve(id)).resolves.toMatchObject({ id });
    expect(sim.stats().rateLimited).toBe(1);
  });

  it('draws the same errored results from the same seed', async () => {
    const erroredIds = async (seed: number) => {
      const { sdk, clock } = await startRig({
        seed,
        latencyMs: 100,
        faults: { erroredResultRates: { overloaded_error: 0.2, api_error: 0.2 } },
      });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(50) });
      clock.advance(100);
      const results = await collect(await sdk.messages.batches.results(id));
      return results
        .filter((line) => line.result.type === 'errored')
        .map((line) => line.custom_id)
        .sort();
    };
    const first = await erroredIds(7);
    expect(first.length).toBeGreaterThan(5);
    expect(await erroredIds(7)).toEqual(first);
  });

  it('injects errored results of each configured type in about the asked fractions', async () => {
    const { sdk, clock } = await startRig({
      seed: 20_260_105,
      latencyMs: 100,
      faults: { erroredResultRates: { overloaded_error: 0.25, api_error: 0.25 } },
    });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(400) });
    clock.advance(100);
    const results = await collect(await sdk.messages.batches.results(id));
    const count = (type: string) =>
      results.filter(
        (line) => line.result.type === 'errored' && line.result.error.error.type === type,
      ).length;
    expect(count('overloaded_error')).toBeGreaterThan(60);
    expect(count('overloaded_error')).toBeLessThan(140);
    expect(count('api_error')).toBeGreaterThan(60);
    expect(count('api_error')).toBeLessThan(140);
    const batch = await sdk.messages.batches.retrieve(id);
    expect(batch.request_counts.errored).toBe(count('overloaded_error') + count('api_error'));
  });
});

describe('simulator stats', () => {
  const statsOf = async (url: string) =>
    (await (await fetch(`${url}/_simulator/stats`)).json()) as Record<string, number>;

  it('counts batches created and requests received', async () => {
    const { sdk, sim } = await startRig();
    await sdk.messages.batches.create({ requests: sdkRequests(3) });
    await sdk.messages.batches.create({ requests: sdkRequests(4) });
    expect(await statsOf(sim.url)).toMatchObject({
      batchesCreated: 2,
      requestsReceived: 7,
      resubmittedAfterSuccess: 0,
    });
  });

  it('counts a request sent again after it had succeeded', async () => {
    const { sdk, sim, clock } = await startRig({ latencyMs: 100 });
    await sdk.messages.batches.create({ requests: sdkRequests(3) });
    clock.advance(100);
    await sdk.messages.batches.create({ requests: sdkRequests(2) });
    clock.advance(100);
    expect((await statsOf(sim.url)).resubmittedAfterSuccess).toBe(2);
  });

  it('does not count the same custom_id with other params, nor a request that had not succeeded', async () => {
    const { sdk, sim, clock } = await startRig({ latencyMs: 1000 });
    const [original] = sdkRequests(1);
    const first = await sdk.messages.batches.create({ requests: sdkRequests(2, 'c') });
    await sdk.messages.batches.cancel(first.id);
    await sdk.messages.batches.create({ requests: [original!] });
    clock.advance(2000);
    await sdk.messages.batches.create({
      requests: [
        { ...original!, params: { ...original!.params, max_tokens: 7 } },
        ...sdkRequests(2, 'c'),
      ],
    });
    clock.advance(2000);
    expect((await statsOf(sim.url)).resubmittedAfterSuccess).toBe(0);
  });

  it('counts two batches of the same request that both succeeded, even if sent at once', async () => {
    const { sdk, sim, clock } = await startRig({ latencyMs: 100 });
    await sdk.messages.batches.create({ requests: sdkRequests(1) });
    await sdk.messages.batches.create({ requests: sdkRequests(1) });
    clock.advance(100);
    expect((await statsOf(sim.url)).resubmittedAfterSuccess).toBe(1);
  });

  it('answers stats without an API key and without counting the call', async () => {
    const { sim } = await startRig({ faults: { serverErrorRate: 1 } });
    const response = await fetch(`${sim.url}/_simulator/stats`);
    expect(response.status).toBe(200);
    expect(sim.stats().httpRequests).toBe(0);
  });
});
