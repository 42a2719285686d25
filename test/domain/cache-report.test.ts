import { describe, expect, it } from 'vitest';
import {
  CacheSavingTally,
  cacheHitRate,
  cacheReportOf,
  cacheSavingOf,
} from '../../src/domain/cache-report.js';
import { addCacheSaving } from '../../src/domain/cache-saved.js';
import type { PriceTable } from '../../src/domain/pricing.js';

// Per million tokens, standard prices: a 5-minute write 2.5, a 1-hour write 4, a read 0.2;
// above 1,000 prompt tokens every price doubles. A batch pays half.
const TABLE: PriceTable = {
  source: 'test',
  takenOn: '2026-01-01',
  batchDiscount: 0.5,
  models: [
    {
      label: 'Test',
      match: ['test-model'],
      prices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
      longPrompt: {
        aboveTokens: 1000,
        prices: { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.4 },
      },
    },
  ],
};

const reading = (tokens: number) => ({
  input_tokens: 10,
  output_tokens: 5,
  cache_read_input_tokens: tokens,
});

describe('the cache hit rate', () => {
  it('is read tokens over read and written tokens', () => {
    expect(
      cacheHitRate({ cacheReadTokens: 989, cacheWrite5mTokens: 5, cacheWrite1hTokens: 6 }),
    ).toBe(0.989);
  });

  it('is null when nothing was read or written', () => {
    expect(
      cacheHitRate({ cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }),
    ).toBeNull();
  });

  it('is reported with the tokens by TTL', () => {
    expect(
      cacheReportOf({ cacheReadTokens: 3, cacheWrite5mTokens: 0, cacheWrite1hTokens: 1 }, 0.5),
    ).toEqual({
      readTokens: 3,
      writeTokens: { fiveMinutes: 0, oneHour: 1 },
      hitRate: 0.75,
      savedUsd: 0.5,
    });
  });
});

describe('what cache reads saved', () => {
  it('is each token read priced as a 5-minute write less a read, at batch prices', () => {
    expect(cacheSavingOf('test-model', reading(400), '5m', TABLE)).toBeCloseTo(
      (400 * (2.5 - 0.2) * 0.5) / 1e6,
      12,
    );
  });

  it('prices reads of 1-hour entries as 1-hour writes (twice input when the table does not say)', () => {
    expect(cacheSavingOf('test-model', reading(400), '1h', TABLE)).toBeCloseTo(
      (400 * (4 - 0.2) * 0.5) / 1e6,
      12,
    );
  });

  it('applies the long-prompt prices to a request whose prompt, cache reads included, is long', () => {
    expect(cacheSavingOf('test-model', reading(1000), '5m', TABLE)).toBeCloseTo(
      (1000 * (5 - 0.4) * 0.5) / 1e6,
      12,
    );
  });

  it('is 0 for a result that read nothing, even of a model without a price', () => {
    expect(cacheSavingOf('unpriced', reading(0), '5m', TABLE)).toBe(0);
  });

  it('is unknown for a result that read the cache with a model without a price', () => {
    const tally = new CacheSavingTally(TABLE);
    tally.add('test-model', reading(400), '5m');
    tally.add('unpriced', reading(400), '5m');
    expect(tally.total()).toBeNull();
  });

  it('sums result by result, rounded to the micro-dollar', () => {
    const tally = new CacheSavingTally(TABLE);
    tally.add('test-model', reading(400), '5m');
    tally.add('test-model', reading(400), '1h');
    expect(tally.total()).toBe(0.00122);
  });
});

describe('a job’s saving over its batches', () => {
  it('adds each batch’s saving', () => {
    expect(addCacheSaving(0.25, { cacheReadTokens: 9, cacheSavedUsd: 0.5 })).toBe(0.75);
  });

  it('becomes unknown with a batch whose saving is unknown, and stays so', () => {
    expect(addCacheSaving(0.25, { cacheReadTokens: 9, cacheSavedUsd: null })).toBeNull();
    expect(addCacheSaving(null, { cacheReadTokens: 0, cacheSavedUsd: 0 })).toBeNull();
  });

  it('counts an older event that read nothing as 0, one that read or predates cache counts as unknown', () => {
    expect(addCacheSaving(0, { cacheReadTokens: 0 })).toBe(0);
    expect(addCacheSaving(0, { cacheReadTokens: 9 })).toBeNull();
    expect(addCacheSaving(0, {})).toBeNull();
  });
});
