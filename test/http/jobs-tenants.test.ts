import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

const JOB_ROUTES = [
  ['GET', ''],
  ['POST', '/cancel'],
  ['POST', '/pause'],
  ['POST', '/resume'],
  ['GET', '/results'],
  ['GET', '/events'],
  ['GET', '/stream'],
  ['GET', '/chart'],
  ['DELETE', ''],
] as const;

describe('tenant isolation on the job routes', () => {
  let api: JobsApiHarness;
  let acmeJob: string;
  beforeAll(async () => {
    api = await JobsApiHarness.open({ manager: { worker: false } });
    acmeJob = (await api.createJob({ requests: [request('acme-only')], tags: ['mine'] })).id;
  });
  afterAll(() => api.close());

  it.each(JOB_ROUTES)(
    'answers 404 to another tenant on %s /v1/jobs/{id}%s',
    async (method, suffix) => {
      const response = await api.call(method, `/v1/jobs/${acmeJob}${suffix}`, { tenant: 'globex' });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { type: 'not_found_error', message: `job ${acmeJob} not found` },
      });
    },
  );

  it('leaves the job as it was after another tenant tried every route', async () => {
    for (const [method, suffix] of JOB_ROUTES) {
      await api.call(method, `/v1/jobs/${acmeJob}${suffix}`, { tenant: 'globex' });
    }
    const response = await api.call('GET', `/v1/jobs/${acmeJob}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'queued', cancelRequested: false });
  });

  it('lists only the caller’s own jobs', async () => {
    await api.createJob({ requests: [request('globex-only')], tags: ['mine'] }, 'globex');
    const acme = (await (await api.call('GET', '/v1/jobs?tags=mine')).json()) as {
      jobs: { tenant: string }[];
    };
    const globex = (await (
      await api.call('GET', '/v1/jobs?tags=mine', { tenant: 'globex' })
    ).json()) as {
      jobs: { tenant: string }[];
    };
    expect(acme.jobs.map((job) => job.tenant)).toEqual(['acme']);
    expect(globex.jobs.map((job) => job.tenant)).toEqual(['globex']);
  });

  it('counts only the caller’s own jobs in the stats', async () => {
    const before = (await (await api.call('GET', '/v1/stats', { tenant: 'globex' })).json()) as {
      totalCreated: number;
    };
    await api.createJob({ requests: [request('acme-stats')] });
    const after = (await (await api.call('GET', '/v1/stats', { tenant: 'globex' })).json()) as {
      totalCreated: number;
    };
    expect(after.totalCreated).toBe(before.totalCreated);
  });

  it('answers 401 to a caller without a key', async () => {
    const response = await api.app.request(`/v1/jobs/${acmeJob}`);
    expect(response.status).toBe(401);
  });
});
