import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

/** A header value the Fetch API accepts: Latin-1 without control characters. */
const headerValue = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((code) => code !== 0x7f)
    .map((code) => String.fromCharCode(code)),
  maxLength: 300,
});

/** A path segment of any text, encoded. */
const pathId = fc
  .oneof(fc.string({ minLength: 1, maxLength: 300 }), fc.constant('%'))
  .map((s) => (s === '%' ? '%' : encodeURIComponent(s)));

/** A query string of random pairs, some of them the real parameter names. */
const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'status',
          'priority',
          'tags',
          'limit',
          'offset',
          'sortBy',
          'sortOrder',
          'type',
        ),
        fc.constantFrom('deduplicate', 'timeoutMs', 'metadata', 'callbackUrl', 'webhookSecret'),
        fc.string({ maxLength: 10 }),
      ),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

const valid = () => ({ requests: [request('fuzz')] as Record<string, unknown>[] });

/** JSON job bodies each broken in one way createJob must refuse. */
const brokenJob = fc.oneof(
  fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  fc
    .jsonValue()
    .filter((v) => !Array.isArray(v))
    .map((requests) => ({ requests })),
  fc
    .oneof(
      fc.integer().filter((n) => n < 1 || n > 5),
      fc.string().filter((s) => !/^(?:[1-5]|critical|high|normal|low|background)$/i.test(s)),
    )
    .map((priority) => ({ ...valid(), priority })),
  fc
    .array(fc.string(), { minLength: 1 })
    .filter((tags) => tags.some((t) => !/^[\w.:-]{1,64}$/.test(t)))
    .map((tags) => ({ ...valid(), tags })),
  fc
    .oneof(fc.double(), fc.integer({ max: 0 }), fc.string())
    .filter((n) => !Number.isInteger(n) || (n as number) <= 0)
    .map((timeoutMs) => ({ ...valid(), timeoutMs })),
  fc
    .string()
    .filter((id) => !/^[a-zA-Z0-9_-]{1,64}$/.test(id))
    .map((custom_id) => ({ requests: [{ ...request('x'), custom_id }] })),
  fc.jsonValue().map((max_tokens) => ({
    requests: [
      {
        custom_id: 'a',
        params: {
          ...request('a').params,
          max_tokens:
            typeof max_tokens === 'number' && max_tokens >= 1 && Number.isInteger(max_tokens)
              ? -1
              : max_tokens,
        },
      },
    ],
  })),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter(
      (k) =>
        ![
          'requests',
          'priority',
          'metadata',
          'tags',
          'deduplicate',
          'timeoutMs',
          'callbackUrl',
          'webhookSecret',
        ].includes(k),
    )
    .map((key) => ({ ...valid(), [key]: 1 })),
  fc.string().map((callbackUrl) => ({ ...valid(), callbackUrl: `ftp://${callbackUrl}` })),
);

/** NDJSON bodies with at least one bad line. */
const brokenNdjson = fc
  .tuple(
    fc.array(fc.constant(`${JSON.stringify(request('line'))}`), { maxLength: 2 }),
    fc.oneof(
      fc.string({ minLength: 1 }).filter((s) => s.trim() !== '' && !s.includes('\n')),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    ),
  )
  .map(([good, bad]) =>
    [...good.map((line, i) => line.replace('req-line', `req-line-${i}`)), bad].join('\n'),
  );

describe('the job routes under malformed input', () => {
  let api: JobsApiHarness;
  let jobId: string;
  let before: { written: unknown; events: number };
  beforeAll(async () => {
    api = await JobsApiHarness.open({ manager: { worker: false } });
    jobId = (await api.createJob({ requests: [request('existing')] })).id;
    before = { written: await api.written(), events: await api.eventCount() };
  });
  afterAll(() => api.close());

  /** Every answer is below 500, and an error is the usual JSON error. */
  async function expectHandled(response: Response) {
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.message).not.toMatch(/\n\s+at /);
    } else {
      await response.body?.cancel();
    }
  }

  it('never answers 5xx to a broken JSON job, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(brokenJob, queryString, async (body, query) => {
        const response = await api.call('POST', `/v1/jobs${query ? `?${query}` : ''}`, {
          json: body,
        });
        expect(response.status).toBeGreaterThanOrEqual(400);
        await expectHandled(response);
      }),
      { numRuns: 150 },
    );
    expect({ written: await api.written(), events: await api.eventCount() }).toEqual(before);
  });

  it('never answers 5xx to a broken NDJSON upload, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(brokenNdjson, async (body) => {
        const response = await api.call('POST', '/v1/jobs', {
          body,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        expect(response.status).toBe(400);
        await expectHandled(response);
      }),
      { numRuns: 100 },
    );
    expect({ written: await api.written(), events: await api.eventCount() }).toEqual(before);
  });

  it('never answers 5xx to random bodies, content types and Idempotency-Keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.oneof(
          headerValue,
          fc.constantFrom(
            'application/json',
            'application/x-ndjson',
            'application/json; charset=utf-8',
          ),
        ),
        headerValue,
        async (body, contentType, key) => {
          const response = await api.call('POST', '/v1/jobs', {
            body,
            headers: { 'content-type': contentType, 'idempotency-key': key },
          });
          await expectHandled(response);
        },
      ),
      { numRuns: 150 },
    );
    expect({ written: await api.written(), events: await api.eventCount() }).toEqual(before);
  });

  it('never answers 5xx to random ids, queries and headers on every job route', async () => {
    const routes = [
      ['GET', ''],
      ['POST', '/cancel'],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['DELETE', ''],
      ['GET', '/results'],
      ['GET', '/events'],
      ['GET', '/stream'],
      ['GET', '/chart'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        pathId,
        queryString,
        headerValue,
        async ([method, suffix], id, query, accept) => {
          const response = await api.call(
            method,
            `/v1/jobs/${id}${suffix}${query ? `?${query}` : ''}`,
            {
              headers: { accept },
            },
          );
          await expectHandled(response);
        },
      ),
      { numRuns: 200 },
    );
    expect({ written: await api.written(), events: await api.eventCount() }).toEqual(before);
  });

  it('never answers 5xx to random list and stats queries, and the job stays as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/v1/jobs',
          '/v1/stats',
          `/v1/jobs/${jobId}/results`,
          `/v1/jobs/${jobId}/events`,
        ),
        queryString,
        async (path, query) => {
          const response = await api.call('GET', `${path}${query ? `?${query}` : ''}`);
          await expectHandled(response);
        },
      ),
      { numRuns: 150 },
    );
    expect({ written: await api.written(), events: await api.eventCount() }).toEqual(before);
  });
});
