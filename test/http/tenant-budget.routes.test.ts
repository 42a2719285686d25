import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { worstCaseCostOf } from '../../src/domain/job-budget.js';
import { SHIPPED_PRICE_TABLE } from '../../src/domain/pricing.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import { setTenantLimits } from '../../src/store/jobs/tenant-limits.js';
import { committedAtEachSending, ofType, sentRequests } from '../support/budget-log.js';
import { JobsApiHarness, request, type Tenant } from './jobs-harness.js';

const LATENCY_MS = 1500;
const requests = (prefix: string) =>
  Array.from({ length: 10 }, (_, i) => request(`${prefix}-${i}`));
/** The worst case of one request (they are all the same size). */
const WORST = (() => {
  const worst = worstCaseCostOf(request('tb-0').params as MessageParams, SHIPPED_PRICE_TABLE);
  if (!('usd' in worst)) throw new Error('the test request must be bounded');
  return worst.usd;
})();

describe("a tenant's daily budget", () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    // The simulator's time moves only when a test says, so no batch ends while a job is still
    // sending: every sub-batch sent is in flight at once, the budget is decided on worst cases
    // alone, however loaded the machine. Two requests a sub-batch.
    api = await JobsApiHarness.open({
      simulator: { latencyMs: LATENCY_MS, clock: new ManualClock() },
      manager: { maxBatchRequests: 2 },
    });
  });
  afterAll(() => api.close());

  /** Ends every batch now at the simulator. */
  const batchesEnd = () => api.bed.simulator.clock.advance(LATENCY_MS);
  /** Waits for the job to complete, letting the simulator's batches end as they are sent. */
  const finished = (id: string, tenant: Tenant = 'acme') =>
    api.waitForStatus(id, ['completed'], tenant, batchesEnd);

  it("stops its own jobs and not another tenant's, and resumes them when it is raised", async () => {
    // Given acme has a daily budget of three and a half requests' worst case, globex none
    const dailyBudgetUsd = WORST * 3.5;
    await setTenantLimits(api.bed.database.db, 'acme', { dailyBudgetUsd });

    // When both send ten requests
    const acme = await api.createJob({ requests: requests('acme') });
    const globex = await api.createJob({ requests: requests('globex') }, 'globex');

    // Then acme's job pauses for the tenant's budget, having sent the three that fit on worst
    // cases while all are in flight
    const paused = await api.eventsWhen(
      acme.id,
      (events) => ofType(events, 'JobPaused').length > 0,
    );
    expect(ofType(paused, 'JobPaused').map((e) => e.data.reason)).toEqual(['tenant-budget']);
    expect(sentRequests(paused)).toBe(3);
    for (const intent of ofType(paused, 'BatchSubmissionIntended')) {
      expect(intent.data.worstCaseUsd).toBeGreaterThan(0);
    }
    for (const committed of committedAtEachSending(paused)) {
      expect(committed).toBeLessThanOrEqual(dailyBudgetUsd);
    }
    // while globex's completes, and acme's batches end and are collected with it paused
    await finished(globex.id, 'globex');
    await api.eventsWhen(
      acme.id,
      (events) =>
        ofType(events, 'BatchResultsCollected').length ===
        ofType(events, 'BatchSubmissionIntended').length,
    );
    expect((await api.manager.forTenant('acme').getJob(acme.id))?.status).toBe('paused');
    const view = await api.call('GET', `/v1/jobs/${acme.id}`);
    const { budget } = (await view.json()) as {
      budget: { pausedFor: string; tenantDaily: { dailyBudgetUsd: number; spentTodayUsd: number } };
    };
    expect(budget.pausedFor).toBe('tenant-budget');
    expect(budget.tenantDaily.dailyBudgetUsd).toBe(dailyBudgetUsd);
    expect(budget.tenantDaily.spentTodayUsd).toBeGreaterThan(0);
    expect(budget.tenantDaily.spentTodayUsd).toBeLessThanOrEqual(dailyBudgetUsd);
    const stats = await api.call('GET', '/v1/stats');
    expect(((await stats.json()) as { tenantDaily: unknown }).tenantDaily).toMatchObject({
      dailyBudgetUsd,
    });

    // When the budget is raised, the job resumes by itself and completes
    await setTenantLimits(api.bed.database.db, 'acme', { dailyBudgetUsd: WORST * 100 });
    const done = await finished(acme.id);
    expect(done.progress).toMatchObject({ total: 10, completed: 10 });
    expect(sentRequests(await api.eventsOf(acme.id))).toBe(10);
  });

  it('refuses a job whose requests cannot be bounded, saying why', async () => {
    await setTenantLimits(api.bed.database.db, 'globex', { dailyBudgetUsd: 5 });
    const unpriced = {
      ...request('tb-unpriced'),
      params: { ...request('x').params, model: 'claude-nopricedmodel-1' },
    };
    const before = await api.written();
    const response = await api.call('POST', '/v1/jobs', {
      json: { requests: [unpriced] },
      tenant: 'globex',
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toBe(
      "the tenant's daily budget (5 USD) cannot be guaranteed: request req-tb-unpriced: model claude-nopricedmodel-1 has no price in the price table",
    );
    expect(await api.written()).toEqual(before);
    await setTenantLimits(api.bed.database.db, 'globex', { dailyBudgetUsd: null });
  });

  it('refuses a retry whose overrides make a request unbounded, writing nothing', async () => {
    await setTenantLimits(api.bed.database.db, 'globex', { dailyBudgetUsd: 5 });
    // Given an ended job of globex with an errored request (temperature is refused on this model)
    const refused = { ...request('tb-retry'), params: { ...request('x').params, temperature: 1 } };
    const { id } = await api.createJob(
      { onInvalid: 'drop', requests: [request('tb-retry-ok'), refused] },
      'globex',
    );
    await finished(id, 'globex');
    // When it is retried with a server tool that has no max_uses
    const before = await api.written();
    const response = await api.call('POST', `/v1/jobs/${id}/retry`, {
      json: {
        overrides: {
          temperature: null,
          tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        },
      },
      tenant: 'globex',
    });
    // Then it is refused as a creation would be, and no job is made
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain("the tenant's daily budget (5 USD) cannot be guaranteed");
    expect(error.message).toContain('web_search_20250305 has no max_uses');
    expect(await api.written()).toEqual(before);
    await setTenantLimits(api.bed.database.db, 'globex', { dailyBudgetUsd: null });
  });

  it('with overBudget "error", ends what does not fit as budget_exceeded and finishes the job', async () => {
    // Given a cap that one request's worst case fills
    const { id } = await api.createJob(
      { requests: requests('err'), maxCostUsd: WORST * 1.01, overBudget: 'error' },
      'globex',
    );

    // Then the job completes: what was sent succeeded, the rest ended as budget_exceeded
    const done = await finished(id, 'globex');
    const events = await api.eventsOf(id, 'globex');
    const ended = ofType(events, 'RequestsEndedOverBudget');
    expect(ended).toHaveLength(1);
    const sent = sentRequests(events);
    expect(sent).toBeGreaterThan(0);
    expect(ended[0]!.data.requestCount).toBe(10 - sent);
    expect(done.progress).toMatchObject({ total: 10, completed: sent, failed: 10 - sent });
    const results = await api.call('GET', `/v1/jobs/${id}/results?type=errored`, {
      tenant: 'globex',
    });
    const lines = (await results.text()).trim().split('\n').filter(Boolean);
    expect(lines).toHaveLength(10 - sent);
    for (const line of lines) expect(line).toContain('"budget_exceeded"');
  });
});
