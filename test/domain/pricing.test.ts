import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_DISCOUNT,
  estimateBatchCostUsd,
  PRICES_CHECKED,
  parsePriceTable,
  priceForModel,
  SHIPPED_PRICE_TABLE,
} from '../../src/domain/pricing.js';

const million = { input_tokens: 1_000_000, output_tokens: 0 };
const millionOut = { input_tokens: 0, output_tokens: 1_000_000 };

describe('priceForModel', () => {
  it('finds each current family by the name in its id', () => {
    expect(priceForModel('claude-opus-5-5')?.label).toBe('Claude Opus 5.5');
    expect(priceForModel('claude-sonnet-5-5')?.label).toBe('Claude Sonnet 5.5');
    expect(priceForModel('claude-haiku-5-5')?.label).toBe('Claude Haiku 5.5');
  });

  it('tells older generations of a family apart', () => {
    expect(priceForModel('claude-opus-4-1-20250805')?.prices.input).toBe(15);
    expect(priceForModel('claude-opus-4-20250514')?.prices.input).toBe(15);
    expect(priceForModel('claude-3-opus-20240229')?.prices.input).toBe(15);
    expect(priceForModel('claude-opus-4-5-20251101')?.prices.input).toBe(5);
    expect(priceForModel('claude-3-5-haiku-20241022')?.prices.input).toBe(0.8);
    expect(priceForModel('claude-3-haiku-20240307')?.prices.input).toBe(0.25);
    expect(priceForModel('claude-haiku-4-5-20251001')?.prices.input).toBe(1);
    expect(priceForModel('claude-sonnet-4-5-20250929')?.prices.input).toBe(3);
  });

  it('matches ids of other platforms and any case', () => {
    expect(priceForModel('anthropic.claude-3-haiku-20240307-v1:0')?.label).toBe('Claude Haiku 3');
    expect(priceForModel('CLAUDE-SONNET-5')?.label).toBe('Claude Sonnet 5');
  });

  it('prices the Fable line by version (pricing page, taken on the table date)', () => {
    expect(priceForModel('claude-fable-5-2')?.prices).toEqual({
      input: 8,
      output: 40,
      cacheWrite: 10,
      cacheRead: 0.2,
    });
    expect(priceForModel('claude-fable-5-1')?.prices.cacheRead).toBe(0.25);
    expect(priceForModel('claude-fable-5')?.prices.cacheRead).toBe(1);
  });

  it('knows nothing of a model outside the table', () => {
    expect(priceForModel('gpt-6')).toBeNull();
    expect(priceForModel('')).toBeNull();
  });
});

describe('estimateBatchCostUsd', () => {
  it('halves the standard price for a batch', () => {
    expect(BATCH_DISCOUNT).toBe(0.5);
    expect(estimateBatchCostUsd('claude-sonnet-5-5', million)).toBe(1);
    expect(estimateBatchCostUsd('claude-sonnet-5-5', millionOut)).toBe(5);
  });

  it('prices cache writes and cache reads at their own rates', () => {
    const usage = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 1_000_000,
      cache_read_input_tokens: 1_000_000,
    };
    expect(estimateBatchCostUsd('claude-opus-4-5', usage)).toBeCloseTo((6.25 + 0.5) / 2, 10);
  });

  it('treats null cache counts, as the SDK reports them, as none', () => {
    const usage = { ...million, cache_creation_input_tokens: null, cache_read_input_tokens: null };
    expect(estimateBatchCostUsd('claude-opus-5-5', usage)).toBe(2);
  });

  it('charges the long-prompt price on every token of a long Haiku 5.5 request', () => {
    const short = { input_tokens: 100_000, output_tokens: 1_000 };
    const long = { input_tokens: 90_000, output_tokens: 1_000, cache_read_input_tokens: 10_001 };
    expect(estimateBatchCostUsd('claude-haiku-5-5', short)).toBeCloseTo(
      (100_000 * 0.1 + 1_000 * 0.5) / 2e6,
      12,
    );
    expect(estimateBatchCostUsd('claude-haiku-5-5', long)).toBeCloseTo(
      (90_000 * 0.5 + 1_000 * 2.5 + 10_001 * 0.05) / 2e6,
      12,
    );
  });

  it('is null for an unknown model', () => {
    expect(estimateBatchCostUsd('gpt-6', million)).toBeNull();
  });

  it('is zero for no tokens', () => {
    expect(estimateBatchCostUsd('claude-haiku-4-5', { input_tokens: 0, output_tokens: 0 })).toBe(0);
  });

  it('grows with every kind of token', () => {
    const tokens = fc.integer({ min: 0, max: 1_000_000 });
    fc.assert(
      fc.property(
        fc.constantFrom(
          'claude-opus-5-5',
          'claude-sonnet-4-6',
          'claude-haiku-4-5',
          'claude-3-haiku-20240307',
        ),
        fc.record({
          input_tokens: tokens,
          output_tokens: tokens,
          cache_creation_input_tokens: tokens,
          cache_read_input_tokens: tokens,
        }),
        fc.constantFrom(
          'input_tokens',
          'output_tokens',
          'cache_creation_input_tokens',
          'cache_read_input_tokens',
        ),
        (model, usage, field) => {
          const more = { ...usage, [field]: usage[field] + 1000 };
          expect(estimateBatchCostUsd(model, more)!).toBeGreaterThan(
            estimateBatchCostUsd(model, usage)!,
          );
        },
      ),
    );
  });
});

describe('the price table as data', () => {
  it('names the pricing page and the day it was taken from it', () => {
    expect(SHIPPED_PRICE_TABLE.source).toBe(
      'https://platform.claude.com/docs/en/about-claude/pricing',
    );
    expect(PRICES_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('costs with the table it is given, discount included', () => {
    const table = parsePriceTable({
      source: 'test',
      takenOn: '2027-01-01',
      batchDiscount: 0.25,
      models: [
        { label: 'x', match: ['x'], prices: { input: 4, output: 0, cacheWrite: 0, cacheRead: 0 } },
      ],
    });
    expect(estimateBatchCostUsd('model-x', million, table)).toBe(1);
    expect(estimateBatchCostUsd('claude-sonnet-5-5', million, table)).toBeNull();
  });

  it('refuses a table that is not one, naming the field', () => {
    expect(() =>
      parsePriceTable({ source: 's', takenOn: '2027-01-01', batchDiscount: 2, models: [] }),
    ).toThrow(/batchDiscount/);
  });
});
