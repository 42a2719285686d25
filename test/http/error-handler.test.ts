import { createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  type BatchkeeperError,
  ConcurrencyError,
  IdempotencyConflictError,
  IllegalTransitionError,
  NotFoundError,
  NotReadyError,
  PayloadTooLargeError,
  PermissionError,
  QueueFullError,
  ValidationError,
} from '../../src/domain/errors.js';
import { createRouter } from '../../src/http/create-router.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import type { Db } from '../../src/store/schema/index.js';
import { openTestDatabase } from '../support/database.js';
import { buildTestApp } from './test-app.js';

const ERRORS: [BatchkeeperError, number][] = [
  [new ValidationError('bad input', [{ path: 'requests.0', message: 'Required' }]), 400],
  [new AuthenticationError('who are you'), 401],
  [new PermissionError('not yours'), 403],
  [new NotFoundError('no job j_1'), 404],
  [new IllegalTransitionError('resume', 'queued'), 409],
  [new ConcurrencyError('j_1', 3, 4), 409],
  [new IdempotencyConflictError('key reused with another body'), 409],
  [new PayloadTooLargeError('too big'), 413],
  [new QueueFullError(10, 'quota', 17), 429],
  [new NotReadyError('starting'), 503],
];

const NoteSchema = z.object({
  text: z.string().min(1),
  priority: z.number().int().min(1).max(5),
});

/** Routes that fail on purpose, mounted like any resource module. */
function failingRoutes(db: Db) {
  const router = createRouter();
  // Values no boundary check looked at, sent to Postgres as they are: it refuses each.
  router.get('/v1/unchecked/nul', async (c) => {
    await sql`select ${'a\u0000b'}::text`.execute(db);
    return c.body(null, 204);
  });
  router.get('/v1/unchecked/timestamp', async (c) => {
    await sql`select ${'294277-01-01T00:00:00Z'}::timestamptz`.execute(db);
    return c.body(null, 204);
  });
  router.get('/v1/unchecked/jsonb', async (c) => {
    await sql`select ${'{"a":"\\u0000"}'}::jsonb`.execute(db);
    return c.body(null, 204);
  });
  router.get('/v1/throw/:index', (c) => {
    throw ERRORS[Number(c.req.param('index'))]![0];
  });
  router.get('/v1/crash', () => {
    throw new Error('secret detail: connection string postgres://u:p@h/db');
  });
  router.get('/v1/http-exception', () => {
    throw new HTTPException(415, { message: 'Unsupported Media Type' });
  });
  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/notes/{id}',
      request: {
        params: z.object({ id: z.string().regex(/^n_\d+$/) }),
        body: { required: true, content: { 'application/json': { schema: NoteSchema } } },
      },
      responses: { 201: { description: 'created' } },
    }),
    (c) => c.body(null, 201),
  );
  return router;
}

describe('the error mapping', () => {
  let database: DatabaseHandle;
  let testApp: ReturnType<typeof buildTestApp>;
  beforeAll(async () => {
    database = await openTestDatabase();
    testApp = buildTestApp(database, { routes: [failingRoutes(database.db)] });
  });
  afterAll(async () => {
    await database.close();
  });

  it.each(ERRORS.map(([error, status], index) => ({ name: error.name, error, status, index })))(
    'answers a thrown $name with its status, type and message',
    async ({ error, status, index }) => {
      const response = await testApp.app.request(`/v1/throw/${index}`);
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error.type).toBe(error.type);
      expect(body.error.message).toBe(error.message);
    },
  );

  it('lists the failing paths of a ValidationError', async () => {
    const response = await testApp.app.request('/v1/throw/0');
    expect(await response.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        message: 'bad input',
        issues: [{ path: 'requests.0', message: 'Required' }],
      },
    });
  });

  it('sends retry-after with a QueueFullError', async () => {
    const index = ERRORS.findIndex(([error]) => error instanceof QueueFullError);
    const response = await testApp.app.request(`/v1/throw/${index}`);
    expect(response.headers.get('retry-after')).toBe('17');
  });

  it('answers an unexpected error with a generic 500 api_error and no detail', async () => {
    const response = await testApp.app.request('/v1/crash');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: { type: 'api_error', message: 'internal server error' },
    });
    expect(text).not.toContain('secret detail');
    expect(text).not.toContain('at ');
  });

  it('logs an unexpected error with the request id and its stack', async () => {
    const response = await testApp.app.request('/v1/crash');
    const requestId = response.headers.get('request-id')!;
    const logged = testApp.logs
      .forRequest(requestId)
      .find((line) => line.msg === 'unhandled error') as { err: { stack: string } } | undefined;
    expect(logged?.err.stack).toContain('secret detail');
  });

  it.each(['nul', 'timestamp', 'jsonb'])(
    'answers a value Postgres refuses (%s) with 400, never 500, and logs no Postgres text',
    async (kind) => {
      const response = await testApp.app.request(`/v1/unchecked/${kind}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          type: 'invalid_request_error',
          message: 'the request holds a value that cannot be stored',
        },
      });
      const requestId = response.headers.get('request-id')!;
      const lines = testApp.logs.forRequest(requestId);
      expect(lines.find((line) => line.msg === 'unhandled error')).toBeUndefined();
      expect(
        lines.find((line) => line.msg === 'the database refused a value in the request'),
      ).toMatchObject({ level: 'warn', sqlState: expect.stringMatching(/^22/) });
    },
  );

  it('answers an HTTPException with its status as an invalid_request_error', async () => {
    const response = await testApp.app.request('/v1/http-exception');
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'Unsupported Media Type' },
    });
  });

  it('refuses a body that fails its schema with 400 and every failing path', async () => {
    const response = await postJson('/v1/notes/n_1', { text: '', priority: 9 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { type: string; issues: { path: string }[] };
    };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.issues.map((issue) => issue.path).sort()).toEqual(['priority', 'text']);
  });

  it('names the part of the request that failed in the message', async () => {
    const response = await postJson('/v1/notes/not-an-id', { text: 'hi', priority: 1 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; issues: unknown } };
    expect(body.error.message).toMatch(/^invalid path parameters: id: /);
    expect(body.error.issues).toEqual([{ path: 'id', message: expect.any(String) }]);
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await testApp.app.request('/v1/notes/n_1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text": "unterminated',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'Malformed JSON in request body' },
    });
  });

  it('answers an unknown route with a 404 JSON error', async () => {
    const response = await testApp.app.request('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { type: 'not_found_error', message: 'no route for GET /v1/nothing-here' },
    });
  });

  it('answers a known path with the wrong method with 405 and the allowed methods', async () => {
    const response = await testApp.app.request('/v1/notes/n_1', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { error: { type: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });

  function postJson(path: string, body: unknown) {
    return testApp.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
});
