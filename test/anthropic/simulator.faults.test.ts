import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { rawFetch, sdkRequests, startRig } from './simulator-harness.js';

describe('simulator fault injection', () => {
  it('answers 429 rate_limit_error with retry-after at rateLimitRate 1', async () => {
    const { sdk } = await startRig({ faults: { rateLimitRate: 1, retryAfterSeconds: 7 } });
    const error = await sdk.messages.batches.list().catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.type).toBe('rate_limit_error');
    expect(error.headers.get('retry-after')).toBe('7');
  });

  it('answers 529 overloaded_error at overloadRate 1', async () => {
    const { sdk } = await startRig({ faults: { overloadRate: 1 } });
    const error = await sdk.messages.batches.list().catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.OverloadedError);
    expect(error.status).toBe(529);
    expect(error.type).toBe('overloaded_error');
  });

  it('answers 500 api_error at serverErrorRate 1', async () => {
    const { sdk } = await startRig({ faults: { serverErrorRate: 1 } });
    const error = await sdk.messages.batches.list().catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.type).toBe('api_error');
  });

  it('cuts the connection without creating anything at connectionResetRate 1', async () => {
    const { sdk, sim } = await startRig({ faults: { connectionResetRate: 1 } });
    const error = await sdk.messages.batches.create({ requests: sdkRequests(1) }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(sim.stats().batchesCreated).toBe(0);
  });

  it('creates the batch, then cuts the connection, at responseLossRate 1', async () => {
    const { sdk, sim } = await startRig({ faults: { responseLossRate: 1 } });
    const error = await sdk.messages.batches.create({ requests: sdkRequests(1) }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(sim.stats().batchesCreated).toBe(1);
  });

  it('delays answers by slowMs at slowRate 1, enough for a client timeout', async () => {
    const { sim } = await startRig({ faults: { slowRate: 1, slowMs: 1_000 } });
    const impatient = new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0, timeout: 50 });
    const error = await impatient.messages.batches.list().catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    await expect.poll(() => sim.stats().faultsInjected.slow).toBe(1);
  });

  it('applies per-endpoint rates over the general ones', async () => {
    const { sdk } = await startRig({
      faults: { serverErrorRate: 1, endpoints: { list: { serverErrorRate: 0 } } },
    });
    await expect(sdk.messages.batches.list()).resolves.toBeDefined();
    await expect(sdk.messages.batches.create({ requests: sdkRequests(1) })).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
  });

  it('injects faults in about the asked fraction of calls', async () => {
    const { sdk, sim } = await startRig({ seed: 20_260_105, faults: { serverErrorRate: 0.3 } });
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      await sdk.messages.batches.list().catch(() => {
        failed += 1;
      });
    }
    expect(failed).toBeGreaterThan(35);
    expect(failed).toBeLessThan(85);
    expect(sim.stats().faultsInjected.server_error).toBe(failed);
  });

  it('hides a new batch behind 404s for transientNotFoundMs after create', async () => {
    const { sdk, clock } = await startRig({ faults: { transientNotFoundMs: 2000 } });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
    await expect(sdk.messages.batches.retrieve(id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    clock.advance(2000);
    await expect(sdk.messages.batches.retrieve(id)).resolves.toMatchObject({ id });
  });

  it('cuts a results download half-way, in the middle of a line', async () => {
    const { sdk, sim, clock } = await startRig({ latencyMs: 100, faults: { resultsCutRate: 1 } });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(10) });
    clock.advance(100);
    const response = await rawFetch(sim, `/v1/messages/batches/${id}/results`);
    const received: string[] = [];
    const error = await (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body!) received.push(decoder.decode(chunk));
    })().catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    const text = received.join('');
    expect(text.split('\n')).toHaveLength(6);
    expect(text.endsWith('\n')).toBe(false);
  });

  it('stops injecting once the rates are set back to 0', async () => {
    const { sdk, sim } = await startRig({ faults: { overloadRate: 1 } });
    await expect(sdk.messages.batches.list()).rejects.toBeInstanceOf(Anthropic.OverloadedError);
    sim.setFaults({ overloadRate: 0 });
    await expect(sdk.messages.batches.list()).resolves.toBeDefined();
  });

  it('refuses a fault rate outside 0..1 with a ValidationError', async () => {
    const { sim } = await startRig();
    expect(() => sim.setFaults({ rateLimitRate: 1.5 })).toThrow(ValidationError);
    expect(() =>
      sim.setFaults({ erroredResultRates: { api_error: 0.6, overloaded_error: 0.6 } }),
    ).toThrow(ValidationError);
  });
});
