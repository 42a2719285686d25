import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { enqueueJobWebhooks } from '../../src/webhooks/enqueue-job-webhooks.js';
import { listDeliveries } from '../../src/webhooks/list-deliveries.js';
import { registerJobCallback } from '../../src/webhooks/register-job-callback.js';
import { type RelayLogger, startWebhookRelay } from '../../src/webhooks/webhook-relay.js';
import { openTestDatabase } from '../support/database.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';
import { testWebhookSettings } from './support/webhook-test-settings.js';

/** A logger that keeps what it is told and lets a test wait for the nth warning. */
function recordingLogger() {
  const warnings: { backoffMs?: number; message: string }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const logger: RelayLogger = {
    debug() {},
    error() {},
    warn(fields: object, message?: string) {
      warnings.push({ ...(fields as { backoffMs?: number }), message: message ?? '' });
      for (const waiter of waiters) if (warnings.length >= waiter.count) waiter.resolve();
    },
  } as RelayLogger;
  const warned = (count: number) =>
    new Promise<void>((resolve) => {
      if (warnings.length >= count) return resolve();
      waiters.push({ count, resolve });
    });
  return { logger, warnings, warned };
}

describe('the running webhook relay', () => {
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

  it('delivers what is written to the outbox and stops when asked', async () => {
    const settings = testWebhookSettings();
    const arrived = new Promise<void>((resolve) =>
      receiver.replyWith(() => {
        resolve();
        return { status: 204 };
      }),
    );
    const relay = startWebhookRelay({
      db: handle.db,
      instanceId: 'loop',
      allowList: settings.allowList,
      clock: settings.clock,
      pollMs: 10,
    });
    await handle.db.transaction().execute(async (trx) => {
      await registerJobCallback(trx, { tenant: 't', jobId: 'job-1', url: receiver.url }, settings);
      await enqueueJobWebhooks(trx, {
        tenant: 't',
        jobId: 'job-1',
        type: 'job.expired',
        data: { id: 'job-1' },
        occurredAt: settings.clock.now(),
      });
    });
    await arrived;
    await relay.stop();
    const { deliveries } = await listDeliveries(handle.db, { tenant: 't' });
    expect(deliveries).toMatchObject([{ status: 'delivered', type: 'job.expired' }]);
  });

  it('backs off, doubling its wait, while the database cannot be reached, and still stops', async () => {
    // Nothing listens on port 1: every claim fails to connect.
    const unreachable = await createDatabase({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/none',
    });
    const { logger, warnings, warned } = recordingLogger();
    const relay = startWebhookRelay({
      db: unreachable.db,
      instanceId: 'loop',
      allowList: testWebhookSettings().allowList,
      logger,
      pollMs: 1,
      maxBackoffMs: 4,
    });
    await warned(3);
    await relay.stop();
    await unreachable.close();
    expect(warnings.slice(0, 3).map((w) => w.backoffMs)).toEqual([2, 4, 4]);
    expect(warnings[0]?.message).toMatch(/cannot claim deliveries/);
  });

  it('refuses a lease no longer than one attempt may take', () => {
    const start = () =>
      startWebhookRelay({
        db: handle.db,
        instanceId: 'loop',
        allowList: testWebhookSettings().allowList,
        leaseMs: 15_000,
        timeoutMs: 15_000,
      });
    expect(start).toThrow(/leaseMs \(15000\) must exceed timeoutMs \(15000\)/);
  });
});
