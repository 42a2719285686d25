import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

interface Operation {
  requestBody?: { content: Record<string, unknown> };
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

describe('the /v1/jobs routes', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open();
  });
  afterAll(() => api.close());

  describe('POST /v1/jobs', () => {
    it('answers 201 with the job summary and its location', async () => {
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [request('create-1'), request('create-2')] },
      });
      expect(response.status).toBe(201);
      const summary = (await response.json()) as { id: string };
      expect(summary).toEqual({
        id: expect.any(String),
        status: 'queued',
        priority: 3,
        totalRequests: 2,
        uniqueRequests: 2,
        deduplicatedRequests: 0,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(response.headers.get('location')).toBe(`/v1/jobs/${summary.id}`);
    });

    it('takes a priority by name and answers it as its number', async () => {
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [request('named-priority')], priority: 'CRITICAL' },
      });
      expect(await response.json()).toMatchObject({ priority: 1 });
    });

    it('refuses an invalid job with 400 naming the failing path, writing nothing', async () => {
      const before = await api.written();
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [request('fine'), { custom_id: 'bad id!', params: {} }] },
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: { type: string; issues: { path: string }[] };
      };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.issues.map((issue) => issue.path)).toContain('requests.1.custom_id');
      expect(await api.written()).toEqual(before);
    });

    it('refuses a misspelt option rather than dropping it', async () => {
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [request('typo')], prority: 1 },
      });
      expect(response.status).toBe(400);
    });

    it('refuses a request with no body with 400', async () => {
      const response = await api.call('POST', '/v1/jobs');
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringContaining('required') },
      });
    });

    it('refuses a body that is neither JSON nor NDJSON with 415', async () => {
      const response = await api.call('POST', '/v1/jobs', {
        body: 'requests=1',
        headers: { 'content-type': 'text/plain' },
      });
      expect(response.status).toBe(415);
    });

    it('refuses malformed JSON with 400', async () => {
      const response = await api.call('POST', '/v1/jobs', {
        body: '{"requests": [',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
    });

    it('refuses query options beside a JSON body, which carries its own', async () => {
      const response = await api.call('POST', '/v1/jobs?priority=1', {
        json: { requests: [request('query-and-json')] },
      });
      expect(response.status).toBe(400);
    });

    it('refuses a private callback URL with 400 before writing anything', async () => {
      const before = await api.written();
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [request('ssrf')], callbackUrl: 'http://169.254.169.254/latest' },
      });
      expect(response.status).toBe(400);
      expect(await api.written()).toEqual(before);
    });
  });

  describe('Idempotency-Key', () => {
    const body = { requests: [request('idem-1')], tags: ['idem'] };

    it('answers 201 the first time and 200 with the same job on a repeat', async () => {
      const headers = { 'idempotency-key': 'same-key-1' };
      const first = await api.call('POST', '/v1/jobs', { json: body, headers });
      const again = await api.call('POST', '/v1/jobs', { json: body, headers });
      expect([first.status, again.status]).toEqual([201, 200]);
      const [a, b] = (await Promise.all([first.json(), again.json()])) as { id: string }[];
      expect(b!.id).toBe(a!.id);
    });

    it('answers 200 to a replay that reuses the first request’s x-request-id', async () => {
      const headers = { 'idempotency-key': 'same-key-same-request-id', 'x-request-id': 'rid-7' };
      const first = await api.call('POST', '/v1/jobs', { json: body, headers });
      const again = await api.call('POST', '/v1/jobs', { json: body, headers });
      expect([first.status, again.status]).toEqual([201, 200]);
    });

    it('answers concurrent requests with one key with one job, created once', async () => {
      const headers = { 'idempotency-key': 'same-key-concurrent' };
      const responses = await Promise.all(
        [1, 2, 3, 4].map(() => api.call('POST', '/v1/jobs', { json: body, headers })),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
      const ids = await Promise.all(
        responses.map(async (r) => ((await r.json()) as { id: string }).id),
      );
      expect(new Set(ids).size).toBe(1);
    });

    it('answers 409 when the key was used for a different job', async () => {
      const headers = { 'idempotency-key': 'same-key-2' };
      await api.call('POST', '/v1/jobs', { json: body, headers });
      const response = await api.call('POST', '/v1/jobs', {
        json: { ...body, priority: 1 },
        headers,
      });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({
        error: { type: 'idempotency_conflict_error' },
      });
    });

    it('keeps keys per tenant: another tenant with the same key gets its own job', async () => {
      const headers = { 'idempotency-key': 'same-key-3' };
      const acme = await api.call('POST', '/v1/jobs', { json: body, headers });
      const globex = await api.call('POST', '/v1/jobs', { json: body, headers, tenant: 'globex' });
      expect([acme.status, globex.status]).toEqual([201, 201]);
    });

    it('refuses a key that is not printable ASCII with 400', async () => {
      const response = await api.call('POST', '/v1/jobs', {
        json: body,
        headers: { 'idempotency-key': 'x'.repeat(256) },
      });
      expect(response.status).toBe(400);
    });
  });

  describe('GET /v1/jobs/{id}', () => {
    it('answers the job with its progress, batches and errors', async () => {
      const { id } = await api.createJob({ requests: [request('get-1')], tags: ['get'] });
      await api.waitForStatus(id, ['completed']);
      const response = await api.call('GET', `/v1/jobs/${id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        id,
        tenant: 'acme',
        status: 'completed',
        tags: ['get'],
        progress: { total: 1, completed: 1, percentComplete: 100 },
        batches: [expect.objectContaining({ requestCount: 1, batchId: expect.any(String) })],
        errors: [],
      });
    });

    it('answers 404 as JSON for a job that does not exist', async () => {
      const response = await api.call('GET', '/v1/jobs/job_missing');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { type: 'not_found_error', message: 'job job_missing not found' },
      });
    });
  });

  describe('DELETE /v1/jobs/{id}', () => {
    it('deletes the job, after which it is not found', async () => {
      const { id } = await api.createJob({ requests: [request('delete-1')] });
      const response = await api.call('DELETE', `/v1/jobs/${id}`);
      expect(response.status).toBe(200);
      // The worker may have started it already.
      expect(await response.json()).toEqual({
        id,
        deleted: true,
        previousStatus: expect.stringMatching(/^(queued|processing)$/),
      });
      expect((await api.call('GET', `/v1/jobs/${id}`)).status).toBe(404);
    });

    it('answers 404 for a job already deleted', async () => {
      const { id } = await api.createJob({ requests: [request('delete-2')] });
      await api.call('DELETE', `/v1/jobs/${id}`);
      expect((await api.call('DELETE', `/v1/jobs/${id}`)).status).toBe(404);
    });
  });

  describe('GET /v1/jobs', () => {
    it('pages the tenant’s jobs with the total', async () => {
      const response = await api.call('GET', '/v1/jobs?limit=2&offset=1', { tenant: 'globex' });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { jobs: unknown[]; total: number };
      expect(page).toMatchObject({ limit: 2, offset: 1 });
      expect(page.jobs.length).toBe(Math.min(2, Math.max(0, page.total - 1)));
    });

    it('filters by tags given comma-separated', async () => {
      const { id } = await api.createJob({ requests: [request('tagged')], tags: ['blue', 'x'] });
      await api.createJob({ requests: [request('untagged')], tags: ['red'] });
      const response = await api.call('GET', '/v1/jobs?tags=blue,green');
      const page = (await response.json()) as { jobs: { id: string }[]; total: number };
      expect(page.jobs.map((job) => job.id)).toEqual([id]);
      expect(page.total).toBe(1);
    });

    it('filters by priority meaning that level or more urgent', async () => {
      await api.createJob({ requests: [request('urgent')], priority: 'HIGH', tags: ['prio'] });
      await api.createJob({ requests: [request('lazy')], priority: 'LOW', tags: ['prio'] });
      const response = await api.call('GET', '/v1/jobs?priority=high&tags=prio');
      const page = (await response.json()) as { jobs: { priority: number }[] };
      expect(page.jobs.map((job) => job.priority)).toEqual([2]);
    });

    it('filters by status given as the name', async () => {
      const response = await api.call('GET', '/v1/jobs?status=COMPLETED');
      const page = (await response.json()) as { jobs: { status: string }[] };
      expect(new Set(page.jobs.map((job) => job.status))).toEqual(new Set(['completed']));
    });

    it('sorts by priority ascending when asked', async () => {
      const response = await api.call('GET', '/v1/jobs?sortBy=priority&sortOrder=asc');
      const page = (await response.json()) as { jobs: { priority: number }[] };
      const priorities = page.jobs.map((job) => job.priority);
      expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    });

    it('refuses an unknown filter with 400', async () => {
      const response = await api.call('GET', '/v1/jobs?colour=blue');
      expect(response.status).toBe(400);
    });

    it('refuses a limit over 1000 with 400', async () => {
      const response = await api.call('GET', '/v1/jobs?limit=1001');
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { issues: [expect.objectContaining({ path: 'limit' })] },
      });
    });
  });

  describe('GET /openapi.json', () => {
    let document: Document;
    beforeAll(async () => {
      document = (await (await api.app.request('/openapi.json')).json()) as Document;
    });

    it('is a valid OpenAPI 3.1 document', async () => {
      const result = await new Validator().validate(structuredClone(document));
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
    });

    it('lists every job route with its methods', () => {
      const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations).toEqual(
        expect.arrayContaining([
          'POST /v1/jobs',
          'GET /v1/jobs',
          'GET /v1/jobs/{id}',
          'DELETE /v1/jobs/{id}',
          'POST /v1/jobs/{id}/cancel',
          'POST /v1/jobs/{id}/pause',
          'POST /v1/jobs/{id}/resume',
          'GET /v1/jobs/{id}/results',
          'GET /v1/jobs/{id}/events',
          'GET /v1/jobs/{id}/stream',
          'GET /v1/jobs/{id}/chart',
          'GET /v1/stats',
        ]),
      );
    });

    it('documents both bodies of job creation and the Idempotency-Key header', () => {
      const create = document.paths['/v1/jobs']!.post!;
      expect(Object.keys(create.requestBody!.content)).toEqual([
        'application/json',
        'application/x-ndjson',
      ]);
      expect(create.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'idempotency-key', in: 'header' }),
          expect.objectContaining({ name: 'priority', in: 'query' }),
        ]),
      );
      expect(Object.keys(create.responses)).toEqual(
        expect.arrayContaining(['200', '201', '400', '409', '413', '415', '429']),
      );
    });

    it('documents the streamed answers by their media types', () => {
      expect(
        Object.keys(document.paths['/v1/jobs/{id}/results']!.get!.responses['200']!.content!),
      ).toEqual(['application/x-ndjson', 'application/jsonl']);
      expect(
        Object.keys(document.paths['/v1/jobs/{id}/stream']!.get!.responses['200']!.content!),
      ).toEqual(['text/event-stream']);
    });

    it('names the job schemas as components', () => {
      expect(Object.keys(document.components.schemas)).toEqual(
        expect.arrayContaining([
          'CreateJobRequest',
          'JobSummary',
          'Job',
          'JobDetails',
          'JobList',
          'JobEvent',
          'JobChart',
          'JobStats',
        ]),
      );
    });
  });

  describe('GET /v1/stats', () => {
    it('answers the tenant’s totals, statuses and queue depth', async () => {
      const { id } = await api.createJob({ requests: [request('stats-1')] }, 'globex');
      await api.waitForStatus(id, ['completed'], 'globex');
      const response = await api.call('GET', '/v1/stats', { tenant: 'globex' });
      expect(response.status).toBe(200);
      const stats = (await response.json()) as Record<string, unknown>;
      expect(stats).toMatchObject({
        totalCreated: expect.any(Number),
        totalCompleted: expect.any(Number),
        totalDeduplicated: expect.any(Number),
        averageProcessingTime: expect.any(Number),
        queueDepth: expect.any(Number),
        byStatus: expect.objectContaining({ completed: expect.any(Number) }),
      });
      expect(stats.totalCompleted).toBeGreaterThanOrEqual(1);
      expect(stats.outputTokens).toBeGreaterThan(0);
    });
  });
});

describe('POST /v1/jobs with a full queue', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open({ manager: { worker: false, maxQueueSize: 1 } });
  });
  afterAll(() => api.close());

  it('answers 429 with retry-after and writes nothing', async () => {
    await api.createJob({ requests: [request('fills-the-queue')] });
    const before = await api.written();
    const response = await api.call('POST', '/v1/jobs', {
      json: { requests: [request('one-more')] },
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ error: { type: 'queue_full_error' } });
    expect(await api.written()).toEqual(before);
  });
});
