import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../src/webhooks/index.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhooks/support/webhook-receiver.js';

interface Payload {
  type: string;
  data: { id: string; status?: string; note?: string; progress?: { percentComplete: number } };
}

let bed: TestBed;
let receiver: WebhookReceiver;

beforeAll(async () => {
  bed = await TestBed.open();
  receiver = await startWebhookReceiver('/hooks');
});
afterAll(async () => {
  await bed.close();
  await receiver.close();
});

/** The first message that names `text`, once it has arrived. */
async function deliveryNaming(text: string): Promise<ReceivedRequest> {
  await waitUntil(() => receiver.received.some((r) => r.body.includes(text)));
  return receiver.received.find((r) => r.body.includes(text))!;
}

const verify = (secret: string, delivery: ReceivedRequest) =>
  new Webhook(secret).verify(delivery.body, delivery.webhookHeaders) as Payload;

describe('a job’s callback webhook', () => {
  it('receives the terminal status, signed the Standard Webhooks way with the job’s secret', async () => {
    const secret = generateWebhookSecret();
    const manager = bed.manager({ webhookAllow: '127.0.0.1' });
    const { id } = await manager.createJob({
      requests: [request('hooked')],
      callbackUrl: receiver.url,
      webhookSecret: secret,
    });
    await waitForStatus(manager, id, ['completed']);

    const payload = verify(secret, await deliveryNaming(id));
    expect(payload.type).toBe('job.completed');
    expect(payload.data).toMatchObject({
      id,
      status: 'completed',
      progress: { percentComplete: 100 },
    });
  });

  it('refuses a callback to a private address that is not allowed, creating nothing', async () => {
    const manager = bed.manager({ tenant: 'ssrf', worker: false });
    await expect(
      manager.createJob({
        requests: [request('private')],
        callbackUrl: 'http://169.254.169.254/latest',
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await manager.listJobs()).total).toBe(0);
  });
});

describe('webhook subscriptions through the library', () => {
  it("registers a subscription to one job and receives that job's completion", async () => {
    const manager = bed.manager({ tenant: 'subscriber', webhookAllow: '127.0.0.1' });
    const { id } = await manager.createJob({ requests: [request('watched')] });
    const { subscription, secret } = await manager.registerBatchWebhook({
      url: receiver.url,
      events: ['job.completed'],
      jobId: id,
    });
    expect(subscription).toMatchObject({ jobId: id, events: ['job.completed'] });
    await waitForStatus(manager, id, ['completed']);
    const payload = verify(secret, await deliveryNaming(id));
    expect(payload).toMatchObject({ type: 'job.completed', data: { id, status: 'completed' } });
  });

  it('refuses a subscription to a job of another tenant', async () => {
    const { id } = await bed.manager({ tenant: 'owner', worker: false }).createJob({
      requests: [request('not-yours')],
    });
    const other = bed.manager({ tenant: 'intruder', worker: false, webhookAllow: '127.0.0.1' });
    await expect(
      other.registerBatchWebhook({ url: receiver.url, events: ['job.completed'], jobId: id }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await other.forTenant('intruder').webhooks.listWebhooks()).toEqual([]);
  });

  it('triggers an event to a subscription now, signed with its secret', async () => {
    const manager = bed.manager({ tenant: 'trigger', webhookAllow: '127.0.0.1' });
    const { subscription, secret } = await manager.registerBatchWebhook({
      url: receiver.url,
      events: ['job.failed'],
    });
    const { deliveryIds } = await manager.triggerBatchWebhook({
      subscriptionId: subscription.id,
      type: 'job.completed',
      data: { id: 'job-by-hand', note: 'sent by hand' },
    });
    expect(deliveryIds).toHaveLength(1);
    const payload = verify(secret, await deliveryNaming('job-by-hand'));
    expect(payload).toMatchObject({ type: 'job.completed', data: { note: 'sent by hand' } });
  });

  it('deletes a subscription, which is then no longer listed', async () => {
    const manager = bed.manager({ tenant: 'deleter', worker: false, webhookAllow: '127.0.0.1' });
    const { webhooks } = manager.forTenant('deleter');
    const { subscription } = await webhooks.registerBatchWebhook({
      url: receiver.url,
      events: ['job.failed'],
    });
    expect((await webhooks.listWebhooks()).map((w) => w.id)).toEqual([subscription.id]);
    await webhooks.deleteWebhook(subscription.id);
    expect(await webhooks.listWebhooks()).toEqual([]);
  });
});
