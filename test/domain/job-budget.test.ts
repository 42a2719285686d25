import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/domain/errors.js';
import type { JobCommand } from '../../src/domain/job.commands.js';
import type { JobEvent } from '../../src/domain/job.events.js';
import { budgetUseOf } from '../../src/domain/job.state.js';
import {
  roomInBudget,
  TOOL_PROMPT_TOKENS_BOUND,
  unboundedBudgetProblem,
  worstCaseCostOf,
} from '../../src/domain/job-budget.js';
import type { PriceTable } from '../../src/domain/pricing.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import {
  aCompletedJob,
  aProcessingJob,
  collected,
  created,
  given,
  intended,
  iso,
  JOB,
  paused,
  stateAfter,
  submitted,
  TENANT,
  t,
} from './job-specification.js';

const NOW = t(100);
const at = iso(100);

const budgetedAt = (maxCostUsd: number): JobEvent => {
  const job = created() as Extract<JobEvent, { type: 'JobCreated' }>;
  return { ...job, data: { ...job.data, maxCostUsd } };
};
const pausedForBudget = (s: number): JobEvent => ({
  type: 'JobPaused',
  data: { at: iso(s), reason: 'budget' },
});
const changeBudget = (maxCostUsd: number | null): JobCommand => ({
  type: 'ChangeBudget',
  data: { jobId: JOB, tenant: TENANT, maxCostUsd },
});
const budgetChanged = (maxCostUsd: number | null): JobEvent => ({
  type: 'JobBudgetChanged',
  data: { maxCostUsd, at },
});
const aJobPausedForItsBudget = (maxCostUsd: number): JobEvent[] => [
  budgetedAt(maxCostUsd),
  ...aProcessingJob().slice(1),
  pausedForBudget(10),
];

describe('ChangeBudget', () => {
  it('sets a cap on a processing job that had none', () => {
    given(...aProcessingJob())
      .when(changeBudget(5), NOW)
      .thenEvents(budgetChanged(5));
  });

  it('resumes a job paused for its budget when the cap is raised', () => {
    given(...aJobPausedForItsBudget(1))
      .when(changeBudget(2), NOW)
      .thenEvents(budgetChanged(2), { type: 'JobResumed', data: { at } });
  });

  it('resumes a job paused for its budget when the cap is removed', () => {
    given(...aJobPausedForItsBudget(1))
      .when(changeBudget(null), NOW)
      .thenEvents(budgetChanged(null), { type: 'JobResumed', data: { at } });
  });

  it('keeps a job paused for its budget when the cap is lowered', () => {
    given(...aJobPausedForItsBudget(1))
      .when(changeBudget(0.5), NOW)
      .thenEvents(budgetChanged(0.5));
  });

  it('keeps a job a caller paused paused when the cap is raised', () => {
    given(budgetedAt(1), ...aProcessingJob().slice(1), paused(10))
      .when(changeBudget(2), NOW)
      .thenEvents(budgetChanged(2));
  });

  it('changes nothing when the cap is the one the job has', () => {
    given(...aJobPausedForItsBudget(1))
      .when(changeBudget(1), NOW)
      .thenNothing();
  });

  it('refuses to change the budget of a job that has ended', () => {
    given(...aCompletedJob())
      .when(changeBudget(5), NOW)
      .thenThrows(IllegalTransitionError, 'cannot change the budget of a job that is completed');
  });
});

describe('budgetUseOf', () => {
  it('is null for a job with no cap', () => {
    expect(budgetUseOf(stateAfter(...aProcessingJob()))).toBeNull();
  });

  it('counts the worst case of the batches in flight and the cost of those collected', () => {
    const worst = (s: number, batchKey: string, usd: number): JobEvent => {
      const event = intended(s, batchKey, 1) as Extract<
        JobEvent,
        { type: 'BatchSubmissionIntended' }
      >;
      return { ...event, data: { ...event.data, worstCaseUsd: usd } };
    };
    const state = stateAfter(
      budgetedAt(1),
      ...aProcessingJob().slice(1),
      worst(3, 'b1', 0.25),
      submitted(4, 'b1'),
      worst(5, 'b2', 0.5),
      submitted(6, 'b2'),
      collected(20, 'b1', { succeeded: 1 }),
    );
    expect(budgetUseOf(state)).toEqual({
      maxCostUsd: 1,
      spentUsd: state.usage.costUsd,
      inFlightWorstUsd: 0.5,
    });
  });
});

