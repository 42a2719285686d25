import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH } from '../../src/http/openapi-document.js';
import { webhooksRoutes } from '../../src/http/webhooks.routes.js';
import { JobsApiHarness, request } from '../http/jobs-harness.js';
import {
  encodeComponent,
  hostileCursor,
  hostileHeaderValue,
  hostileText,
  mutated,
  toJsonText,
} from './hostile-values.js';

/**
 * Every operation of the OpenAPI document, called with hostile path ids, query parameters,
 * headers and bodies (JSON and NDJSON): never a 5xx, and a 4xx writes nothing (the highest
 * event position and every table's row count stay as they were). Real Postgres, fixed seed.
 */

/** Fixed; `FUZZ_SEED=N` explores another corner. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
/** Enough to reach each kind of value on each operation; the file stays well under a minute. */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 60);
const MAX_NDJSON_LINE_BYTES = 16 * 1024;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
}

interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  bodyTypes: string[];
  jsonExample: unknown;
}

interface FuzzedRequest {
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const api = await JobsApiHarness.open({
  manager: { worker: false, webhookAllow: '127.0.0.1' },
  api: { maxNdjsonBodyBytes: 1024 * 1024, maxNdjsonLineBytes: MAX_NDJSON_LINE_BYTES },
  extraRoutes: (manager, db) => [
    webhooksRoutes({
      db,
      ...manager.webhookSettings,
      // Registration resolves names as deliveries do; here every name is one public address.
      resolve: async () => [{ address: '93.184.215.14', family: 4 }],
    }),
  ],
});
afterAll(() => api.close());

const jobId = (await api.createJob({ requests: [request('fuzz-existing')], tags: ['fz'] })).id;
const webhookId = await registerWebhook();
const operations = await operationsOf(await (await api.call('GET', OPENAPI_PATH)).json());

async function registerWebhook(): Promise<string> {
  const response = await api.call('POST', '/v1/webhooks', {
    json: { url: 'https://hooks.example.com/in', events: ['job.completed'] },
  });
  const body = (await response.json()) as { id?: string; subscription?: { id: string } };
  return body.subscription?.id ?? body.id ?? 'whk_unknown';
}

async function operationsOf(document: unknown): Promise<Operation[]> {
  const paths = (document as { paths: Record<string, Record<string, unknown>> }).paths;
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        operationId?: string;
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { example?: unknown }> };
      };
      const content = op.requestBody?.content ?? {};
      found.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        parameters: op.parameters ?? [],
        bodyTypes: Object.keys(content),
        jsonExample: content['application/json']?.example,
      });
    }
  }
  return found;
}

/** Query values that pass some checks, so the fuzz reaches deeper than the first refusal. */
const PLAUSIBLE = ['true', 'false', '1', '10', '3', 'succeeded', 'pending', 'queued', 'fz'];

function pathValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(jobId, webhookId, 'job_missing', 'whk_missing') },
    { weight: 3, arbitrary: hostileText.map(encodeComponent) },
  );
}

function queryString(op: Operation): fc.Arbitrary<string> {
  const declared = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const name = fc.oneof(
    ...(declared.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...declared) }] : []),
    { weight: 1, arbitrary: fc.constantFrom('colour', 'limit', 'cursor', 'after', 'asOf', 'q') },
  );
  const value = fc.oneof(
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: hostileCursor },
    { weight: 2, arbitrary: fc.constantFrom(...PLAUSIBLE, jobId) },
  );
  return fc
    .array(fc.tuple(name, value), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&'));
}

function headers(op: Operation): fc.Arbitrary<Record<string, string>> {
  const declared = op.parameters.filter((p) => p.in === 'header').map((p) => p.name);
  const names = [...new Set([...declared, 'accept', 'last-event-id', 'idempotency-key'])];
  return fc.dictionary(fc.constantFrom(...names), hostileHeaderValue, { maxKeys: 3 });
}

const NOT_UTF8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);

