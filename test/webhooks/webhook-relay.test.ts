import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookDeliveries } from '../../src/observability/metrics.js';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import type { Db } from '../../src/store/schema/index.js';
import {
  type ClaimedDelivery,
  claimDueDeliveries,
} from '../../src/webhooks/claim-due-deliveries.js';
import { enqueueJobWebhooks } from '../../src/webhooks/enqueue-job-webhooks.js';
import { listDeliveries } from '../../src/webhooks/list-deliveries.js';
import { listWebhooks } from '../../src/webhooks/list-webhooks.js';
import {
  type DeliveryAttemptRecord,
  recordDeliveryAttempts,
} from '../../src/webhooks/record-delivery-attempts.js';
import { registerBatchWebhook } from '../../src/webhooks/register-batch-webhook.js';
import { registerJobCallback } from '../../src/webhooks/register-job-callback.js';
import { retryDelivery } from '../../src/webhooks/retry-delivery.js';
import { MAX_ATTEMPTS, type NextStep } from '../../src/webhooks/retry-policy.js';
import { rotateWebhookSecret } from '../../src/webhooks/rotate-webhook-secret.js';
import { createAesGcmSecretCipher } from '../../src/webhooks/secret-cipher.js';
import { EMPTY_ALLOW_LIST } from '../../src/webhooks/webhook-allow-list.js';
import type { JobEventType } from '../../src/webhooks/webhook-event-types.js';
import { relayOnce, type WebhookRelayOptions } from '../../src/webhooks/webhook-relay.js';
import { openTestDatabase } from '../support/database.js';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from './support/webhook-receiver.js';
import { testWebhookSettings } from './support/webhook-test-settings.js';

let handle: DatabaseHandle;
let db: Db;
let receiver: WebhookReceiver;
let settings = testWebhookSettings();
let tenantCount = 0;
const newTenant = () => `tenant-${++tenantCount}`;

beforeAll(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  // Whatever a test left due must not leak into the next one's rounds.
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'dead' })
    .where('status', '=', 'pending')
    .execute();
  receiver.received.length = 0;
  receiver.replyWith(() => ({ status: 204 }));
  await receiver.up();
  settings = testWebhookSettings();
});
afterAll(async () => {
  await receiver.close();
  await handle.close();
});

const relay = (overrides: Partial<WebhookRelayOptions> = {}) =>
  relayOnce({
    db,
    instanceId: 'relay-a',
    allowList: settings.allowList,
    clock: settings.clock,
    cipher: settings.cipher,
    random: () => 0.5,
    ...overrides,
  });

/** A job with its own callback to the receiver; returns the callback's secret. */
const jobWithCallback = async (tenant: string, jobId: string) =>
  (
    await db
      .transaction()
      .execute((trx) => registerJobCallback(trx, { tenant, jobId, url: receiver.url }, settings))
  ).secret;

const finishJob = (tenant: string, jobId: string, type: JobEventType = 'job.completed') =>
  db.transaction().execute((trx) =>
    enqueueJobWebhooks(trx, {
      tenant,
      jobId,
      type,
      data: { id: jobId, status: type.slice(4), progress: { percentComplete: 100 } },
      occurredAt: settings.clock.now(),
    }),
  );

const deliveriesOf = async (tenant: string) =>
  (await listDeliveries(db, { tenant, limit: 200 })).deliveries;
const onlyDelivery = async (tenant: string) => {
  const deliveries = await deliveriesOf(tenant);
  expect(deliveries).toHaveLength(1);
  return deliveries[0]!;
};
/** Moves the clock to when the delivery's next attempt is due. */
const advanceToNextAttempt = async (tenant: string) => {
  const { nextAttemptAt } = await onlyDelivery(tenant);
  settings.clock.set(nextAttemptAt!);
};

