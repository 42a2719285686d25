import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { worstCaseCostOf } from '../../src/domain/job-budget.js';
import { SHIPPED_PRICE_TABLE } from '../../src/domain/pricing.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import { committedAtEachSending, ofType, sentRequests } from '../support/budget-log.js';
import { JobsApiHarness, request } from './jobs-harness.js';

/** Ten requests of the same size, so each has the same worst case. */
const TEN = Array.from({ length: 10 }, (_, i) => request(`budget-${i}`));
const LATENCY_MS = 1500;
const WORST = (() => {
  const worst = worstCaseCostOf(TEN[0]!.params as MessageParams, SHIPPED_PRICE_TABLE);
  if (!('usd' in worst)) throw new Error('the test request must be bounded');
  return worst.usd;
})();

describe('maxCostUsd and PATCH /v1/jobs/{id}', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    // The simulator's time moves only when a test says, so no batch ends while the job is
    // still sending: every sub-batch sent is in flight at once, the budget is decided on worst
    // cases alone, however loaded the machine. Two requests a sub-batch.
    api = await JobsApiHarness.open({
      simulator: { latencyMs: LATENCY_MS, clock: new ManualClock() },
      manager: { maxBatchRequests: 2 },
    });
  });
  afterAll(() => api.close());

  /** Ends every batch now at the simulator. */
  const batchesEnd = () => api.bed.simulator.clock.advance(LATENCY_MS);

  /** Waits for the job to complete, letting the simulator's batches end as they are sent. */
  const finished = (id: string) => api.waitForStatus(id, ['completed'], 'acme', batchesEnd);

  it('submits what fits half the job, pauses for the budget, and goes on when PATCH raises it', async () => {
    const maxCostUsd = WORST * 5.5;
    const { id } = await api.createJob({ requests: TEN, maxCostUsd });

    // Five requests' worst cases fit while all are in flight; the sixth would pass the cap.
    const paused = await api.eventsWhen(id, (events) => ofType(events, 'JobPaused').length > 0);
    expect(ofType(paused, 'JobPaused').map((e) => e.data.reason)).toEqual(['budget']);
    expect(sentRequests(paused)).toBe(5);
    for (const committed of committedAtEachSending(paused)) {
      expect(committed).toBeLessThanOrEqual(maxCostUsd);
    }

    // The batches end and are collected: what was billed is all there is, and the job stays
    // paused (the cap is the owner's to raise).
    batchesEnd();
    const collected = await api.eventsWhen(
      id,
      (events) =>
        ofType(events, 'BatchResultsCollected').length ===
        ofType(events, 'BatchSubmissionIntended').length,
    );
    const billed = ofType(collected, 'BatchResultsCollected').reduce(
      (sum, e) => sum + ((e.data.usage as { costUsd: number }).costUsd ?? 0),
      0,
    );
    expect(billed).toBeGreaterThan(0);
    expect(billed).toBeLessThanOrEqual(maxCostUsd);
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

    const done = await finished(id);
    expect(done.progress).toMatchObject({ total: 10, completed: 10 });
    const all = await api.eventsOf(id);
    expect(sentRequests(all)).toBe(10);
    expect(ofType(all, 'JobBudgetChanged').map((e) => e.data.maxCostUsd)).toEqual([WORST * 20]);
  });

  it('sends a job whose worst case fits its budget whole, never pausing', async () => {
    const { id } = await api.createJob({
      requests: TEN.map((r) => ({ ...r, custom_id: `${r.custom_id}-whole` })),
      maxCostUsd: WORST * 10.5,
      deduplicate: false,
    });
    await finished(id);
    const events = await api.eventsOf(id);
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
    await finished(id);
    const elsewhere = await api.call('PATCH', `/v1/jobs/${id}`, {
      json: { maxCostUsd: 1 },
      tenant: 'globex',
    });
    expect(elsewhere.status).toBe(404);
    const ended = await api.call('PATCH', `/v1/jobs/${id}`, { json: { maxCostUsd: 1 } });
    expect(ended.status).toBe(409);
  });
});
