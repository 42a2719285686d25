import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhooks/support/webhook-receiver.js';
import { testWebhookSettings } from '../webhooks/support/webhook-test-settings.js';
import { DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

interface DeliveryJson {
  id: string;
  status: string;
  attemptCount: number;
}

describe("the job page's webhook deliveries", () => {
  const settings = testWebhookSettings();
  let server: DashboardServer;
  let browser: Browser;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    [server, browser] = await Promise.all([
      DashboardServer.start({
        manager: { webhookSettings: settings, webhookPollMs: 20, webhookListeningPollMs: 20 },
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  async function deliveryOf(jobId: string): Promise<DeliveryJson | undefined> {
    const page = await server.apiJson<{ deliveries: DeliveryJson[] }>(
      'GET',
      `/v1/webhooks/deliveries?jobId=${jobId}`,
    );
    return page.deliveries[0];
  }

  it('lists a dead delivery with its attempts and sends it again after a confirmation', async () => {
    receiver.replyWith(() => ({ status: 500, body: 'receiver down' }));
    const job = await server.createJob({ count: 1, callbackUrl: receiver.url });
    await server.waitForJob(job.id, ['processing'], 'waiting');
    server.finishBatches();
    await server.waitForJob(job.id, ['completed']);
    // Each failed attempt waits longer than the last (up to 10 h): the relay's clock is moved on.
    let delivery = await deliveryOf(job.id);
    while (delivery?.status !== 'dead') {
      settings.clock.advance(11 * 3600 * 1000);
      await new Promise((resolve) => setTimeout(resolve, 30));
      delivery = await deliveryOf(job.id);
    }

    const { page, close } = await (async () => {
      const opened = await openPage(browser);
      await opened.page.goto(`${server.url}/#/jobs/${job.id}`);
      return { page: opened.page, close: () => opened.context.close() };
    })();
    const item = page.locator('.delivery.delivery-dead');
    await item.waitFor();
    expect(await item.textContent()).toContain(`${delivery.attemptCount} attempts`);
    await item.locator('summary', { hasText: 'Attempts' }).click();
    expect(await item.locator('.attempts li').count()).toBe(delivery.attemptCount);

    receiver.replyWith(() => ({ status: 204 }));
    await item.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Retry' }).click();
    await page.locator('.delivery.delivery-delivered').waitFor();
    expect((await deliveryOf(job.id))?.status).toBe('delivered');
    await close();
  });
});
