import { describe, expect, it } from 'vitest';
import { cacheTtlOf, estimateFromCounts, ordinalsToCount } from '../../src/domain/job-estimate.js';

// Sonnet 5.5 standard prices per million: input 2, output 10, 5 m write 2.5, 1 h write 4, read 0.1; batches pay half.
const sonnet = (maxTokens: number, cacheTtl: '5m' | '1h' | null = null) => ({
  model: 'claude-sonnet-5-5',
  maxTokens,
  cacheTtl,
});

describe('estimateFromCounts', () => {
  it('prices uncached prompts at the input price, and output from nothing up to max_tokens', () => {
    const estimate = estimateFromCounts([sonnet(1_000_000)], new Map([[0, 1_000_000]]));
    expect(estimate).toMatchObject({ inputTokens: 1_000_000, maxOutputTokens: 1_000_000 });
    expect(estimate.minUsd).toBe(1);
    expect(estimate.maxUsd).toBe(6);
  });

  it('prices a cached prompt from all read to all written, at the TTL’s write price', () => {
    const counted = new Map([[0, 1_000_000]]);
    expect(estimateFromCounts([sonnet(0, '5m')], counted)).toMatchObject({
      minUsd: 0.05,
      maxUsd: 1.25,
      cachingRequests: 1,
    });
    expect(estimateFromCounts([sonnet(0, '1h')], counted).maxUsd).toBe(2);
  });

  it('names models without a price and gives no bound', () => {
    const estimate = estimateFromCounts(
      [sonnet(10), { model: 'gpt-6', maxTokens: 10, cacheTtl: null }],
      new Map([
        [0, 10],
        [1, 10],
      ]),
    );
    expect(estimate).toMatchObject({ minUsd: null, maxUsd: null, unpricedModels: ['gpt-6'] });
  });

  it('extrapolates a sample with a range around it, and says it is sampled', () => {
    const requests = Array.from({ length: 100 }, () => sonnet(10));
    const counted = new Map(ordinalsToCount(100, 10).map((o) => [o, 1000 + (o % 3) * 10]));
    const estimate = estimateFromCounts(requests, counted);
    expect(estimate).toMatchObject({ sampled: true, countedRequests: 10, requests: 100 });
    expect(estimate.inputTokensRange.min).toBeLessThan(estimate.inputTokens);
    expect(estimate.inputTokensRange.max).toBeGreaterThan(estimate.inputTokens);
    expect(estimate.maxOutputTokens).toBe(1000);
  });
});

describe('ordinalsToCount', () => {
  it('counts every request up to the limit and an even spread above it', () => {
    expect(ordinalsToCount(3, 5)).toEqual([0, 1, 2]);
    expect(ordinalsToCount(10, 5)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe('cacheTtlOf', () => {
  it('finds cache_control anywhere in the params, the longest TTL winning', () => {
    expect(cacheTtlOf({ messages: [{ role: 'user', content: 'hi' }] })).toBeNull();
    expect(cacheTtlOf({ tools: [{ name: 't', cache_control: { type: 'ephemeral' } }] })).toBe('5m');
    expect(
      cacheTtlOf({
        system: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [
          { content: [{ type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }] },
        ],
      }),
    ).toBe('1h');
  });
});
