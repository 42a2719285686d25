import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../src/webhooks/index.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('a job’s callback webhook', () => {
  let bed: TestBed;
  let receiver: Server;
  let url: string;
  const received: Received[] = [];

  beforeAll(async () => {
    bed = await TestBed.open();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await bed.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('receives the terminal status, signed the Standard Webhooks way with the job’s secret', async () => {
    const secret = generateWebhookSecret();
    const manager = bed.manager({ webhookAllow: '127.0.0.1' });
    const { id } = await manager.createJob({
      requests: [request('hooked')],
      callbackUrl: url,
      webhookSecret: secret,
    });
    await waitForStatus(manager, id, ['completed']);
    await waitUntil(() => received.some((r) => r.body.includes(id)));

    const delivery = received.find((r) => r.body.includes(id))!;
    const payload = new Webhook(secret).verify(delivery.body, {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    }) as {
      type: string;
      data: { id: string; status: string; progress: { percentComplete: number } };
    };
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
