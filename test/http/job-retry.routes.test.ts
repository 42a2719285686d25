import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

/** A request Anthropic refuses under the current version (temperature on this model): dropped, errored at once. */
function refusedRequest(n: number | string) {
  const item = request(n);
  return { ...item, params: { ...item.params, temperature: 1 } };
}

const FIX = { overrides: { temperature: null } };

describe('POST /v1/jobs/{id}/retry, GET /v1/jobs/{id}/results?merged=true and POST /v1/jobs/bulk', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open({ simulator: { latencyMs: 30 } });
  });
  afterAll(() => api.close());

  /** A completed job of two requests, `<name>-ok` succeeded and `<name>-bad` errored. */
  async function aJobWithAnError(
    name: string,
    tags: string[] = [],
    tenant: 'acme' | 'globex' = 'acme',
  ) {
    const { id } = await api.createJob(
      { onInvalid: 'drop', tags, requests: [request(`${name}-ok`), refusedRequest(`${name}-bad`)] },
      tenant,
    );
    await api.waitForStatus(id, ['completed'], tenant);
    return id;
  }

  it('answers 201 with the new job, linked to the original, and Location', async () => {
    const id = await aJobWithAnError('http');
    const response = await api.call('POST', `/v1/jobs/${id}/retry`, { json: FIX });
    expect(response.status).toBe(201);
    const retried = (await response.json()) as {
      id: string;
      retryOf: string;
      totalRequests: number;
    };
    expect(retried).toMatchObject({ retryOf: id, totalRequests: 1 });
    expect(response.headers.get('location')).toBe(`/v1/jobs/${retried.id}`);
    const original = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    expect(original).toMatchObject({ retries: [retried.id], retryOf: null });
  });

  it('streams the merged view with _producedBy in request order', async () => {
    const id = await aJobWithAnError('lines');
    const retried = (await (
      await api.call('POST', `/v1/jobs/${id}/retry`, { json: FIX })
    ).json()) as {
      id: string;
    };
    await api.waitForStatus(retried.id, ['completed']);
    const response = await api.call('GET', `/v1/jobs/${id}/results?merged=true`);
    expect(response.status).toBe(200);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.custom_id, l.result.type, l._producedBy])).toEqual([
      ['req-lines-ok', 'succeeded', id],
      ['req-lines-bad', 'succeeded', retried.id],
    ]);
    // Without merged=true the job's own results, with no _producedBy.
    const own = (await (await api.call('GET', `/v1/jobs/${id}/results`)).text()).trim().split('\n');
    expect(own.map((l) => JSON.parse(l))).toEqual([
      expect.not.objectContaining({ _producedBy: expect.anything() }),
      expect.objectContaining({ result: expect.objectContaining({ type: 'errored' }) }),
    ]);
  });

  it('streams every request exactly once across pages of the merged view (1,001 requests)', async () => {
    const requests = Array.from({ length: 1001 }, (_, i) =>
      i === 1000 ? refusedRequest(`page-${i}`) : request(`page-${i}`),
    );
    const { id } = await api.createJob({ onInvalid: 'drop', requests });
    await api.waitForStatus(id, ['completed']);
    const retried = (await (
      await api.call('POST', `/v1/jobs/${id}/retry`, { json: FIX })
    ).json()) as {
      id: string;
    };
    await api.waitForStatus(retried.id, ['completed']);
    const text = await (await api.call('GET', `/v1/jobs/${id}/results?merged=true`)).text();
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.custom_id)).toEqual(requests.map((r) => r.custom_id));
    expect(lines.filter((l) => l._producedBy === retried.id).map((l) => l.custom_id)).toEqual([
      'req-page-1000',
    ]);
    expect(lines.every((l) => l.result.type === 'succeeded')).toBe(true);
  });

  it('answers 400 saying so when nothing matches the filter, and writes nothing', async () => {
    const id = await aJobWithAnError('nothing');
    const before = await api.snapshot();
    const response = await api.call('POST', `/v1/jobs/${id}/retry`, {
      json: { filter: { resultTypes: ['expired'] } },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/nothing to retry/) },
    });
    expect(await api.snapshot()).toEqual(before);
  });

  it("takes the contract's flat form (types, errorTypes, customIds), and refuses it mixed with filter", async () => {
    const id = await aJobWithAnError('flat');
    // Refused first, while nothing else is running: its snapshot would see the retry's work.
    const before = await api.snapshot();
    const mixed = await api.call('POST', `/v1/jobs/${id}/retry`, {
      json: { types: ['errored'], filter: { resultTypes: ['errored'] } },
    });
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(await mixed.json())).toMatch(/not both/);
    expect(await api.snapshot()).toEqual(before);
    const flat = await api.call('POST', `/v1/jobs/${id}/retry`, {
      json: { types: ['errored'], customIds: ['req-flat-bad'], ...FIX },
    });
    expect(flat.status).toBe(201);
    expect(await flat.json()).toMatchObject({ retryOf: id, totalRequests: 1 });
  });

  it('answers 400 naming the field for an unknown option', async () => {
    const id = await aJobWithAnError('typo');
    const response = await api.call('POST', `/v1/jobs/${id}/retry`, { json: { overide: {} } });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/overide/);
  });

  it("answers 404 for another tenant's job, to a retry and to its merged results", async () => {
    const id = await aJobWithAnError('private');
    const retry = await api.call('POST', `/v1/jobs/${id}/retry`, { json: FIX, tenant: 'globex' });
    expect(retry.status).toBe(404);
    const results = await api.call('GET', `/v1/jobs/${id}/results?merged=true`, {
      tenant: 'globex',
    });
    expect(results.status).toBe(404);
    expect((await api.manager.forTenant('acme').getJob(id))?.retries).toEqual([]);
  });

  it('a bulk dry run says what would happen and changes nothing', async () => {
    const ids = [await aJobWithAnError('dry-1', ['dry']), await aJobWithAnError('dry-2', ['dry'])];
    const before = await api.snapshot();
    const response = await api.call('POST', '/v1/jobs/bulk', {
      json: { action: 'retry', filter: { tag: 'dry' }, retry: FIX, dryRun: true },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      jobs: ids.map((id) => ({ id, outcome: 'would retry', requestCount: 1 })),
      more: false,
    });
    const cancel = await api.call('POST', '/v1/jobs/bulk', {
      json: { action: 'cancel', filter: { tag: 'dry' }, dryRun: true },
    });
    expect(((await cancel.json()) as { jobs: Array<{ outcome: string }> }).jobs).toEqual(
      ids.map((id) => ({
        id,
        outcome: 'skipped',
        reason: 'the job has already ended (completed)',
      })),
    );
    expect(await api.snapshot()).toEqual(before);
  });

  it('a bulk dry run says a retry whose patched params Anthropic would refuse is skipped, naming the request', async () => {
    const id = await aJobWithAnError('dry-invalid', ['dry-invalid']);
    const response = await api.call('POST', '/v1/jobs/bulk', {
      json: { action: 'retry', filter: { tag: 'dry-invalid' }, dryRun: true },
    });
    const { jobs } = (await response.json()) as {
      jobs: Array<{ id: string; outcome: string; reason: string }>;
    };
    expect(jobs).toEqual([
      { id, outcome: 'skipped', reason: expect.stringMatching(/custom_id "req-dry-invalid-bad"/) },
    ]);
  });

  it('a bulk retry retries three jobs, each linked to its new job', async () => {
    const ids = [
      await aJobWithAnError('bulk-1', ['bulk']),
      await aJobWithAnError('bulk-2', ['bulk']),
      await aJobWithAnError('bulk-3', ['bulk']),
    ];
    await aJobWithAnError('other-tenant', ['bulk'], 'globex');
    const response = await api.call('POST', '/v1/jobs/bulk', {
      json: { action: 'retry', filter: { tag: 'bulk', status: 'completed' }, retry: FIX },
    });
    expect(response.status).toBe(200);
    const { jobs } = (await response.json()) as {
      jobs: Array<{ id: string; outcome: string; retryJobId: string }>;
    };
    expect(jobs.map((j) => [j.id, j.outcome])).toEqual(ids.map((id) => [id, 'retried']));
    for (const job of jobs) {
      const view = await api.manager.forTenant('acme').getJob(job.id);
      expect(view?.retries).toEqual([job.retryJobId]);
      const done = await api.waitForStatus(job.retryJobId, ['completed']);
      expect(done).toMatchObject({ retryOf: job.id, tags: ['bulk'] });
    }
  });

  it('answers 400 for an unknown bulk action, naming the field', async () => {
    const response = await api.call('POST', '/v1/jobs/bulk', { json: { action: 'delete' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { issues: [{ path: 'action', message: 'action must be "cancel" or "retry"' }] },
    });
  });
});
