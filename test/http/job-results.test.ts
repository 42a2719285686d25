import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

interface ResultLine {
  custom_id: string;
  result: { type: string; message?: unknown; error?: unknown };
  _deduplicated?: boolean;
  _originalJobId?: string;
}

function parseLines(text: string): ResultLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ResultLine);
}

describe('GET /v1/jobs/{id}/results', () => {
  let api: JobsApiHarness;
  let mixedJob: string;
  beforeAll(async () => {
    // No retries and half the results errored: a finished job has both kinds, for the filter.
    api = await JobsApiHarness.open({
      simulator: { seed: 7, faults: { erroredResultRates: { api_error: 0.5 } } },
      manager: { retryAttempts: 0 },
    });
    const requests = Array.from({ length: 20 }, (_, i) => request(`mixed-${i}`));
    mixedJob = (await api.createJob({ requests })).id;
    await api.waitForStatus(mixedJob, ['completed']);
  });
  afterAll(() => api.close());

  it('streams one line per request, in request order, as NDJSON', async () => {
    const response = await api.call('GET', `/v1/jobs/${mixedJob}/results`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('batchkeeper-job-status')).toBe('completed');
    const lines = parseLines(await response.text());
    expect(lines.map((line) => line.custom_id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `req-mixed-${i}`),
    );
  });

  it("writes each result in Anthropic's shape and nothing else", async () => {
    const lines = parseLines(await (await api.call('GET', `/v1/jobs/${mixedJob}/results`)).text());
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['custom_id', 'result']);
      expect(
        line.result.type === 'succeeded' ? line.result.message : line.result.error,
      ).toBeDefined();
    }
  });

  it('keeps only the results of the type asked for', async () => {
    const count = async (type: string) => {
      const response = await api.call('GET', `/v1/jobs/${mixedJob}/results?type=${type}`);
      const lines = parseLines(await response.text());
      expect(new Set(lines.map((line) => line.result.type))).toEqual(new Set([type]));
      return lines.length;
    };
    const succeeded = await count('succeeded');
    const errored = await count('errored');
    expect(succeeded + errored).toBe(20);
  });

  it('marks a deduplicated request with the job whose outcome it took', async () => {
    const { id } = await api.createJob({
      requests: [request('dup-a', 'asked twice'), request('dup-b', 'asked twice')],
    });
    await api.waitForStatus(id, ['completed']);
    const lines = parseLines(await (await api.call('GET', `/v1/jobs/${id}/results`)).text());
    expect(lines[1]).toMatchObject({
      custom_id: 'req-dup-b',
      _deduplicated: true,
      _originalJobId: id,
    });
    expect(lines[1]!.result).toEqual(lines[0]!.result);
  });

  it('answers an ended job with all its results whether or not partial=true is given', async () => {
    const whole = await (await api.call('GET', `/v1/jobs/${mixedJob}/results`)).text();
    const partial = await api.call('GET', `/v1/jobs/${mixedJob}/results?partial=true`);
    expect(partial.status).toBe(200);
    expect(await partial.text()).toBe(whole);
  });

  it('refuses a partial flag that is neither true nor false with 400', async () => {
    const response = await api.call('GET', `/v1/jobs/${mixedJob}/results?partial=yes`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', issues: [{ path: 'partial' }] },
    });
  });

  it('answers application/jsonl to a client that asks for it', async () => {
    const response = await api.call('GET', `/v1/jobs/${mixedJob}/results`, {
      headers: { accept: 'application/jsonl' },
    });
    expect(response.headers.get('content-type')).toBe('application/jsonl');
    await response.body?.cancel();
  });

  it('answers 200 with an empty body when no result is of the type asked for', async () => {
    const response = await api.call('GET', `/v1/jobs/${mixedJob}/results?type=expired`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('refuses an unknown result type with 400', async () => {
    const response = await api.call('GET', `/v1/jobs/${mixedJob}/results?type=won`);
    expect(response.status).toBe(400);
  });

  it('answers 404 for a job that does not exist', async () => {
    const response = await api.call('GET', '/v1/jobs/job_nope/results');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('streams every result of a job larger than one page over a real port', async () => {
    const requests = Array.from({ length: 1500 }, (_, i) => request(`bulk-${i}`));
    const { id } = await api.createJob({ requests });
    await api.waitForStatus(id, ['completed']);
    const url = await api.listen();
    const response = await fetch(`${url}/v1/jobs/${id}/results`, { headers: api.authorization() });
    const seen = new Set<string>();
    let lines = 0;
    let partial = '';
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const part of parts) {
        seen.add((JSON.parse(part) as ResultLine).custom_id);
        lines += 1;
      }
    }
    expect(partial).toBe('');
    expect({ lines, distinct: seen.size }).toEqual({ lines: 1500, distinct: 1500 });
  });
});

describe('GET /v1/jobs/{id}/results of a job that has not ended', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    // Batches take a minute at this simulator: a started job stays processing for the test.
    api = await JobsApiHarness.open({ simulator: { latencyMs: 60_000, cancelLatencyMs: 20 } });
  });
  afterAll(() => api.close());

  /** A job the worker has submitted, waiting on its batch. */
  async function processingJob(...names: string[]): Promise<string> {
    const { id } = await api.createJob({ requests: names.map((name) => request(name)) });
    await api.waitForStatus(id, ['processing']);
    return id;
  }

  const notFinished = (id: string, status: string) => ({
    error: {
      type: 'job_not_finished',
      message: `job ${id} has not finished (status ${status}); pass ?partial=true for the results collected so far`,
    },
  });

  it('answers 409 job_not_finished while the job is processing', async () => {
    const id = await processingJob('running-1');
    const response = await api.call('GET', `/v1/jobs/${id}/results`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(notFinished(id, 'processing'));
  });

  it('answers 409 job_not_finished for a paused job: paused has not ended', async () => {
    const id = await processingJob('paused-1');
    expect((await api.call('POST', `/v1/jobs/${id}/pause`)).status).toBe(200);
    const response = await api.call('GET', `/v1/jobs/${id}/results?type=succeeded`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(notFinished(id, 'paused'));
  });

  it('answers the results collected so far with partial=true, and the status they come from', async () => {
    const id = await processingJob('early-1', 'early-2');
    const reply = { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Yes.' }] };
    await api.manager.forTenant('acme').addResult(id, 'req-early-2', reply);
    const response = await api.call('GET', `/v1/jobs/${id}/results?partial=true`);
    expect(response.status).toBe(200);
    expect(response.headers.get('batchkeeper-job-status')).toBe('processing');
    expect(parseLines(await response.text())).toEqual([
      { custom_id: 'req-early-2', result: { type: 'succeeded', message: reply } },
    ]);
  });

  it('answers an empty body with partial=true while nothing has been collected', async () => {
    const id = await processingJob('nothing-yet');
    const response = await api.call('GET', `/v1/jobs/${id}/results?partial=true`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers another tenant 404, not 409, for a job that has not ended', async () => {
    const id = await processingJob('not-yours');
    const response = await api.call('GET', `/v1/jobs/${id}/results`, { tenant: 'globex' });
    expect(response.status).toBe(404);
  });
});
