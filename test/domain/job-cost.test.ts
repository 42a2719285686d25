import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageTotals } from '../../src/domain/job.events.js';
import { evolve } from '../../src/domain/job.state.js';
import {
  addBilledUsage,
  billedTokensOf,
  billedUsd,
  costSplitOf,
  NO_BILLED_USAGE,
  NO_TOKENS,
  requestCostOf,
  UsageTally,
} from '../../src/domain/job-cost.js';
import {
  collected,
  created,
  ended,
  intended,
  queued,
  started,
  submitted,
} from './job-specification.js';

// Sonnet 5.5 standard prices per million: input 2, output 10, 5 m write 2.5, read 0.1; 1 h write 2 × input.
const SONNET = 'claude-sonnet-5-5';

describe('billedTokensOf', () => {
  it('splits cache writes by TTL from cache_creation', () => {
    expect(
      billedTokensOf({
        input_tokens: 10,
        output_tokens: 5,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 40,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      }),
    ).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 200,
      cacheReadTokens: 40,
    });
  });

  it('counts cache_creation_input_tokens as 5-minute writes when there is no breakdown', () => {
    const tokens = billedTokensOf({
      input_tokens: 1,
      output_tokens: 1,
      cache_creation_input_tokens: 70,
    });
    expect(tokens.cacheWrite5mTokens).toBe(70);
    expect(tokens.cacheWrite1hTokens).toBe(0);
  });
});

describe('requestCostOf', () => {
  it('prices each kind at batch prices, the 1-hour write at twice the input price', () => {
    const cost = requestCostOf(SONNET, {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheWrite5mTokens: 1_000_000,
      cacheWrite1hTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
    })!;
    expect(cost).toEqual({
      inputUsd: 1,
      outputUsd: 5,
      cacheWrite5mUsd: 1.25,
      cacheWrite1hUsd: 2,
      cacheReadUsd: 0.05,
      webSearchUsd: 0,
      standardUsd: 18.6,
    });
    expect(costSplitOf(cost)).toMatchObject({ totalUsd: 9.3, savingUsd: 9.3 });
  });

  it('applies the long-prompt price when the prompt with its cached part passes the threshold', () => {
    const tokens = { ...NO_TOKENS, inputTokens: 60_000, cacheReadTokens: 50_000 };
    // Haiku 5.5 above 100,000 prompt tokens: input 0.5, read 0.05 (standard, per million).
    expect(requestCostOf('claude-haiku-5-5', tokens)!.inputUsd).toBeCloseTo(0.015, 12);
  });

  it('knows no price for a model outside the table: null, never 0', () => {
    expect(requestCostOf('gpt-6', { ...NO_TOKENS, inputTokens: 5 })).toBeNull();
  });
});

describe('UsageTally', () => {
  it('adds results up so that costUsd is exactly the sum of the parts', () => {
    const usage = fc.record({
      input_tokens: fc.nat(200_000),
      output_tokens: fc.nat(64_000),
      cache_read_input_tokens: fc.nat(200_000),
      cache_creation: fc.record({
        ephemeral_5m_input_tokens: fc.nat(50_000),
        ephemeral_1h_input_tokens: fc.nat(50_000),
      }),
    });
    const model = fc.constantFrom(
      SONNET,
      'claude-haiku-5-5',
      'claude-opus-4-5',
      'claude-fable-5-2',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(model, usage), { maxLength: 30 }), (results) => {
        const tally = new UsageTally();
        for (const [m, u] of results) tally.add(m, u);
        const totals = tally.totals();
        expect(totals.cost).not.toBeNull();
        expect(totals.costUsd).toBe(billedUsd(totals.cost!));
        expect(costSplitOf(totals.cost!).totalUsd).toBe(totals.costUsd);
        expect(totals.cost!.standardUsd).toBeGreaterThanOrEqual(totals.costUsd!);
      }),
    );
  });

  it('makes the cost unknown when one result is of a model without a price', () => {
    const tally = new UsageTally();
    tally.add(SONNET, { input_tokens: 10, output_tokens: 10 });
    tally.add('gpt-6', { input_tokens: 10, output_tokens: 10 });
    expect(tally.totals()).toMatchObject({ costUsd: null, cost: null, inputTokens: 20 });
  });
});

describe('a job state sums the split of every batch', () => {
  const batchUsage = (inputTokens: number, cacheReadTokens: number): UsageTotals => {
    const tally = new UsageTally();
    tally.add(SONNET, {
      input_tokens: inputTokens,
      output_tokens: 100,
      cache_read_input_tokens: cacheReadTokens,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 30 },
    });
    return tally.totals();
  };

  it('keeps usage.costUsd equal to the total of its split', () => {
    const state = [
      created({ requests: 2 }),
      queued(1),
      started(2),
      intended(3, 'b1', 1),
      submitted(4, 'b1'),
      intended(5, 'b2', 1),
      submitted(6, 'b2'),
      ended(60, 'b1'),
      collected(61, 'b1', { succeeded: 1, usage: batchUsage(1234, 77) }),
      ended(70, 'b2'),
      collected(71, 'b2', { succeeded: 1, usage: batchUsage(987, 555) }),
    ].reduce(evolve, null as never);
    expect(state.billed.cacheReadTokens).toBe(632);
    expect(state.billed.cacheWrite1hTokens).toBe(60);
    expect(costSplitOf(state.billed.cost!).totalUsd).toBe(state.usage.costUsd);
  });

  it('keeps the total but not the split of an event written before splits were kept', () => {
    const old: UsageTotals = { inputTokens: 10, outputTokens: 10, costUsd: 0.5 };
    const after = addBilledUsage(NO_BILLED_USAGE, old);
    expect(after.cost).toBeNull();
  });
});
