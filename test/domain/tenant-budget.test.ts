import { describe, expect, it } from 'vitest';
import { worstCaseCostOf } from '../../src/domain/job-budget.js';
import { UsageTally } from '../../src/domain/job-cost.js';
import { SHIPPED_PRICE_TABLE } from '../../src/domain/pricing.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import {
  decideBudgetedSending,
  jobsToResume,
  utcDayStart,
} from '../../src/domain/tenant-budget.js';

const tenant = (spentTodayUsd: number, inFlightWorstUsd = 0) => ({
  dailyBudgetUsd: 1,
  spentTodayUsd,
  inFlightWorstUsd,
});
const decide = (input: Partial<Parameters<typeof decideBudgetedSending>[0]>) =>
  decideBudgetedSending({
    job: null,
    tenant: null,
    worstCases: [0.3, 0.3, 0.3],
    overBudget: 'pause',
    jobInFlight: false,
    ...input,
  });

describe('decideBudgetedSending', () => {
  it("sends the prefix that fits the tenant's day", () => {
    expect(decide({ tenant: tenant(0.2, 0.2) })).toEqual({ kind: 'send', count: 2 });
  });

  it('sends what fits both the cap and the day, the smaller of the two', () => {
    const job = { maxCostUsd: 0.35, spentUsd: 0, inFlightWorstUsd: 0 };
    expect(decide({ job, tenant: tenant(0) })).toEqual({ kind: 'send', count: 1 });
  });

  it("pauses for the tenant's budget when the cap has room and the day has none", () => {
    expect(decide({ tenant: tenant(0.9) })).toEqual({
      kind: 'pause',
      reason: 'tenant-budget',
      neededUsd: 0.3,
    });
  });

  it('pauses for the cap first when neither has room', () => {
    const job = { maxCostUsd: 0.1, spentUsd: 0, inFlightWorstUsd: 0 };
    expect(decide({ job, tenant: tenant(0.9) })).toMatchObject({ kind: 'pause', reason: 'budget' });
  });

  it('with overBudget error, waits for its batches in flight, then ends the rest', () => {
    expect(decide({ tenant: tenant(0.9), overBudget: 'error', jobInFlight: true })).toEqual({
      kind: 'wait',
    });
    expect(decide({ tenant: tenant(0.9), overBudget: 'error' })).toEqual({ kind: 'end-unfitted' });
  });

  it('sends nothing, and decides nothing, when nothing waits to be sent', () => {
    expect(decide({ tenant: tenant(2), worstCases: [] })).toEqual({ kind: 'send', count: 0 });
  });
});

describe('jobsToResume', () => {
  it('resumes, in order, the paused jobs whose next request fits what is left', () => {
    const paused = [
      { jobId: 'a', neededUsd: 0.3 },
      { jobId: 'b', neededUsd: 0.3 },
      { jobId: 'c', neededUsd: 0.3 },
    ];
    expect(jobsToResume(tenant(0.2, 0.2), paused)).toEqual(['a', 'b']);
    expect(jobsToResume(tenant(0.9), paused)).toEqual([]);
  });

  it('resumes every one when the tenant no longer has a budget', () => {
    expect(jobsToResume(null, [{ jobId: 'a', neededUsd: 5 }])).toEqual(['a']);
  });
});

describe('utcDayStart', () => {
  it('is UTC midnight of the day', () => {
    expect(utcDayStart(new Date('2030-01-02T23:59:59.999Z')).toISOString()).toBe(
      '2030-01-02T00:00:00.000Z',
    );
  });
});

describe('web search fees', () => {
  it('are their own part of the split, not discounted, and the parts still add up', () => {
    const tally = new UsageTally();
    tally.add('claude-sonnet-5-5', {
      input_tokens: 1_000_000,
      output_tokens: 0,
      server_tool_use: { web_search_requests: 3 },
    });
    const { cost, costUsd, webSearchRequests } = tally.totals();
    expect(webSearchRequests).toBe(3);
    expect(cost?.webSearchUsd).toBe(0.03);
    const parts =
      cost!.inputUsd +
      cost!.outputUsd +
      cost!.cacheWrite5mUsd +
      cost!.cacheWrite1hUsd +
      cost!.cacheReadUsd +
      cost!.webSearchUsd;
    expect(costUsd).toBeCloseTo(parts, 9);
    expect(cost!.standardUsd).toBeCloseTo(cost!.inputUsd * 2 + 0.03, 9);
  });

  it('bound the worst case by max_uses', () => {
    const params: MessageParams = {
      model: 'claude-sonnet-5-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    };
    const plain = worstCaseCostOf(params, SHIPPED_PRICE_TABLE);
    const searching = worstCaseCostOf(
      { ...params, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] },
      SHIPPED_PRICE_TABLE,
    );
    if (!('usd' in plain) || !('usd' in searching)) throw new Error('both are bounded');
    expect(searching.usd - plain.usd).toBeGreaterThan(0.05);
  });
});