describe('the webhook relay', () => {
  it("delivers a job's terminal event to its callback, signed so the reference library verifies it", async () => {
    const tenant = newTenant();
    const secret = await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    expect(await relay()).toMatchObject({ claimed: 1, delivered: 1 });
    const [request] = receiver.received;
    const payload = new Webhook(secret).verify(request!.body, request!.webhookHeaders);
    expect(payload).toEqual({
      type: 'job.completed',
      timestamp: settings.clock.now().toISOString(),
      data: { id: 'job-1', status: 'completed', progress: { percentComplete: 100 } },
    });
  });

  it('uses the delivery id as webhook-id', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    await relay();
    expect(receiver.received[0]?.headers['webhook-id']).toBe((await onlyDelivery(tenant)).id);
  });

  it('records the attempt: time, status code, duration and what the receiver said', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 200, body: 'ok, got it' }));
    await relay();
    const delivery = await onlyDelivery(tenant);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 1, nextAttemptAt: null });
    expect(delivery.attempts).toEqual([
      {
        attemptNumber: 1,
        attemptedAt: settings.clock.now(),
        durationMs: expect.any(Number),
        statusCode: 200,
        error: null,
        responseExcerpt: 'ok, got it',
        instanceId: 'relay-a',
      },
    ]);
  });

  it('sends nothing that is not due yet', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 500 }));
    await relay();
    settings.clock.advance(4_000 - 1);
    expect(await relay()).toMatchObject({ claimed: 0 });
  });

  it('gets the message to a receiver that was down, with the same webhook-id every time', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 503 }));
    await relay();
    await receiver.down();
    await advanceToNextAttempt(tenant);
    expect(await relay()).toMatchObject({ retrying: 1 });
    await receiver.up();
    receiver.replyWith(() => ({ status: 200 }));
    await advanceToNextAttempt(tenant);
    expect(await relay()).toMatchObject({ delivered: 1 });

    const delivery = await onlyDelivery(tenant);
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([
      delivery.id,
      delivery.id,
    ]);
    expect(delivery.attempts.map((a) => a.statusCode ?? a.error)).toEqual([
      503,
      expect.stringMatching(/ECONNREFUSED/),
      200,
    ]);
  });

  it('makes a delivery dead after the whole schedule, then delivers it on a manual retry', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1', 'job.failed');
    receiver.replyWith(() => ({ status: 500 }));
    const started = settings.clock.now().getTime();
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      expect(await relay()).toMatchObject({ retrying: 1 });
      await advanceToNextAttempt(tenant);
    }
    expect(await relay()).toMatchObject({ dead: 1 });

    const dead = await onlyDelivery(tenant);
    expect(dead).toMatchObject({
      status: 'dead',
      attemptCount: 8,
      lastError: 'the receiver answered HTTP 500',
    });
    const waits = dead.attempts.map((a) => a.attemptedAt.getTime() - started);
    // The schedule's steps add up: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (jitter held at 0).
    expect(waits).toEqual([0, 5e3, 305e3, 2_105e3, 9_305e3, 27_305e3, 63_305e3, 99_305e3]);
    settings.clock.advance(24 * 3600 * 1000);
    expect(await relay()).toMatchObject({ claimed: 0 });

    receiver.replyWith(() => ({ status: 200 }));
    await retryDelivery(db, { tenant, id: dead.id }, settings);
    expect(await relay()).toMatchObject({ delivered: 1 });
    expect(await onlyDelivery(tenant)).toMatchObject({ status: 'delivered', attemptCount: 9 });
    expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(dead.id);
  });

  it('gives a dead delivery retried by hand one attempt, then it is dead again', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 410 }));
    await relay();
    await db
      .updateTable('webhook_endpoints')
      .set({ disabled_at: null })
      .where('tenant', '=', tenant)
      .execute();
    receiver.replyWith(() => ({ status: 500 }));
    const { id } = await onlyDelivery(tenant);
    await retryDelivery(db, { tenant, id }, settings);
    expect(await relay()).toMatchObject({ dead: 1 });
  });

  it("redelivers a delivery whose relay crashed after claiming it, once the claim's lease lapses", async () => {
    const tenant = newTenant();
    const secret = await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    const leaseMs = 60_000;
    const [claimed] = await db.transaction().execute((trx) =>
      claimDueDeliveries(trx, {
        instanceId: 'crashed',
        now: settings.clock.now(),
        leaseMs,
        limit: 10,
      }),
    );
    expect(claimed).toBeDefined();

    expect(await relay({ leaseMs })).toMatchObject({ claimed: 0 });
    settings.clock.advance(leaseMs);
    expect(await relay({ leaseMs })).toMatchObject({ claimed: 1, delivered: 1 });
    const [request] = receiver.received;
    expect(request?.headers['webhook-id']).toBe(claimed!.delivery.id);
    expect(() => new Webhook(secret).verify(request!.body, request!.webhookHeaders)).not.toThrow();
  });

  it('keeps no record from a relay whose claim lapsed and was taken over', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    // The slow relay claims and sends, but its answer comes after its lease ran out.
    let release = () => {};
    receiver.replyWith(() => new Promise((resolve) => (release = () => resolve({ status: 200 }))));
    const slow = relay({ instanceId: 'slow', leaseMs: 60_000 });
    await waitUntil(() => receiver.received.length === 1);
    settings.clock.advance(60_000);
    receiver.replyWith(() => ({ status: 200 }));
    expect(await relay({ instanceId: 'fast' })).toMatchObject({ delivered: 1 });
    release();
    expect(await slow).toMatchObject({ lost: 1 });
    expect((await onlyDelivery(tenant)).attempts.map((a) => a.instanceId)).toEqual(['fast']);
  });

  it('never has two relays send one delivery at the same time', async () => {
    const tenant = newTenant();
    await registerBatchWebhook(
      db,
      { tenant, url: receiver.url, events: ['job.completed'] },
      settings,
    );
    for (let job = 1; job <= 40; job++) await finishJob(tenant, `job-${job}`);
    // On a real Postgres the second relay has a pool of its own, as another instance would.
    const other = handle.url ? await createDatabase({ databaseUrl: handle.url }) : undefined;
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    receiver.replyWith(async (request) => {
      const id = String(request.headers['webhook-id']);
      if (inFlight.has(id)) overlaps.push(id);
      inFlight.add(id);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight.delete(id);
      return { status: 200 };
    });
    try {
      const rounds = (instanceId: string, relayDb: Db) => async () => {
        for (let round = 0; round < 10; round++)
          await relay({ instanceId, db: relayDb, concurrency: 3 });
      };
      await Promise.all([rounds('relay-a', db)(), rounds('relay-b', other?.db ?? db)()]);
    } finally {
      await other?.close();
    }
    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(overlaps).toEqual([]);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    const deliveries = await deliveriesOf(tenant);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts.length === 1)).toBe(true);
    expect(new Set(deliveries.map((d) => d.attempts[0]!.instanceId))).toEqual(
      new Set(['relay-a', 'relay-b']),
    );
  });

  it('disables a subscription whose receiver answers 410 Gone', async () => {
    const tenant = newTenant();
    const { subscription } = await registerBatchWebhook(
      db,
      { tenant, url: receiver.url, events: ['job.completed'] },
      settings,
    );
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 410 }));
    expect(await relay()).toMatchObject({ dead: 1 });
    expect(await listWebhooks(db, { tenant })).toMatchObject([
      { id: subscription.id, disabledReason: 'the receiver answered 410 Gone' },
    ]);
    expect(await finishJob(tenant, 'job-2')).toBe(0);
  });

  it('waits as long as a 429 says in Retry-After', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 429, headers: { 'retry-after': '300' } }));
    await relay();
    expect((await onlyDelivery(tenant)).nextAttemptAt).toEqual(
      new Date(settings.clock.now().getTime() + 300_000),
    );
  });

  it('signs with the new and the old secret during a rotation, then with the new one only', async () => {
    const tenant = newTenant();
    const first = await registerBatchWebhook(
      db,
      { tenant, url: receiver.url, events: ['job.completed'] },
      settings,
    );
    const rotated = await rotateWebhookSecret(
      db,
      { tenant, id: first.subscription.id, graceMs: 3_600_000 },
      settings,
    );
    await finishJob(tenant, 'job-1');
    await relay();
    const during = receiver.received[0]!;
    expect(() =>
      new Webhook(first.secret).verify(during.body, during.webhookHeaders),
    ).not.toThrow();
    expect(() =>
      new Webhook(rotated.secret).verify(during.body, during.webhookHeaders),
    ).not.toThrow();

    settings.clock.advance(3_600_000);
    await finishJob(tenant, 'job-2');
    await relay();
    const afterwards = receiver.received[1]!;
    expect(signedBy(rotated.secret, afterwards)).toBe(true);
    expect(signedBy(first.secret, afterwards)).toBe(false);
  });

  it('signs with a secret stored encrypted', async () => {
    settings = testWebhookSettings(createAesGcmSecretCipher(randomBytes(32)));
    const tenant = newTenant();
    const secret = await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    expect(await relay()).toMatchObject({ delivered: 1 });
    const [request] = receiver.received;
    expect(() => new Webhook(secret).verify(request!.body, request!.webhookHeaders)).not.toThrow();
  });

  it('records a secret it cannot read as a failed attempt and delivers the rest', async () => {
    const tenant = newTenant();
    const sealedElsewhere = { ...settings, cipher: createAesGcmSecretCipher(randomBytes(32)) };
    await db
      .transaction()
      .execute((trx) =>
        registerJobCallback(trx, { tenant, jobId: 'job-1', url: receiver.url }, sealedElsewhere),
      );
    await jobWithCallback(tenant, 'job-2');
    await finishJob(tenant, 'job-1');
    await finishJob(tenant, 'job-2');
    expect(await relay()).toMatchObject({ claimed: 2, delivered: 1, retrying: 1 });
    const unreadable = (await deliveriesOf(tenant)).find((d) => d.jobId === 'job-1');
    expect(unreadable?.attempts[0]?.error).toMatch(/BATCHKEEPER_ENCRYPTION_KEY is not set/);
    expect(receiver.received).toHaveLength(1);
  });

  it('counts each attempt in the metrics by outcome', async () => {
    const before = await Promise.all(['delivered', 'failed', 'refused'].map(attemptsCounted));
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    receiver.replyWith(() => ({ status: 500 }));
    await relay();
    await advanceToNextAttempt(tenant);
    await relay({ allowList: EMPTY_ALLOW_LIST });
    await advanceToNextAttempt(tenant);
    receiver.replyWith(() => ({ status: 200 }));
    await relay();
    const after = await Promise.all(['delivered', 'failed', 'refused'].map(attemptsCounted));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1]);
  });

  it('refuses, at send time, a private address that is not allow-listed', async () => {
    const tenant = newTenant();
    await jobWithCallback(tenant, 'job-1');
    await finishJob(tenant, 'job-1');
    expect(await relay({ allowList: EMPTY_ALLOW_LIST })).toMatchObject({ retrying: 1 });
    expect((await onlyDelivery(tenant)).lastError).toMatch(/refused to connect to 127\.0\.0\.1/);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('recording attempts', () => {
  const claimAll = async (instanceId: string) =>
    claimDueDeliveries(db, { instanceId, now: settings.clock.now(), leaseMs: 60_000, limit: 50 });
  const recordOf = (
    c: ClaimedDelivery,
    next: NextStep,
    statusCode: number,
  ): DeliveryAttemptRecord => ({
    deliveryId: c.delivery.id,
    claimToken: c.claimToken,
    instanceId: 'relay-a',
    attemptNumber: c.delivery.attempt_count + 1,
    attemptedAt: settings.clock.now(),
    durationMs: 3,
    statusCode,
    error: null,
    responseExcerpt: `answer ${statusCode}`,
    next,
    now: settings.clock.now(),
  });

  it('records many attempts in one statement, leaving out those whose claim lapsed', async () => {
    const tenant = newTenant();
    await registerBatchWebhook(
      db,
      { tenant, url: receiver.url, events: ['job.completed'] },
      settings,
    );
    for (let job = 1; job <= 3; job++) await finishJob(tenant, `job-${job}`);
    const [delivered, retrying, lapsed] = await claimAll('relay-a');
    const retryAt = new Date(settings.clock.now().getTime() + 5_000);
    const recorded = await db
      .transaction()
      .execute((trx) =>
        recordDeliveryAttempts(trx, [
          recordOf(delivered!, { status: 'delivered' }, 200),
          recordOf(retrying!, { status: 'pending', nextAttemptAt: retryAt }, 503),
          { ...recordOf(lapsed!, { status: 'delivered' }, 200), claimToken: 'someone-elses' },
        ]),
      );
    expect(recorded).toEqual(new Set([delivered!.delivery.id, retrying!.delivery.id]));
    const byId = new Map((await deliveriesOf(tenant)).map((d) => [d.id, d]));
    expect(byId.get(delivered!.delivery.id)).toMatchObject({
      status: 'delivered',
      attemptCount: 1,
      attempts: [{ statusCode: 200, responseExcerpt: 'answer 200', instanceId: 'relay-a' }],
    });
    expect(byId.get(retrying!.delivery.id)).toMatchObject({
      status: 'pending',
      nextAttemptAt: retryAt,
      lastError: 'the receiver answered HTTP 503',
      attempts: [{ statusCode: 503 }],
    });
    expect(byId.get(lapsed!.delivery.id)).toMatchObject({ status: 'pending', attempts: [] });
    // Recorded claims are released; the lapsed one is still held by its claim.
    settings.clock.set(retryAt);
    expect((await claimAll('relay-b')).map((c) => c.delivery.id)).toEqual([retrying!.delivery.id]);
  });

  it('disables the endpoint of a 410 recorded among others', async () => {
    const tenant = newTenant();
    const { subscription } = await registerBatchWebhook(
      db,
      { tenant, url: receiver.url, events: ['job.completed'] },
      settings,
    );
    for (let job = 1; job <= 3; job++) await finishJob(tenant, `job-${job}`);
    const [gone, delivered] = await claimAll('relay-a');
    await db
      .transaction()
      .execute((trx) =>
        recordDeliveryAttempts(trx, [
          recordOf(gone!, { status: 'dead', disableEndpoint: true }, 410),
          recordOf(delivered!, { status: 'delivered' }, 200),
        ]),
      );
    expect(await listWebhooks(db, { tenant })).toMatchObject([
      { id: subscription.id, disabledReason: 'the receiver answered 410 Gone' },
    ]);
    const statuses = new Map((await deliveriesOf(tenant)).map((d) => [d.id, d.status]));
    expect(statuses.get(gone!.delivery.id)).toBe('dead');
    expect(statuses.get(delivered!.delivery.id)).toBe('delivered');
  });

  it('records every attempt of a round of the relay', async () => {
    const tenant = newTenant();
    await registerBatchWebhook(
      db,
      { tenant, url: receiver.url, events: ['job.completed'] },
      settings,
    );
    for (let job = 1; job <= 12; job++) await finishJob(tenant, `job-${job}`);
    expect(await relay({ concurrency: 12 })).toMatchObject({ claimed: 12, delivered: 12 });
    const deliveries = await deliveriesOf(tenant);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts.length === 1)).toBe(true);
  });
});

/** True when one of the request's signatures is the reference library's for `secret`. */
function signedBy(secret: string, request: ReceivedRequest): boolean {
  const {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures,
  } = request.webhookHeaders;
  const expected = new Webhook(secret).sign(id, new Date(Number(timestamp) * 1000), request.body);
  return signatures.split(' ').includes(expected);
}

/** The webhook deliveries counter's value for one outcome. */
async function attemptsCounted(outcome: string): Promise<number> {
  const { values } = await webhookDeliveries.get();
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