function body(
  op: Operation,
): fc.Arbitrary<{ type: string; body: string | Uint8Array } | undefined> {
  const choices: fc.Arbitrary<{ type: string; body: string | Uint8Array } | undefined>[] = [];
  if (op.bodyTypes.includes('application/json')) {
    const base = op.jsonExample ?? {};
    choices.push(
      mutated(base).map((value) => ({ type: 'application/json', body: toJsonText(value) })),
      mutated(base).map((value) => ({ type: 'application/json', body: toJsonText(value) })),
      fc.constant({ type: 'application/json', body: NOT_UTF8 }),
    );
  } else if (op.method !== 'GET') {
    // A body the operation does not take: ignored or refused, never a 5xx.
    choices.push(
      hostileJson().map((value) => ({ type: 'application/json', body: toJsonText(value) })),
      fc.constant(undefined),
    );
  }
  if (op.bodyTypes.includes('application/x-ndjson')) {
    const line = JSON.stringify(request('fuzz-line'));
    choices.push(
      mutated(request('fuzz-bad')).map((value) => ({
        type: 'application/x-ndjson',
        body: `${line}\n${toJsonText(value)}\n`,
      })),
      fc.constantFrom(
        {
          type: 'application/x-ndjson',
          body: `${line}\n${'x'.repeat(MAX_NDJSON_LINE_BYTES + 1)}\n`,
        },
        { type: 'application/x-ndjson', body: NOT_UTF8 },
        { type: 'application/x-ndjson', body: '\n\n' },
      ),
    );
  }
  return choices.length > 0 ? fc.oneof(...choices) : fc.constant(undefined);
}

function hostileJson(): fc.Arbitrary<unknown> {
  return mutated({});
}

function fuzzedRequest(op: Operation): fc.Arbitrary<FuzzedRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  return fc
    .tuple(
      fc.array(pathValue(), { minLength: pathParams.length, maxLength: pathParams.length }),
      queryString(op),
      headers(op),
      body(op),
    )
    .map(([values, query, extraHeaders, sent]) => {
      let path = op.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, values[i]!);
      });
      const out: FuzzedRequest = {
        path: query ? `${path}?${query}` : path,
        headers: { ...extraHeaders },
      };
      if (sent) {
        out.headers['content-type'] = sent.type;
        out.body = sent.body;
      }
      return out;
    });
}

/** What a failure prints: the request as sent, short. */
function describeRequest(op: Operation, sent: FuzzedRequest): string {
  const text = typeof sent.body === 'string' ? sent.body : String(sent.body);
  return `${op.method} ${sent.path.slice(0, 300)} ${JSON.stringify(sent.headers)} ${text.slice(0, 300)}`;
}

describe('every route of the OpenAPI document under hostile input', () => {
  it('has the routes it is meant to fuzz', () => {
    const ids = operations.map((op) => op.operationId);
    expect(ids).toEqual(expect.arrayContaining(['createJob', 'listJobs', 'getJob', 'deleteJob']));
    expect(operations.some((op) => op.path.startsWith('/v1/webhooks'))).toBe(true);
  });

  it.each(operations.map((op) => ({ ...op, name: `${op.method} ${op.path}` })))(
    '$name: never a 5xx, and a 4xx writes nothing',
    async (op) => {
      let before = await api.snapshot();
      await fc.assert(
        fc.asyncProperty(fuzzedRequest(op), async (sent) => {
          const response = await api.call(op.method, sent.path, {
            headers: sent.headers,
            ...(sent.body !== undefined ? { body: sent.body } : {}),
          });
          const where = describeRequest(op, sent);
          expect(response.status, where).toBeLessThan(500);
          if (response.status >= 400) {
            const text = await response.text();
            if (op.method !== 'HEAD' && text !== '') {
              expect(JSON.parse(text), where).toMatchObject({
                error: { type: expect.any(String) },
              });
            }
            expect(await api.snapshot(), where).toEqual(before);
          } else {
            await response.body?.cancel();
            before = await api.snapshot();
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    },
  );
});
