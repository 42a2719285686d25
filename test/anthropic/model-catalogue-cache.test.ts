import { describe, expect, it, vi } from 'vitest';
import { ModelCatalogueCache } from '../../src/anthropic/model-catalogue-cache.js';
import {
  type CatalogueModel,
  SHIPPED_MODEL_CATALOGUE,
} from '../../src/domain/anthropic-api/model-catalogue.js';
import { ManualClock } from '../../src/domain/clock.js';
import { startRig } from './simulator-harness.js';

const HOUR = 3_600_000;
const model = (id: string): CatalogueModel => ({
  id,
  display_name: id,
  created_at: '2026-11-01T00:00:00Z',
  lifecycle: 'active',
  deprecated_at: null,
  retires_at: null,
  max_tokens: 1000,
  max_input_tokens: null,
});

function cacheOver(list: () => Promise<readonly CatalogueModel[]>, options = {}) {
  const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));
  const warnings: Array<Record<string, unknown>> = [];
  const cache = new ModelCatalogueCache({
    list,
    clock,
    warn: (_message, fields) => warnings.push(fields),
    ...options,
  });
  return { cache, clock, warnings };
}

describe('ModelCatalogueCache', () => {
  it('reads GET /v1/models once an hour, however often it is asked', async () => {
    let reads = 0;
    const { cache, clock } = cacheOver(async () => {
      reads += 1;
      return [model(`m${reads}`)];
    });
    const first = await cache.current();
    await cache.current();
    expect(reads).toBe(1);
    expect(first).toMatchObject({ source: 'api', models: [{ id: 'm1' }] });
    clock.advance(HOUR);
    expect((await cache.current()).models[0]!.id).toBe('m2');
  });

  it('uses the shipped catalogue, with a warning, when the endpoint cannot be read', async () => {
    const { cache, warnings } = cacheOver(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    expect(await cache.current()).toBe(SHIPPED_MODEL_CATALOGUE);
    expect(warnings).toEqual([{ using: 'shipped', error: 'connect ECONNREFUSED' }]);
  });

  it('uses the last catalogue read when a later read fails, and tries again a minute later', async () => {
    let fail = false;
    let reads = 0;
    const { cache, clock, warnings } = cacheOver(async () => {
      reads += 1;
      if (fail) throw new Error('overloaded');
      return [model('kept')];
    });
    await cache.current();
    fail = true;
    clock.advance(HOUR);
    expect(await cache.current()).toMatchObject({ source: 'cached', models: [{ id: 'kept' }] });
    expect(warnings).toEqual([{ using: 'cached', error: 'overloaded' }]);
    await cache.current();
    expect(reads).toBe(2);
    clock.advance(60_000);
    await cache.current();
    expect(reads).toBe(3);
  });

  it('does not hold a creation up for an endpoint that does not answer', async () => {
    const { cache } = cacheOver(() => new Promise<never>(() => {}), { waitMs: 20 });
    expect(await cache.current()).toBe(SHIPPED_MODEL_CATALOGUE);
  });

  it('holds up only the first creation while a read hangs: the next ones use the fallback at once', async () => {
    vi.useFakeTimers();
    try {
      let reads = 0;
      const { cache } = cacheOver(() => {
        reads += 1;
        return new Promise<never>(() => {});
      });
      const first = cache.current();
      await vi.advanceTimersByTimeAsync(2000);
      expect(await first).toBe(SHIPPED_MODEL_CATALOGUE);
      // No timer is advanced now: a caller that waited for the hanging read would never settle.
      let second: unknown;
      void cache.current().then((catalogue) => {
        second = catalogue;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(second).toBe(SHIPPED_MODEL_CATALOGUE);
      expect(reads).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the shipped 300k batch-beta limit the API does not report', async () => {
    const { cache } = cacheOver(async () => [{ ...model('claude-opus-5-5'), max_tokens: 128_000 }]);
    expect((await cache.current()).models[0]!.batch_beta_max_tokens).toBe(300_000);
  });
});

describe('AnthropicGateway.listModels', () => {
  it('reads every model over all pages through the SDK, retired ones included', async () => {
    const { gateway } = await startRig();
    const models = await gateway().listModels();
    expect(models.map((m) => m.id)).toEqual(SHIPPED_MODEL_CATALOGUE.models.map((m) => m.id));
    expect(models.find((m) => m.id === 'claude-opus-4-20250514')).toMatchObject({
      lifecycle: 'retired',
      retires_at: '2026-06-15T00:00:00Z',
    });
  });
});
