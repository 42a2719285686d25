import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstCaseCostOf } from '../../src/domain/job-budget.js';
import { SHIPPED_PRICE_TABLE } from '../../src/domain/pricing.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import { sleep } from '../../src/support/sleep.js';
import {
  committedAtEachSending,
  type LoggedEvent,
  ofType,
  sentRequests,
} from '../support/budget-log.js';
import { JobsApiHarness, request } from './jobs-harness.js';

/** Ten requests of the same size, so each has the same worst case. */
const TEN = Array.from({ length: 10 }, (_, i) => request(`budget-${i}`));
const WORST = (() => {
  const worst = worstCaseCostOf(TEN[0]!.params as MessageParams, SHIPPED_PRICE_TABLE);
  if (!('usd' in worst)) throw new Error('the test request must be bounded');
  return worst.usd;
})();

describe('maxCostUsd and PATCH /v1/jobs/{id}', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    // Batches take a while at the simulator, so every sub-batch sent is in flight at once and
    // the budget is decided on worst cases alone; two requests a sub-batch.
    api = await JobsApiHarness.open({
      simulator: { latencyMs: 1500 },
      manager: { maxBatchRequests: 2 },
    });
  });
  afterAll(() => api.close());

  async function eventsOf(id: string): Promise<LoggedEvent[]> {
    const response = await api.call('GET', `/v1/jobs/${id}/events`);
    return ((await response.json()) as { events: LoggedEvent[] }).events;
  }

  /** Waits (bounded by the test's timeout) until the log holds what `done` looks for. */
  async function eventsWhen(id: string, done: (events: LoggedEvent[]) => boolean) {
    for (;;) {
      const events = await eventsOf(id);
      if (done(events)) return events;
      await sleep(20);
    }
  }

  it('submits what fits half the job, pauses for the budget, and goes on when PATCH raises it', async () => {
    const maxCostUsd = WORST * 5.5;
    const { id } = await api.createJob({ requests: TEN, maxCostUsd });

    // Paused for the budget, and every batch sent collected: what was billed is all there is.
    const capped = await eventsWhen(
      id,
      (events) =>
        ofType(events, 'JobPaused').length > 0 &&
        ofType(events, 'BatchResultsCollected').length ===
          ofType(events, 'BatchSubmissionIntended').length,
    );
    expect(ofType(capped, 'JobPaused').map((e) => e.data.reason)).toEqual(['budget']);
    // Five requests' worst cases fit while all are in flight; a batch collected before the next
    // is sent counts by its cost (less than its worst case), which can leave room for more.
    expect(sentRequests(capped)).toBeGreaterThanOrEqual(5);
    expect(sentRequests(capped)).toBeLessThan(10);
    const billed = ofType(capped, 'BatchResultsCollected').reduce(
      (sum, e) => sum + ((e.data.usage as { costUsd: number }).costUsd ?? 0),
      0,
    );
    expect(billed).toBeGreaterThan(0);
    expect(billed).toBeLessThanOrEqual(maxCostUsd);
    for (const committed of committedAtEachSending(capped)) {
      expect(committed).toBeLessThanOrEqual(maxCostUsd);
    }
    expect((await api.manager.forTenant('acme').getJob(id))?.status).toBe('paused');

    const raised = await api.call('PATCH', `/v1/jobs/${id}`, {
      json: { maxCostUsd: WORST * 20 },
    });
    expect(raised.status).toBe(200);
    expect(await raised.json()).toEqual({
      id,
      maxCostUsd: WORST * 20,
      previousStatus: 'paused',
      status: 'processing',
    });

    const done = await api.waitForStatus(id, ['completed']);
    expect(done.progress).toMatchObject({ total: 10, completed: 10 });
    const all = await eventsOf(id);
    expect(sentRequests(all)).toBe(10);
    expect(ofType(all, 'JobBudgetChanged').map((e) => e.data.maxCostUsd)).toEqual([WORST * 20]);
  });

  it('sends a job whose worst case fits its budget whole, never pausing', async () => {
    const { id } = await api.createJob({
      requests: TEN.map((r) => ({ ...r, custom_id: `${r.custom_id}-whole` })),
      maxCostUsd: WORST * 10.5,
      deduplicate: false,
    });
    await api.waitForStatus(id, ['completed']);
    const events = await eventsOf(id);
    expect(ofType(events, 'JobPaused')).toEqual([]);
    expect(sentRequests(events)).toBe(10);
  });

  it('refuses a budgeted job of a model with no price, saying why', async () => {
    const unpriced = {
      ...request('unpriced'),
      params: { ...request('x').params, model: 'claude-nopricedmodel-1' },
    };
    const before = await api.written();
    const response = await api.call('POST', '/v1/jobs', {
      json: { requests: [request('fine'), unpriced], maxCostUsd: 1 },
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { type: string; message: string } };
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toBe(
      'maxCostUsd cannot be guaranteed: request req-unpriced: model claude-nopricedmodel-1 has no price in the price table',
    );
    expect(await api.written()).toEqual(before);
  });

  it('refuses a budgeted job with a server tool that has no max_uses', async () => {
    const searching = {
      ...request('search'),
      params: {
        ...request('search').params,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      },
    };
    const response = await api.call('POST', '/v1/jobs', {
      json: { requests: [searching], maxCostUsd: 1 },
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('server tool web_search_20250305 has no max_uses');
  });

  it('refuses a maxCostUsd that is not a positive number, on create and on PATCH', async () => {
    const created = await api.call('POST', '/v1/jobs', {
      json: { requests: [request('neg')], maxCostUsd: -1 },
    });
    expect(created.status).toBe(400);
    expect(await created.text()).toContain('maxCostUsd must be a positive number');
    const { id } = await api.createJob({ requests: [request('patch-bad')] });
    const patched = await api.call('PATCH', `/v1/jobs/${id}`, { json: { maxCostUsd: 0 } });
    expect(patched.status).toBe(400);
    expect(await patched.text()).toContain('maxCostUsd');
  });

  it('answers 404 for another tenant’s job and 409 for a job that has ended', async () => {
    const { id } = await api.createJob({ requests: [request('ended')] });
    await api.waitForStatus(id, ['completed']);
    const elsewhere = await api.call('PATCH', `/v1/jobs/${id}`, {
      json: { maxCostUsd: 1 },
      tenant: 'globex',
    });
    expect(elsewhere.status).toBe(404);
    const ended = await api.call('PATCH', `/v1/jobs/${id}`, { json: { maxCostUsd: 1 } });
    expect(ended.status).toBe(409);
  });
});
