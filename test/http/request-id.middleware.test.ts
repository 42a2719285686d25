import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/http/create-router.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { buildTestApp } from './test-app.js';

const KEY = 'acme-key-0123456789';

/** A route that logs a line of its own through the request's logger. */
function loggingRoutes() {
  const router = createRouter();
  router.post('/v1/echo', async (c) => {
    c.var.logger.info({ step: 'handler' }, 'handling');
    return c.json(await c.req.json());
  });
  router.get('/v1/redirect', () => Response.redirect('https://example.test/elsewhere', 302));
  return router;
}

describe('request ids and the access log', () => {
  let database: DatabaseHandle;
  let testApp: ReturnType<typeof buildTestApp>;
  beforeAll(async () => {
    database = await openTestDatabase();
    testApp = buildTestApp(database, {
      apiKeys: [{ tenant: 'acme', key: KEY }],
      routes: [loggingRoutes()],
    });
  });
  afterAll(async () => {
    await database.close();
  });

  it('makes a request id when none is sent and echoes it in request-id', async () => {
    const response = await testApp.app.request('/healthz');
    expect(response.headers.get('request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('gives each request an id of its own', async () => {
    const first = await testApp.app.request('/healthz');
    const second = await testApp.app.request('/healthz');
    expect(first.headers.get('request-id')).not.toBe(second.headers.get('request-id'));
  });

  it('keeps the caller request-id', async () => {
    const response = await testApp.app.request('/healthz', {
      headers: { 'request-id': 'client-42.a:b' },
    });
    expect(response.headers.get('request-id')).toBe('client-42.a:b');
  });

  it('keeps the caller x-request-id', async () => {
    const response = await testApp.app.request('/healthz', {
      headers: { 'x-request-id': 'from-the-proxy' },
    });
    expect(response.headers.get('request-id')).toBe('from-the-proxy');
  });

  it('replaces an incoming id that is not sane with one of its own', async () => {
    const response = await testApp.app.request('/healthz', {
      headers: { 'request-id': `bad id with spaces ${'x'.repeat(200)}` },
    });
    expect(response.headers.get('request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('echoes the id on error responses too', async () => {
    const response = await testApp.app.request('/v1/echo', {
      method: 'POST',
      headers: { 'request-id': 'failing-one' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('request-id')).toBe('failing-one');
  });

  it('echoes the id on a response the handler built itself', async () => {
    const response = await testApp.app.request('/v1/redirect', {
      headers: { 'x-api-key': KEY, 'request-id': 'own-response' },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('request-id')).toBe('own-response');
  });

  it('puts the request id on every line logged for the request', async () => {
    await send({ hello: 'world' }, 'trace-me');
    const lines = testApp.logs.forRequest('trace-me');
    expect(lines.map((line) => line.msg)).toEqual(['handling', 'request']);
  });

  it('writes one access line with method, path, status, duration and tenant', async () => {
    await send({ hello: 'world' }, 'access-line');
    const access = testApp.logs.forRequest('access-line').find((line) => line.msg === 'request');
    expect(access).toMatchObject({
      method: 'POST',
      path: '/v1/echo',
      status: 200,
      tenant: 'acme',
      durationMs: expect.any(Number),
    });
  });

  it('logs neither the API key, the body nor the query string', async () => {
    await testApp.app.request('/v1/echo?token=query-secret-123', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        'request-id': 'no-secrets',
      },
      body: JSON.stringify({ webhookSecret: 'whsec_body-secret' }),
    });
    const logged = testApp.logs.raw.filter((line) => line.includes('no-secrets')).join('\n');
    expect(logged).toContain('"path":"/v1/echo"');
    for (const secret of [KEY, 'query-secret-123', 'whsec_body-secret']) {
      expect(logged).not.toContain(secret);
    }
  });

  function send(body: unknown, requestId: string) {
    return testApp.app.request('/v1/echo', {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'request-id': requestId },
      body: JSON.stringify(body),
    });
  }
});
