import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/domain/storable-json.js';
import { JobsApiHarness, request } from './jobs-harness.js';

const NDJSON = { 'content-type': 'application/x-ndjson' };

interface ErrorBody {
  error: { type: string; message: string; issues?: { path: string; message: string }[] };
}

/** `depth` objects inside each other, as JSON text: `{"a":{"a":...1...}}`. */
function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('input Postgres could not store is a 400 naming the field, and writes nothing', () => {
  let api: JobsApiHarness;
  let jobId: string;
  let before: Awaited<ReturnType<JobsApiHarness['snapshot']>>;
  beforeAll(async () => {
    api = await JobsApiHarness.open({
      manager: { worker: false },
      api: { maxNdjsonLineBytes: 4096 },
    });
    jobId = (await api.createJob({ requests: [request('existing')] })).id;
  });
  beforeEach(async () => {
    before = await api.snapshot();
  });
  afterAll(() => api.close());

  /** The answer is a 400 whose first issue is at `path`, and nothing was written. */
  async function expectRefused(response: Response, path: string, message: RegExp) {
    const body = (await response.json()) as ErrorBody;
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.issues?.[0]).toMatchObject({ path, message: expect.stringMatching(message) });
    expect(await api.snapshot()).toEqual(before);
  }

  /** A JSON body sent as raw text (JSON.stringify would escape nothing we need to keep). */
  const postJson = (text: string) =>
    api.call('POST', '/v1/jobs', { body: text, headers: { 'content-type': 'application/json' } });

  const job = (extra: Record<string, unknown>) => ({ requests: [request('a')], ...extra });

  it('refuses NUL in a metadata value and in a metadata key', async () => {
    await expectRefused(
      await api.call('POST', '/v1/jobs', { json: job({ metadata: { note: 'a\u0000b' } }) }),
      'metadata.note',
      /NUL/,
    );
    await expectRefused(
      await api.call('POST', '/v1/jobs', { json: job({ metadata: { 'k\u0000': 1 } }) }),
      'metadata.k\u0000',
      /key must not contain NUL/,
    );
  });

  it('refuses NUL in params content, model and extra keys', async () => {
    const params = request('a').params;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...params, messages: [{ role: 'user', content: 'hi\u0000' }] }, 'messages.0.content'],
      [{ ...params, model: 'claude\u0000' }, 'model'],
      [{ ...params, service_tier: { 'x\u0000': true } }, 'service_tier.x\u0000'],
    ];
    for (const [bad, path] of cases) {
      const response = await api.call('POST', '/v1/jobs', {
        json: { requests: [{ custom_id: 'a', params: bad }] },
      });
      await expectRefused(response, `requests.0.params.${path}`, /NUL/);
    }
  });

  it('refuses a lone surrogate in metadata and in params', async () => {
    const body = JSON.stringify(job({ metadata: { note: 'x' } })).replace('"x"', '"\\ud800x"');
    await expectRefused(await postJson(body), 'metadata.note', /lone UTF-16 surrogate/);
    const content = JSON.stringify(job({})).replace('"question a"', '"\\udc00 question"');
    expect(content).toContain('\\udc00');
    await expectRefused(
      await postJson(content),
      'requests.0.params.messages.0.content',
      /surrogate/,
    );
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels, even 10,000 deep`, async () => {
    const deep = `{"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}]}}],"metadata":${nestedJson(10_000)}}`;
    const response = await postJson(deep);
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(400);
    expect(body.error.message).toMatch(/^invalid request body: metadata\.a\.a.*nests deeper than/);
  });

  it('accepts metadata nested as deep as the limit allows', async () => {
    const depth = MAX_JSON_DEPTH - 1; // the body object itself is one level
    const text = JSON.stringify(job({})).replace(/}$/, `,"metadata":${nestedJson(depth)}}`);
    expect((await postJson(text)).status).toBe(201);
  });

  it('refuses a JSON body that is not UTF-8 rather than storing U+FFFD', async () => {
    const text = JSON.stringify(job({ metadata: { note: 'XX' } }));
    const bytes = new TextEncoder().encode(text);
    const at = text.indexOf('XX');
    bytes[at] = 0xc3; // a lead byte followed by "X": not UTF-8
    const response = await api.call('POST', '/v1/jobs', {
      body: bytes,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: 'the request body is not valid UTF-8' },
    });
    expect(await api.snapshot()).toEqual(before);
  });

  it('refuses NUL, a lone surrogate and deep nesting in an NDJSON line, naming the line', async () => {
    const good = JSON.stringify(request('n-1'));
    const bad = [
      [JSON.stringify(request('n-2')).replace('question', 'ques\\u0000tion'), /NUL/],
      [JSON.stringify(request('n-2')).replace('question', '\\ud800 question'), /surrogate/],
      [`{"custom_id":"n-2","params":${'['.repeat(1000)}${']'.repeat(1000)}}`, /deeper/],
    ] as const;
    for (const [line, message] of bad) {
      const response = await api.call('POST', '/v1/jobs', {
        body: `${good}\n\n${line}\n`,
        headers: NDJSON,
      });
      const body = (await response.json()) as ErrorBody;
      expect(response.status).toBe(400);
      expect(body.error.issues?.[0]?.path).toMatch(/^line 3\.params/);
      expect(body.error.issues?.[0]?.message).toMatch(message);
    }
    expect(await api.snapshot()).toEqual(before);
  });

  it('names the line holding bytes that are not UTF-8, though one chunk holds several lines', async () => {
    const lines = [request('u-1'), request('u-2'), request('u-3')].map((r) => JSON.stringify(r));
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
    bytes[bytes.length - 5] = 0xff; // inside line 3
    const response = await api.call('POST', '/v1/jobs', { body: bytes, headers: NDJSON });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: 'line 3: not valid UTF-8', issues: [{ path: 'line 3' }] },
    });
    expect(await api.snapshot()).toEqual(before);
  });

  it('refuses an NDJSON line longer than the line limit with 413 naming the line', async () => {
    const long = JSON.stringify({ ...request('long'), pad: 'x'.repeat(5000) });
    const response = await api.call('POST', '/v1/jobs', {
      body: `${JSON.stringify(request('short'))}\n${long}\n`,
      headers: NDJSON,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: {
        type: 'request_too_large',
        message: 'line 2 is longer than 4096 bytes, the most one request may be',
      },
    });
    expect(await api.snapshot()).toEqual(before);
  });

  it('refuses NUL in the metadata and callbackUrl of an NDJSON upload', async () => {
    const body = `${JSON.stringify(request('q-1'))}\n`;
    const metadata = encodeURIComponent(JSON.stringify({ note: 'a\u0000' }));
    await expectRefused(
      await api.call('POST', `/v1/jobs?metadata=${metadata}`, { body, headers: NDJSON }),
      'metadata.note',
      /NUL/,
    );
    await expectRefused(
      await api.call('POST', '/v1/jobs?callbackUrl=https://example.com/%00', {
        body,
        headers: NDJSON,
      }),
      'callbackUrl',
      /NUL/,
    );
  });

  it('refuses NUL in a job id on every job route', async () => {
    const routes = [
      ['GET', ''],
      ['DELETE', ''],
      ['POST', '/cancel'],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['GET', '/results'],
      ['GET', '/events'],
      ['GET', '/stream'],
      ['GET', '/chart'],
    ] as const;
    for (const [method, suffix] of routes) {
      await expectRefused(await api.call(method, `/v1/jobs/job%00x${suffix}`), 'id', /NUL/);
    }
  });

  it('refuses a query parameter a job route does not know, naming it', async () => {
    const paths = [
      ['GET', '/v1/jobs?colour=red'],
      ['GET', `/v1/jobs/${jobId}?colour=red`],
      ['DELETE', `/v1/jobs/${jobId}?colour=red`],
      ['POST', `/v1/jobs/${jobId}/cancel?colour=red`],
      ['GET', `/v1/jobs/${jobId}/events?colour=red`],
      ['GET', `/v1/jobs/${jobId}/results?colour=red`],
      ['GET', `/v1/jobs/${jobId}/stream?colour=red`],
      ['GET', `/v1/jobs/${jobId}/chart?colour=red`],
      ['GET', '/v1/stats?colour=red'],
    ] as const;
    for (const [method, path] of paths) {
      await expectRefused(await api.call(method, path), 'colour', /not a known query parameter/);
    }
  });

  it('refuses NUL in the text search of the job list', async () => {
    await expectRefused(await api.call('GET', '/v1/jobs?q=a%00b'), 'q', /NUL/);
  });
});