describe('roomInBudget', () => {
  it('given nothing spent or in flight, when each request may cost 0.2 of a 1 cap, then 5 fit', () => {
    const use = { maxCostUsd: 1, spentUsd: 0, inFlightWorstUsd: 0 };
    expect(roomInBudget(use, Array(8).fill(0.2))).toBe(5);
  });

  it('given what was spent and what is in flight, then only what is left of the cap is sent', () => {
    const use = { maxCostUsd: 1, spentUsd: 0.3, inFlightWorstUsd: 0.3 };
    expect(roomInBudget(use, [0.2, 0.2, 0.2])).toBe(2);
  });

  it('given a request that does not fit, then none after it is sent either (order is kept)', () => {
    const use = { maxCostUsd: 1, spentUsd: 0, inFlightWorstUsd: 0 };
    expect(roomInBudget(use, [0.5, 0.6, 0.1])).toBe(1);
  });

  it('given a spent budget, then nothing fits', () => {
    const use = { maxCostUsd: 1, spentUsd: 0.9, inFlightWorstUsd: 0.1 };
    expect(roomInBudget(use, [0.01])).toBe(0);
  });
});

const TABLE: PriceTable = {
  source: 'test',
  takenOn: '2026-01-01',
  batchDiscount: 0.5,
  models: [
    {
      label: 'priced',
      match: ['priced'],
      prices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2, cacheWrite1h: 4 },
    },
  ],
};
const params = (extra: Record<string, unknown> = {}): MessageParams =>
  ({
    model: 'claude-priced-1',
    max_tokens: 1000,
    messages: [{ role: 'user', content: 'hello' }],
    ...extra,
  }) as MessageParams;
const bytesOf = (p: MessageParams) => Buffer.byteLength(JSON.stringify(p), 'utf8');

describe('worstCaseCostOf', () => {
  it('is the params bytes as input tokens plus max_tokens of output, at batch prices', () => {
    const p = params();
    expect(worstCaseCostOf(p, TABLE)).toEqual({
      usd: ((bytesOf(p) * 2 + 1000 * 10) / 1e6) * 0.5,
    });
  });

  it('prices the input as a cache write of its TTL when the request asks for caching', () => {
    const p = params({
      system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    });
    expect(worstCaseCostOf(p, TABLE)).toEqual({
      usd: ((bytesOf(p) * 4 + 1000 * 10) / 1e6) * 0.5,
    });
  });

  it('adds the tool-use prompt when the request has tools, and web search fees max_uses times', () => {
    const p = params({
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }],
    });
    const worst = worstCaseCostOf(p, TABLE);
    if (!('usd' in worst)) throw new Error('bounded');
    // $10 per 1,000 searches, not discounted in batches.
    expect(worst.usd).toBeCloseTo(
      (((bytesOf(p) + TOOL_PROMPT_TOKENS_BOUND) * 2 + 1000 * 10) / 1e6) * 0.5 + 2 * 0.01,
      12,
    );
  });

  it('cannot bound a model with no price', () => {
    expect(worstCaseCostOf(params({ model: 'claude-unknown-9' }), TABLE)).toEqual({
      unbounded: 'model claude-unknown-9 has no price in the price table',
    });
  });

  it('cannot bound a server tool without max_uses', () => {
    const p = params({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    expect(worstCaseCostOf(p, TABLE)).toEqual({
      unbounded: 'server tool web_search_20250305 has no max_uses',
    });
  });

  it('names the first request of a job that cannot be bounded', () => {
    const requests = [
      { custom_id: 'ok', params: params() },
      { custom_id: 'no-price', params: params({ model: 'claude-unknown-9' }) },
    ];
    expect(unboundedBudgetProblem(requests, TABLE)).toBe(
      'maxCostUsd cannot be guaranteed: request no-price: model claude-unknown-9 has no price in the price table',
    );
    expect(unboundedBudgetProblem(requests.slice(0, 1), TABLE)).toBeUndefined();
  });
});
