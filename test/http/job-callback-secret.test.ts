import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../src/webhooks/index.js';
import { waitUntil } from '../support/manager.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhooks/support/webhook-receiver.js';
import { JobsApiHarness, request } from './jobs-harness.js';

describe('POST /v1/jobs with a callbackUrl', () => {
  let api: JobsApiHarness;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver('/hooks');
    api = await JobsApiHarness.open({ manager: { webhookAllow: '127.0.0.1' } });
  });
  afterAll(async () => {
    await api.close();
    await receiver.close();
  });

  it('returns the secret it generated once, and signs the callback with it', async () => {
    const response = await api.call('POST', '/v1/jobs', {
      json: { requests: [request('hooked')], callbackUrl: receiver.url },
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; webhookSecret?: string };
    expect(created.webhookSecret).toMatch(/^whsec_/);

    await api.waitForStatus(created.id, ['completed']);
    await waitUntil(() => receiver.received.some((r) => r.body.includes(created.id)));
    const delivery = receiver.received.find((r) => r.body.includes(created.id))!;
    const payload = new Webhook(created.webhookSecret!).verify(
      delivery.body,
      delivery.webhookHeaders,
    ) as { type: string };
    expect(payload.type).toBe('job.completed');
  });

  it('does not show the secret again on an Idempotency-Key replay', async () => {
    const json = { requests: [request('replayed')], callbackUrl: receiver.url };
    const headers = { 'idempotency-key': 'callback-replay' };
    const first = await api.call('POST', '/v1/jobs', { json, headers });
    const again = await api.call('POST', '/v1/jobs', { json, headers });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(((await first.json()) as { webhookSecret?: string }).webhookSecret).toMatch(/^whsec_/);
    expect(await again.json()).not.toHaveProperty('webhookSecret');
  });

  it('does not echo a secret the caller gave', async () => {
    const response = await api.call('POST', '/v1/jobs', {
      json: {
        requests: [request('own-secret')],
        callbackUrl: receiver.url,
        webhookSecret: generateWebhookSecret(),
      },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).not.toHaveProperty('webhookSecret');
  });
});
