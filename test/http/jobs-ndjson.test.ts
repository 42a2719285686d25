import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

const NDJSON = { 'content-type': 'application/x-ndjson' };

/** Lines of request items, each its own JSON line. */
function ndjson(...items: unknown[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}

/** A body that yields `count` request lines in many small chunks, made only as it is read. */
function lazyBody(count: number, prefix: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === count) return controller.close();
      const upTo = Math.min(count, sent + 100);
      let chunk = '';
      for (; sent < upTo; sent++) chunk += `${JSON.stringify(request(`${prefix}-${sent}`))}\n`;
      controller.enqueue(encoder.encode(chunk));
    },
  });
}

describe('POST /v1/jobs with an NDJSON body', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open({
      manager: { worker: false },
      api: { maxNdjsonBodyBytes: 1024 * 1024 },
    });
  });
  afterAll(() => api.close());

  it('creates a job of one request a line, with options from the query', async () => {
    const response = await api.call(
      'POST',
      '/v1/jobs?priority=high&tags=nd,json&deduplicate=false',
      {
        body: ndjson(request('nd-1'), request('nd-2')),
        headers: NDJSON,
      },
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const job = await api.manager.forTenant('acme').getJob(id);
    expect(job).toMatchObject({ totalRequests: 2, priority: 2, tags: ['nd', 'json'] });
  });

  it('accepts blank lines and CRLF line ends', async () => {
    const body = `\r\n${JSON.stringify(request('crlf-1'))}\r\n\n${JSON.stringify(request('crlf-2'))}`;
    const response = await api.call('POST', '/v1/jobs', { body, headers: NDJSON });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ totalRequests: 2 });
  });

  it('refuses a line that is not a request with 400 naming the line, writing nothing', async () => {
    const before = await api.written();
    const response = await api.call('POST', '/v1/jobs', {
      body: ndjson(request('ok-1'), request('ok-2'), { custom_id: 'no-params' }),
      headers: NDJSON,
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { message: string; issues: { path: string }[] };
    };
    expect(error.message).toMatch(/^invalid request on line 3: params/);
    expect(error.issues[0]!.path).toBe('line 3.params');
    expect(await api.written()).toEqual(before);
  });

  it('counts blank lines when it names the line of malformed JSON', async () => {
    const response = await api.call('POST', '/v1/jobs', {
      body: `${JSON.stringify(request('fine'))}\n\n{"custom_id": \n`,
      headers: NDJSON,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: 'line 3: not valid JSON' },
    });
  });

  it('refuses a repeated custom_id naming both lines', async () => {
    const response = await api.call('POST', '/v1/jobs', {
      body: ndjson(request('twice'), request('other'), request('twice')),
      headers: NDJSON,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringMatching(/line 3: duplicate custom_id "req-twice".*line 1/) },
    });
  });

  it('refuses a body with no requests', async () => {
    const response = await api.call('POST', '/v1/jobs', { body: '\n\n', headers: NDJSON });
    expect(response.status).toBe(400);
  });

  it('refuses an invalid query option before reading the body', async () => {
    const response = await api.call('POST', '/v1/jobs?deduplicate=maybe', {
      body: ndjson(request('query')),
      headers: NDJSON,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { issues: [expect.objectContaining({ path: 'deduplicate' })] },
    });
  });

  it('checks query options with the job: a bad tag is 400', async () => {
    const response = await api.call('POST', '/v1/jobs?tags=has%20space', {
      body: ndjson(request('tag')),
      headers: NDJSON,
    });
    expect(response.status).toBe(400);
  });

  it('refuses a body over the NDJSON limit with 413, writing nothing', async () => {
    const before = await api.written();
    const response = await api.call('POST', '/v1/jobs', {
      body: lazyBody(20_000, 'too-big'),
      headers: NDJSON,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { type: 'request_too_large' } });
    expect(await api.written()).toEqual(before);
  });

  it('takes an Idempotency-Key like a JSON body does', async () => {
    const headers = { ...NDJSON, 'idempotency-key': 'ndjson-key' };
    const body = ndjson(request('idem-nd'));
    const first = await api.call('POST', '/v1/jobs', { body, headers });
    const again = await api.call('POST', '/v1/jobs', { body, headers });
    expect([first.status, again.status]).toEqual([201, 200]);
  });
});

describe('POST /v1/jobs streaming a large NDJSON upload over a real port', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open({ manager: { worker: false } });
  });
  afterAll(() => api.close());

  it('creates a 10,000-request job from a body sent in chunks', async () => {
    const url = await api.listen();
    const response = await fetch(`${url}/v1/jobs?tags=bulk`, {
      method: 'POST',
      headers: { ...api.authorization(), ...NDJSON },
      body: lazyBody(10_000, 'bulk'),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ totalRequests: 10_000, uniqueRequests: 10_000 });
  });
});
