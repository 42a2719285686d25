import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostSplit } from '../../src/domain/job-cost.js';
import { mixedJob } from '../support/cached-requests.js';
import { JobsApiHarness, request } from './jobs-harness.js';

describe('POST /v1/jobs/estimate and the job view’s cost split', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers the price range of a createJob body and creates nothing', async () => {
    const before = await api.written();
    const response = await api.call('POST', '/v1/jobs/estimate', { json: mixedJob('http') });
    expect(response.status).toBe(200);
    const estimate = (await response.json()) as Record<string, unknown>;
    expect(estimate).toMatchObject({ requests: 6, sampled: false, maxOutputTokens: 6 * 64 });
    expect(estimate.minUsd as number).toBeLessThan(estimate.maxUsd as number);
    expect(await api.written()).toEqual(before);
  });

  it('refuses a bad body with a 400 naming the field, as createJob does', async () => {
    const response = await api.call('POST', '/v1/jobs/estimate', {
      json: { requests: [{ custom_id: 'a b', params: {} }] },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path)).toContain('requests.0.custom_id');
  });

  it('refuses, as createJob does, a cap it cannot guarantee', async () => {
    const item = request('est-unbounded');
    const body = {
      maxCostUsd: 5,
      requests: [
        {
          ...item,
          params: { ...item.params, tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
        },
      ],
    };
    const estimated = await api.call('POST', '/v1/jobs/estimate', { json: body });
    const created = await api.call('POST', '/v1/jobs', { json: body });
    expect([estimated.status, created.status]).toEqual([400, 400]);
    const messageOf = async (response: Response) =>
      ((await response.json()) as { error: { message: string } }).error.message;
    expect(await messageOf(estimated)).toBe(await messageOf(created));
    expect(await messageOf(await api.call('POST', '/v1/jobs/estimate', { json: body }))).toContain(
      'web_search_20250305 has no max_uses',
    );
  });

  it('shows the cost split in GET /v1/jobs/:id and GET /v1/stats, adding up to costUsd', async () => {
    // The cached prefixes are read only once a job that wrote them has ended.
    await api.waitForStatus((await api.createJob(mixedJob('view-primer'))).id, ['completed']);
    const { id } = await api.createJob(mixedJob('view'));
    await api.waitForStatus(id, ['completed']);
    const job = (await (await api.call('GET', `/v1/jobs/${id}`)).json()) as {
      usage: { costUsd: number; cacheReadTokens: number; cost: CostSplit };
    };
    const { cost } = job.usage;
    expect(job.usage.cacheReadTokens).toBeGreaterThan(0);
    expect(cost.totalUsd).toBe(job.usage.costUsd);
    expect(
      cost.inputUsd +
        cost.outputUsd +
        cost.cacheWrite5mUsd +
        cost.cacheWrite1hUsd +
        cost.cacheReadUsd,
    ).toBeCloseTo(cost.totalUsd, 9);
    const stats = (await (await api.call('GET', '/v1/stats')).json()) as {
      costUsd: number;
      cost: CostSplit;
    };
    expect(stats.cost.totalUsd).toBeCloseTo(stats.costUsd, 6);
    expect(stats.cost.savingUsd).toBeGreaterThan(0);
  });
});
