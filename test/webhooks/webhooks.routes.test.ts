import { Validator } from '@seriousme/openapi-schema-validator';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooksRoutes } from '../../src/http/webhooks.routes.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { relayOnce } from '../../src/webhooks/webhook-relay.js';
import { buildTestApp } from '../http/test-app.js';
import { openTestDatabase } from '../support/database.js';
import { insertJobRow } from '../support/job-row.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';
import { testWebhookSettings } from './support/webhook-test-settings.js';

const KEYS = [
  { tenant: 'acme', key: 'acme-key-0123456789' },
  { tenant: 'globex', key: 'globex-key-0123456789' },
];

describe('the /v1/webhooks routes', () => {
  let database: DatabaseHandle;
  let receiver: WebhookReceiver;
  let app: ReturnType<typeof buildTestApp>['app'];
  const settings = testWebhookSettings();

  beforeAll(async () => {
    database = await openTestDatabase();
    receiver = await startWebhookReceiver();
    app = buildTestApp(database, {
      apiKeys: KEYS,
      routes: [webhooksRoutes({ db: database.db, ...settings })],
    }).app;
  });
  afterAll(async () => {
    await receiver.close();
    await database.close();
  });

  const call = (
    method: string,
    path: string,
    options: { body?: unknown; tenant?: 'acme' | 'globex' } = {},
  ) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${options.tenant === 'globex' ? KEYS[1]!.key : KEYS[0]!.key}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  const subscribe = async (tenant: 'acme' | 'globex' = 'acme') => {
    const response = await call('POST', '/v1/webhooks', {
      tenant,
      body: { url: receiver.url, events: ['job.completed', 'job.failed'] },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; secret: string };
  };
  const relay = () =>
    relayOnce({
      db: database.db,
      instanceId: 'relay',
      allowList: settings.allowList,
      clock: settings.clock,
    });

  it('POST /v1/webhooks answers 201 with the subscription and its secret', async () => {
    await insertJobRow(database.db, 'acme', 'job-1');
    const response = await call('POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['job.completed'], jobId: 'job-1' },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      id: expect.stringMatching(/^wh_/),
      url: receiver.url,
      events: ['job.completed'],
      jobId: 'job-1',
      createdAt: settings.clock.now().toISOString(),
      disabledAt: null,
      disabledReason: null,
      previousSecretExpiresAt: null,
      secret: expect.stringMatching(/^whsec_/),
    });
  });

  it('POST /v1/webhooks answers 404 for a job the caller does not have, and subscribes nothing', async () => {
    await insertJobRow(database.db, 'globex', 'job-of-globex');
    for (const jobId of ['job-nope', 'job-of-globex']) {
      const response = await call('POST', '/v1/webhooks', {
        body: { url: receiver.url, events: ['job.completed'], jobId },
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({
        error: { type: 'not_found_error', message: `job ${jobId} not found` },
      });
    }
    const listed = (await (await call('GET', '/v1/webhooks')).json()) as {
      webhooks: { jobId: string | null }[];
    };
    expect(listed.webhooks.map((w) => w.jobId)).not.toContain('job-nope');
    expect(listed.webhooks.map((w) => w.jobId)).not.toContain('job-of-globex');
  });

  it('POST /v1/webhooks answers 400 for a private URL', async () => {
    const response = await call('POST', '/v1/webhooks', {
      body: { url: 'http://169.254.169.254/latest', events: ['job.completed'] },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', issues: [{ path: 'url' }] },
    });
  });

  it('POST /v1/webhooks answers 400 for an unknown event type', async () => {
    const response = await call('POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['job.exploded'] },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { issues: [{ path: 'events.0' }] } });
  });

  it("GET /v1/webhooks lists the caller's subscriptions without their secrets", async () => {
    const mine = await subscribe('globex');
    const response = await call('GET', '/v1/webhooks', { tenant: 'globex' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { webhooks: { id: string }[] };
    expect(body.webhooks.map((w) => w.id)).toEqual([mine.id]);
    expect(JSON.stringify(body)).not.toContain(mine.secret);
  });

  it("DELETE /v1/webhooks/:id answers 204, and 404 for another tenant's subscription", async () => {
    const { id } = await subscribe();
    expect((await call('DELETE', `/v1/webhooks/${id}`, { tenant: 'globex' })).status).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it('POST /v1/webhooks/:id/ping sends a signed webhook.ping, shown with its attempt in the delivery log', async () => {
    const { id, secret } = await subscribe();
    const ping = await call('POST', `/v1/webhooks/${id}/ping`);
    expect(ping.status).toBe(202);
    const { deliveryId } = (await ping.json()) as { deliveryId: string };
    await relay();

    const request = receiver.received.find((r) => r.headers['webhook-id'] === deliveryId)!;
    expect(new Webhook(secret).verify(request.body, request.webhookHeaders)).toMatchObject({
      type: 'webhook.ping',
      data: { subscriptionId: id },
    });
    const log = await call('GET', `/v1/webhooks/deliveries?subscriptionId=${id}`);
    expect(await log.json()).toMatchObject({
      deliveries: [
        {
          id: deliveryId,
          status: 'delivered',
          attempts: [
            { attemptNumber: 1, statusCode: 204, attemptedAt: settings.clock.now().toISOString() },
          ],
        },
      ],
      nextCursor: null,
    });
  });

  it('GET /v1/webhooks/deliveries filters by status', async () => {
    const { id } = await subscribe();
    receiver.replyWith(() => ({ status: 500 }));
    await call('POST', `/v1/webhooks/${id}/ping`);
    await relay();
    receiver.replyWith(() => ({ status: 204 }));
    const pending = await call(
      'GET',
      `/v1/webhooks/deliveries?status=pending&subscriptionId=${id}`,
    );
    const delivered = await call(
      'GET',
      `/v1/webhooks/deliveries?status=delivered&subscriptionId=${id}`,
    );
    expect(await pending.json()).toMatchObject({
      deliveries: [{ status: 'pending', lastError: 'the receiver answered HTTP 500' }],
    });
    expect(await delivered.json()).toMatchObject({ deliveries: [] });
  });

  it('GET /v1/webhooks/deliveries answers 400 for an unknown status', async () => {
    expect((await call('GET', '/v1/webhooks/deliveries?status=lost')).status).toBe(400);
  });

  it('POST /v1/webhooks/deliveries/:id/retry makes a delivery due now, and 404s for another tenant', async () => {
    const { id } = await subscribe();
    const ping = (await (await call('POST', `/v1/webhooks/${id}/ping`)).json()) as {
      deliveryId: string;
    };
    await relay();
    const path = `/v1/webhooks/deliveries/${ping.deliveryId}/retry`;
    expect((await call('POST', path, { tenant: 'globex' })).status).toBe(404);
    const retried = await call('POST', path);
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({
      id: ping.deliveryId,
      status: 'pending',
      nextAttemptAt: settings.clock.now().toISOString(),
    });
    await relay();
    expect(
      receiver.received.filter((r) => r.headers['webhook-id'] === ping.deliveryId),
    ).toHaveLength(2);
  });

  it('POST /v1/webhooks/:id/secret/rotate answers the new secret and keeps the old one for the grace period', async () => {
    const { id, secret } = await subscribe();
    const response = await call('POST', `/v1/webhooks/${id}/secret/rotate`, {
      body: { graceSeconds: 60 },
    });
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as { secret: string; previousSecretExpiresAt: string };
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.previousSecretExpiresAt).toBe(
      new Date(settings.clock.now().getTime() + 60_000).toISOString(),
    );
  });

  it('POST /v1/webhooks/:id/secret/rotate works without a body', async () => {
    const { id } = await subscribe();
    const response = await call('POST', `/v1/webhooks/${id}/secret/rotate`);
    expect(response.status).toBe(200);
  });

  it('are described in a valid OpenAPI 3.1 document', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, object>;
    };
    const validation = await new Validator().validate(structuredClone(document));
    expect(validation.errors).toBeUndefined();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/webhooks',
        '/v1/webhooks/{id}',
        '/v1/webhooks/{id}/ping',
        '/v1/webhooks/{id}/secret/rotate',
        '/v1/webhooks/deliveries',
        '/v1/webhooks/deliveries/{id}/retry',
      ]),
    );
  });
});
