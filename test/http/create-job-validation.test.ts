import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

// Rules from https://platform.claude.com/docs/en/api/versioning and
// https://platform.claude.com/docs/en/build-with-claude/batch-processing.

let api: JobsApiHarness;
beforeAll(async () => {
  api = await JobsApiHarness.open({ manager: { worker: false } });
});
afterAll(async () => {
  await api.close();
});

const withParams = (n: number | string, extra: Record<string, unknown>) => {
  const item = request(n);
  return { ...item, params: { ...item.params, ...extra } };
};

interface ErrorBody {
  error: { type: string; message: string; issues: Array<{ path: string; message: string }> };
}

describe('POST /v1/jobs refuses what Anthropic would refuse, before anything is stored', () => {
  const RULES: Array<[string, Record<string, unknown>, string]> = [
    ['temperature', { temperature: 0.2 }, 'temperature'],
    ['top_p', { top_p: 0.2 }, 'top_p'],
    ['top_k', { top_k: 2 }, 'top_k'],
    ['speed', { speed: 'fast' }, 'speed'],
    ['store', { store: false }, 'store'],
    ['cache_hint', { cache_hint: {} }, 'cache_hint'],
    ['an unknown model', { model: 'claude-nonesuch-9' }, 'model'],
    ['max_tokens above the model limit', { max_tokens: 500_000 }, 'max_tokens'],
  ];
  for (const [what, extra, field] of RULES) {
    it(`answers 400 naming the request for ${what}`, async () => {
      const before = await api.written();
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [request(1), withParams('bad', extra)] },
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.issues).toEqual([
        {
          path: `requests.1.params.${field}`,
          message: expect.stringMatching(/^custom_id "req-bad": .*; .+/),
        },
      ]);
      expect(await api.written()).toEqual(before);
    });
  }

  it('accepts the same request under anthropicVersion 2023-06-01', async () => {
    const job = await api.createJob({
      anthropicVersion: '2023-06-01',
      requests: [withParams('warm', { temperature: 0.2 })],
    });
    expect(job.status).toBe('queued');
  });

  it('refuses an anthropicVersion it does not know, naming the field', async () => {
    const response = await api.call('POST', '/v1/jobs', {
      json: { anthropicVersion: '2025-01-01', requests: [request(1)] },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.issues[0]!.path).toBe('anthropicVersion');
  });

  it('with onInvalid: "drop", creates the job and counts the dropped request as failed', async () => {
    const job = await api.createJob({
      onInvalid: 'drop',
      requests: [request('kept'), withParams('dropped', { top_k: 1 })],
    });
    expect(job.totalRequests).toBe(2);
    const details = await api.manager.forTenant('acme').getJob(job.id);
    expect(details?.progress).toMatchObject({ failed: 1, pending: 1 });
  });

  it('takes onInvalid and anthropicVersion as query parameters of an NDJSON upload', async () => {
    const lines = [request('n1'), withParams('n2', { temperature: 1 })]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const refused = await api.call('POST', '/v1/jobs', {
      body: lines,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(refused.status).toBe(400);
    const dropped = await api.call('POST', '/v1/jobs?onInvalid=drop', {
      body: lines,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(dropped.status).toBe(201);
    const pinned = await api.call('POST', '/v1/jobs?anthropicVersion=2023-06-01', {
      body: lines,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(pinned.status).toBe(201);
  });
});
