import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { enqueueJobWebhooks } from '../../src/webhooks/enqueue-job-webhooks.js';
import { insertDeliveries } from '../../src/webhooks/insert-deliveries.js';
import { listDeliveries } from '../../src/webhooks/list-deliveries.js';
import { registerBatchWebhook } from '../../src/webhooks/register-batch-webhook.js';
import { registerJobCallback } from '../../src/webhooks/register-job-callback.js';
import {
  type RelayLogger,
  startWebhookRelay,
  type WebhookRelayOptions,
} from '../../src/webhooks/webhook-relay.js';
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

  describe('claiming continuously', () => {
    let tenants = 0;
    const settings = testWebhookSettings();
    /** A subscription of a new tenant to `url`; returns a function writing n messages to it. */
    const subscribe = async (url: string) => {
      const tenant = `continuous-${++tenants}`;
      const { subscription } = await registerBatchWebhook(
        handle.db,
        { tenant, url, events: ['job.completed'] },
        settings,
      );
      const write = (count: number) =>
        insertDeliveries(handle.db, {
          tenant,
          endpointIds: Array.from({ length: count }, () => subscription.id),
          jobId: null,
          type: 'job.completed',
          body: '{"type":"job.completed"}',
          dueAt: settings.clock.now(),
        });
      const statuses = async () =>
        (await listDeliveries(handle.db, { tenant, limit: 100 })).deliveries.map((d) => d.status);
      return { tenant, write, statuses };
    };
    // No poll would come during a test: the relay claims because it is woken, as NOTIFY does.
    const start = (overrides: Partial<WebhookRelayOptions> = {}) =>
      startWebhookRelay({
        db: handle.db,
        instanceId: 'continuous',
        allowList: settings.allowList,
        clock: settings.clock,
        pollMs: 60_000,
        ...overrides,
      });

    it('keeps sending to other receivers while one holds its answer', async () => {
      const slow = await startWebhookReceiver();
      const fast = await startWebhookReceiver();
      let release = () => {};
      const held = new Promise<void>((arrived) =>
        slow.replyWith(
          () =>
            new Promise((resolve) => {
              release = () => resolve({ status: 200 });
              arrived();
            }),
        ),
      );
      const toSlow = await subscribe(slow.url);
      const toFast = await subscribe(fast.url);
      const relay = start({ concurrency: 2 });
      try {
        await toSlow.write(1);
        relay.wake();
        await held;
        await toFast.write(5);
        relay.wake();
        // Rounds of two would wait for the slow answer; one slot carries all five meanwhile.
        await until(async () => (await toFast.statuses()).every((s) => s === 'delivered'));
        expect(await toFast.statuses()).toHaveLength(5);
        expect(await toSlow.statuses()).toEqual(['pending']);
        release();
        await until(async () => (await toSlow.statuses())[0] === 'delivered');
      } finally {
        release();
        await relay.stop();
        await slow.close();
        await fast.close();
      }
    });

    const claimedOf = async (tenant: string) =>
      (
        await handle.db
          .selectFrom('webhook_deliveries')
          .select('claim_token')
          .where('tenant', '=', tenant)
          .execute()
      ).filter((row) => row.claim_token !== null).length;

    it('sends at most `concurrency` at once, and claims at most twice as many again ahead', async () => {
      const receiver = await startWebhookReceiver();
      const releases: (() => void)[] = [];
      receiver.replyWith(
        () => new Promise((resolve) => releases.push(() => resolve({ status: 204 }))),
      );
      const to = await subscribe(receiver.url);
      const relay = start({ concurrency: 3 });
      try {
        await to.write(10);
        relay.wake();
        await until(() => receiver.received.length === 3);
        await until(async () => (await claimedOf(to.tenant)) === 9);
        expect(receiver.received).toHaveLength(3);
        // Answers free the slots; the rest are claimed and sent as they do.
        receiver.replyWith(() => ({ status: 204 }));
        for (const release of releases.splice(0)) release();
        await until(async () => (await to.statuses()).every((s) => s === 'delivered'));
        expect(receiver.received).toHaveLength(10);
      } finally {
        for (const release of releases) release();
        await relay.stop();
        await receiver.close();
      }
    });

    it('hands back, when it stops, the deliveries it claimed ahead', async () => {
      const receiver = await startWebhookReceiver();
      let release = () => {};
      receiver.replyWith(
        () => new Promise((resolve) => (release = () => resolve({ status: 204 }))),
      );
      const to = await subscribe(receiver.url);
      const relay = start({ concurrency: 1 });
      await to.write(4);
      relay.wake();
      await until(() => receiver.received.length === 1);
      await until(async () => (await claimedOf(to.tenant)) === 3);
      const stopped = relay.stop();
      release();
      await stopped;
      await receiver.close();
      expect((await to.statuses()).sort()).toEqual(['delivered', 'pending', 'pending', 'pending']);
      expect(await claimedOf(to.tenant)).toBe(0);
    });

    it('sends over kept-alive connections, no more of them than deliveries in flight', async () => {
      const receiver = await startWebhookReceiver();
      const to = await subscribe(receiver.url);
      const relay = start({ concurrency: 4 });
      try {
        await to.write(40);
        relay.wake();
        await until(async () => (await to.statuses()).every((s) => s === 'delivered'));
      } finally {
        await relay.stop();
        await receiver.close();
      }
      expect(receiver.received).toHaveLength(40);
      expect(receiver.connections).toBeLessThanOrEqual(4);
    });

    it('records every attempt in flight before it stops', async () => {
      const receiver = await startWebhookReceiver();
      const to = await subscribe(receiver.url);
      let arrived = () => {};
      const allArrived = new Promise<void>((resolve) => (arrived = resolve));
      receiver.replyWith(() => {
        if (receiver.received.length === 5) arrived();
        return { status: 204 };
      });
      const relay = start({ concurrency: 5 });
      await to.write(5);
      relay.wake();
      await allArrived;
      await relay.stop();
      await receiver.close();
      expect(await to.statuses()).toEqual(Array(5).fill('delivered'));
    });
  });
});

/** Resolves once `condition` holds, looking again every few milliseconds (it waits on the relay, not a time). */
async function until(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
