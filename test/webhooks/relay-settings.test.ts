import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookManagerOptions } from '../../src/cli/serve/webhook-manager-options.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { BatchJobManager } from '../../src/manager/batch-job-manager.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import {
  DEFAULT_RELAY_CONCURRENCY,
  DEFAULT_RELAY_LISTENING_POLL_MS,
  DEFAULT_RELAY_POLL_MS,
} from '../../src/webhooks/webhook-relay.js';
import { openTestDatabase } from '../support/database.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

describe("serve's webhook settings", () => {
  it("default to the relay's own: 32 deliveries at once, a 1 s poll, 5 s while wake-ups arrive", () => {
    expect(loadConfig({}).webhookRelay).toEqual({
      concurrency: 32,
      pollMs: 1000,
      listeningPollMs: 5000,
    });
    expect([
      DEFAULT_RELAY_CONCURRENCY,
      DEFAULT_RELAY_POLL_MS,
      DEFAULT_RELAY_LISTENING_POLL_MS,
    ]).toEqual([32, 1000, 5000]);
  });

  it('are read from BATCHKEEPER_WEBHOOK_CONCURRENCY, _POLL_MS and _LISTENING_POLL_MS', () => {
    const config = loadConfig({
      BATCHKEEPER_WEBHOOK_CONCURRENCY: '64',
      BATCHKEEPER_WEBHOOK_POLL_MS: '250',
      BATCHKEEPER_WEBHOOK_LISTENING_POLL_MS: '2000',
    });
    expect(config.webhookRelay).toEqual({ concurrency: 64, pollMs: 250, listeningPollMs: 2000 });
  });

  it('refuse a concurrency of 0', () => {
    expect(() => loadConfig({ BATCHKEEPER_WEBHOOK_CONCURRENCY: '0' })).toThrow(ConfigError);
  });

  it('build the allow-list and the cipher once, from the config', () => {
    const options = webhookManagerOptions(
      loadConfig({
        BATCHKEEPER_WEBHOOK_ALLOW: '127.0.0.1,hooks.internal',
        BATCHKEEPER_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      }),
    );
    expect([...options.webhookSettings!.allowList.hosts]).toEqual(['hooks.internal']);
    expect(options.webhookSettings!.cipher.seal('whsec_x', 'ep_1')).toMatch(/^enc:v1:/);
  });

  describe('given to the manager', () => {
    let handle: DatabaseHandle;
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      handle = await openTestDatabase();
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await receiver.close();
      await handle.close();
    });

    it('make its relay send BATCHKEEPER_WEBHOOK_CONCURRENCY deliveries at once, with the settings serve built', async () => {
      const options = webhookManagerOptions(
        loadConfig({
          BATCHKEEPER_WEBHOOK_CONCURRENCY: '2',
          BATCHKEEPER_WEBHOOK_ALLOW: '127.0.0.1',
          BATCHKEEPER_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        }),
      );
      const releases: (() => void)[] = [];
      receiver.replyWith(
        () => new Promise((resolve) => releases.push(() => resolve({ status: 204 }))),
      );
      const manager = new BatchJobManager({
        database: handle,
        worker: false,
        webhookRelay: true,
        anthropic: { apiKey: 'unused', baseURL: 'http://127.0.0.1:9' },
        ...options,
      });
      try {
        expect(manager.webhookSettings).toBe(options.webhookSettings);
        const { subscription } = await manager.registerBatchWebhook({
          url: receiver.url,
          events: ['job.completed'],
        });
        const id = subscription.id;
        for (let i = 0; i < 8; i++) {
          await manager.triggerBatchWebhook({
            subscriptionId: id,
            type: 'job.completed',
            data: {},
          });
        }
        const claimed = async () =>
          (
            await handle.db
              .selectFrom('webhook_deliveries')
              .select('claim_token')
              .where('endpoint_id', '=', id)
              .execute()
          ).filter((row) => row.claim_token !== null).length;
        // Two sent, four claimed ahead (twice as many again), the other two left for later.
        await until(() => receiver.received.length === 2);
        await until(async () => (await claimed()) === 6);
        expect(receiver.received).toHaveLength(2);
        const endpoint = await handle.db
          .selectFrom('webhook_endpoints')
          .select('secret')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(endpoint.secret).toMatch(/^enc:v1:/);

        receiver.replyWith(() => ({ status: 204 }));
        for (const release of releases.splice(0)) release();
        await until(() => receiver.received.length === 8);
      } finally {
        for (const release of releases) release();
        await manager.close();
      }
    });
  });
});

/** Resolves once `condition` holds, looking again every few milliseconds. */
async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
