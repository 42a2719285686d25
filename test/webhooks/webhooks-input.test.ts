import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooksRoutes } from '../../src/http/webhooks.routes.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { encodeDeliveryCursor } from '../../src/webhooks/delivery-cursor.js';
import { buildTestApp } from '../http/test-app.js';
import { openTestDatabase } from '../support/database.js';
import { fakeDns } from './support/fake-dns.js';
import { testWebhookSettings } from './support/webhook-test-settings.js';

const KEY = 'acme-key-0123456789';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Bad input to the webhook routes: always a 400 that names the field, and nothing written. */
describe('the /v1/webhooks routes given bad input', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];

  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, {
      apiKeys: [{ tenant: 'acme', key: KEY }],
      routes: [
        webhooksRoutes({
          db: database.db,
          ...testWebhookSettings(),
          resolve: fakeDns({
            localhost: ['127.0.0.1'],
            'hooks.example.com': ['93.184.216.34'],
            'internal.example.com': ['10.0.0.7'],
          }),
        }),
      ],
    }).app;
  });
  afterAll(async () => {
    await database.close();
  });

  const call = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const endpointCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('webhook_endpoints')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const refusal = async (response: Response) => {
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { type: string; message: string; issues: { path: string; message: string }[] };
    };
    expect(error.type).toBe('invalid_request_error');
    return error;
  };
  const subscribe = (url: string) =>
    call('POST', '/v1/webhooks', { url, events: ['job.completed'] });

  it.each([
    ['DELETE', '/v1/webhooks/%00'],
    ['POST', '/v1/webhooks/%00/ping'],
    ['POST', '/v1/webhooks/wh_%00x/secret/rotate'],
    ['POST', '/v1/webhooks/deliveries/%00/retry'],
  ])('%s %s: a NUL in the path id is a 400 naming id', async (method, path) => {
    const error = await refusal(await call(method, path));
    expect(error.issues).toEqual([{ path: 'id', message: expect.stringMatching(/NUL/) }]);
  });

  it.each(['subscriptionId', 'jobId', 'cursor'])(
    'GET /v1/webhooks/deliveries with a NUL in %s is a 400 naming it',
    async (name) => {
      const error = await refusal(await call('GET', `/v1/webhooks/deliveries?${name}=%00`));
      expect(error.issues).toEqual([{ path: name, message: expect.stringMatching(/NUL/) }]);
    },
  );

  it.each([
    ['an id with a NUL', cursorOf(['2026-01-05T10:00:00.000Z', 'msg_\u0000'])],
    ['a time Postgres cannot hold', cursorOf(['-271821-04-20T00:00:00.000Z', 'msg_1'])],
    ['a time not written as we write it', cursorOf(['2026-01-05', 'msg_1'])],
  ])('a cursor holding %s is a 400 naming cursor', async (_, cursor) => {
    const error = await refusal(await call('GET', `/v1/webhooks/deliveries?cursor=${cursor}`));
    expect(error.issues).toEqual([{ path: 'cursor', message: 'not a cursor we gave' }]);
  });

  it('still reads a cursor it gave', async () => {
    const cursor = encodeDeliveryCursor({ createdAt: new Date(), id: 'msg_1' });
    const response = await call('GET', `/v1/webhooks/deliveries?cursor=${cursor}`);
    expect(response.status).toBe(200);
  });

  it.each([
    ['GET', '/v1/webhooks/deliveries?statuss=dead'],
    ['GET', '/v1/webhooks?all=1'],
    ['POST', '/v1/webhooks/wh_1/ping?now=1'],
    ['DELETE', '/v1/webhooks/wh_1?force=1'],
    ['POST', '/v1/webhooks/deliveries/msg_1/retry?now=1'],
  ])('%s %s: an unknown query parameter is a 400 naming it', async (method, path) => {
    const error = await refusal(await call(method, path));
    const name = new URL(path, 'http://x').searchParams.keys().next().value!;
    expect(error.message).toContain(name);
    expect(error.issues).toEqual([{ path: name, message: expect.any(String) }]);
  });

  it.each([
    ['credentials', 'http://user:pw@hooks.example.com/x', /credentials/],
    ['a CR/LF', 'https://hooks.example.com/a\r\nX-Injected: 1', /CR/],
    ['a NUL', 'https://hooks.example.com/\u0000', /NUL/],
    ['three slashes', 'http:///x', /host is missing/],
    ['a host that resolves to a private address', 'http://internal.example.com/x', /private/],
  ])('POST /v1/webhooks with %s in the url is a 400 naming url', async (_, url, message) => {
    const before = await endpointCount();
    const error = await refusal(await subscribe(url));
    expect(error.issues).toEqual([{ path: 'url', message: expect.stringMatching(message) }]);
    expect(await endpointCount()).toBe(before);
  });

  it('POST /v1/webhooks with a NUL in jobId is a 400 naming jobId', async () => {
    const response = await call('POST', '/v1/webhooks', {
      url: 'https://hooks.example.com/x',
      events: ['job.completed'],
      jobId: 'job-\u0000',
    });
    expect((await refusal(response)).issues).toEqual([
      { path: 'jobId', message: expect.stringMatching(/NUL/) },
    ]);
  });

  it('POST /v1/webhooks accepts a public URL', async () => {
    expect((await subscribe('https://hooks.example.com/x')).status).toBe(201);
  });

  it('POST /v1/webhooks accepts localhost where its address, 127.0.0.1, is allow-listed', async () => {
    expect((await subscribe('http://localhost:9/x')).status).toBe(201);
  });
});
