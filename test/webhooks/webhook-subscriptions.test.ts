import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import type { Db } from '../../src/store/schema/index.js';
import { deleteWebhook } from '../../src/webhooks/delete-webhook.js';
import {
  enqueueJobWebhooks,
  type JobWebhookEvent,
} from '../../src/webhooks/enqueue-job-webhooks.js';
import { listDeliveries } from '../../src/webhooks/list-deliveries.js';
import { listWebhooks } from '../../src/webhooks/list-webhooks.js';
import { pingWebhook } from '../../src/webhooks/ping-webhook.js';
import { registerBatchWebhook } from '../../src/webhooks/register-batch-webhook.js';
import { registerJobCallback } from '../../src/webhooks/register-job-callback.js';
import { retryDelivery } from '../../src/webhooks/retry-delivery.js';
import { rotateWebhookSecret } from '../../src/webhooks/rotate-webhook-secret.js';
import { createAesGcmSecretCipher } from '../../src/webhooks/secret-cipher.js';
import { triggerBatchWebhook } from '../../src/webhooks/trigger-batch-webhook.js';
import { WebhookEndpointInactiveError } from '../../src/webhooks/webhook.errors.js';
import { openTestDatabase } from '../support/database.js';
import { insertJobRow } from '../support/job-row.js';
import { testWebhookSettings } from './support/webhook-test-settings.js';

const URL_A = 'http://127.0.0.1:9/a';
const URL_B = 'http://127.0.0.1:9/b';
let handle: DatabaseHandle;
let db: Db;
const settings = testWebhookSettings();
let tenantCount = 0;
/** Each test its own tenant, so tests share the database without seeing each other. */
const newTenant = () => `tenant-${++tenantCount}`;

const enqueue = (event: Omit<JobWebhookEvent, 'data' | 'occurredAt'>) =>
  db.transaction().execute((trx) =>
    enqueueJobWebhooks(trx, {
      ...event,
      data: { id: event.jobId },
      occurredAt: settings.clock.now(),
    }),
  );
const subscribe = (
  tenant: string,
  events: string[],
  extra: { jobId?: string; url?: string } = {},
) =>
  registerBatchWebhook(
    db,
    { tenant, url: extra.url ?? URL_A, events, jobId: extra.jobId },
    settings,
  );
const addCallback = (tenant: string, jobId: string, url = URL_B) =>
  db.transaction().execute((trx) => registerJobCallback(trx, { tenant, jobId, url }, settings));
const deliveriesOf = async (
  tenant: string,
  filter: { status?: 'pending' | 'delivered' | 'dead'; jobId?: string } = {},
) => (await listDeliveries(db, { tenant, limit: 200, ...filter })).deliveries;

beforeAll(async () => {
  handle = await openTestDatabase();
  db = handle.db;
});
afterAll(() => handle.close());

describe('registering a webhook subscription', () => {
  it('returns the subscription and a generated whsec_ secret', async () => {
    const tenant = newTenant();
    const { subscription, secret } = await subscribe(tenant, ['job.completed']);
    expect(secret).toMatch(/^whsec_/);
    expect(subscription).toMatchObject({ url: URL_A, events: ['job.completed'], jobId: null });
    expect(subscription.id).toMatch(/^wh_/);
  });

  it('keeps a secret it is given', async () => {
    const given = `whsec_${randomBytes(32).toString('base64')}`;
    const { secret } = await registerBatchWebhook(
      db,
      { tenant: newTenant(), url: URL_A, events: ['job.failed'], secret: given },
      settings,
    );
    expect(secret).toBe(given);
  });

  it('never shows the secret again', async () => {
    const tenant = newTenant();
    const { secret } = await subscribe(tenant, ['job.completed']);
    const listed = await listWebhooks(db, { tenant });
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed[0]).not.toHaveProperty('secret');
  });

  it('refuses a private URL and writes nothing', async () => {
    const tenant = newTenant();
    const register = registerBatchWebhook(
      db,
      { tenant, url: 'http://10.0.0.8/hook', events: ['job.completed'] },
      settings,
    );
    await expect(register).rejects.toBeInstanceOf(ValidationError);
    expect(await listWebhooks(db, { tenant })).toEqual([]);
  });

  it('refuses an unknown event type', async () => {
    await expect(subscribe(newTenant(), ['job.completed', 'job.exploded'])).rejects.toThrow(
      /unknown event type "job.exploded"/,
    );
  });

  it('subscribes to one job of the tenant', async () => {
    const tenant = newTenant();
    await insertJobRow(db, tenant, `${tenant}-job`);
    const { subscription } = await subscribe(tenant, ['job.completed'], { jobId: `${tenant}-job` });
    expect(subscription.jobId).toBe(`${tenant}-job`);
  });

  it('refuses a job that does not exist, writing nothing', async () => {
    const tenant = newTenant();
    await expect(subscribe(tenant, ['job.completed'], { jobId: 'job-nope' })).rejects.toThrow(
      new NotFoundError('job job-nope not found'),
    );
    expect(await listWebhooks(db, { tenant })).toEqual([]);
  });

  it("refuses another tenant's job as if it did not exist", async () => {
    const owner = newTenant();
    await insertJobRow(db, owner, `${owner}-job`);
    await expect(
      subscribe(newTenant(), ['job.completed'], { jobId: `${owner}-job` }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an empty list of event types', async () => {
    await expect(subscribe(newTenant(), [])).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a secret that is not whsec_ and base64 of 24..64 bytes', async () => {
    const register = registerBatchWebhook(
      db,
      { tenant: newTenant(), url: URL_A, events: ['job.failed'], secret: 'hunter2' },
      settings,
    );
    await expect(register).rejects.toBeInstanceOf(ValidationError);
  });

  it('stores the secret encrypted when a key is set', async () => {
    const encrypted = { ...settings, cipher: createAesGcmSecretCipher(randomBytes(32)) };
    const { subscription, secret } = await registerBatchWebhook(
      db,
      { tenant: newTenant(), url: URL_A, events: ['job.completed'] },
      encrypted,
    );
    const row = await db
      .selectFrom('webhook_endpoints')
      .select('secret')
      .where('id', '=', subscription.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^enc:v1:/);
    expect(row.secret).not.toContain(secret.slice(6));
    expect(encrypted.cipher.open(row.secret, subscription.id)).toBe(secret);
  });
});

describe('listing and deleting subscriptions', () => {
  it("lists the tenant's subscriptions, not another tenant's nor job callbacks", async () => {
    const [tenant, other] = [newTenant(), newTenant()];
    const mine = await subscribe(tenant, ['job.completed']);
    await subscribe(other, ['job.completed']);
    await addCallback(tenant, 'job-1');
    expect((await listWebhooks(db, { tenant })).map((s) => s.id)).toEqual([mine.subscription.id]);
  });

  it('deletes a subscription, which is then no longer listed', async () => {
    const tenant = newTenant();
    const { subscription } = await subscribe(tenant, ['job.completed']);
    await deleteWebhook(db, { tenant, id: subscription.id }, settings);
    expect(await listWebhooks(db, { tenant })).toEqual([]);
  });

  it("treats another tenant's subscription as not found", async () => {
    const { subscription } = await subscribe(newTenant(), ['job.completed']);
    await expect(
      deleteWebhook(db, { tenant: newTenant(), id: subscription.id }, settings),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('makes the pending deliveries of a deleted subscription dead, and keeps them listed', async () => {
    const tenant = newTenant();
    const { subscription } = await subscribe(tenant, ['job.completed']);
    await enqueue({ tenant, jobId: 'job-1', type: 'job.completed' });
    await deleteWebhook(db, { tenant, id: subscription.id }, settings);
    expect(await deliveriesOf(tenant)).toMatchObject([
      {
        status: 'dead',
        lastError: 'the subscription was deleted',
        subscriptionId: subscription.id,
      },
    ]);
  });

  it('rotates the secret, keeping the old one for 24 hours', async () => {
    const tenant = newTenant();
    const first = await subscribe(tenant, ['job.completed']);
    const rotated = await rotateWebhookSecret(db, { tenant, id: first.subscription.id }, settings);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first.secret);
    expect(rotated.subscription.previousSecretExpiresAt).toEqual(
      new Date(settings.clock.now().getTime() + 24 * 3600 * 1000),
    );
  });

  it("refuses to rotate another tenant's secret", async () => {
    const { subscription } = await subscribe(newTenant(), ['job.completed']);
    await expect(
      rotateWebhookSecret(db, { tenant: newTenant(), id: subscription.id }, settings),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('writing job events to the outbox', () => {
  it("writes one delivery for the job's callback on a terminal event", async () => {
    const tenant = newTenant();
    await addCallback(tenant, 'job-1');
    expect(await enqueue({ tenant, jobId: 'job-1', type: 'job.failed' })).toBe(1);
    expect(await deliveriesOf(tenant)).toMatchObject([
      { jobId: 'job-1', type: 'job.failed', url: URL_B, subscriptionId: null, status: 'pending' },
    ]);
  });

  it("sends progress to no job's callback", async () => {
    const tenant = newTenant();
    await addCallback(tenant, 'job-1');
    expect(await enqueue({ tenant, jobId: 'job-1', type: 'job.progress' })).toBe(0);
  });

  it('writes one delivery per subscription naming the type, tenant-wide or for that job', async () => {
    const tenant = newTenant();
    const wide = await subscribe(tenant, ['job.completed', 'job.failed']);
    await insertJobRow(db, tenant, `${tenant}-job-1`);
    await insertJobRow(db, tenant, `${tenant}-job-2`);
    const forJob = await subscribe(tenant, ['job.completed'], { jobId: `${tenant}-job-1` });
    await subscribe(tenant, ['job.completed'], { jobId: `${tenant}-job-2` });
    await subscribe(tenant, ['job.failed']);
    await subscribe(newTenant(), ['job.completed']);
    await addCallback(tenant, `${tenant}-job-1`);
    expect(await enqueue({ tenant, jobId: `${tenant}-job-1`, type: 'job.completed' })).toBe(3);
    const subscriptionIds = (await deliveriesOf(tenant)).map((d) => d.subscriptionId).sort();
    expect(subscriptionIds).toEqual([null, wide.subscription.id, forJob.subscription.id].sort());
  });

  it('sends progress only to subscriptions that opt in', async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.completed']);
    const optedIn = await subscribe(tenant, ['job.progress']);
    expect(await enqueue({ tenant, jobId: 'job-1', type: 'job.progress' })).toBe(1);
    expect((await deliveriesOf(tenant))[0]?.subscriptionId).toBe(optedIn.subscription.id);
  });

  it('writes nothing for a deleted subscription', async () => {
    const tenant = newTenant();
    const { subscription } = await subscribe(tenant, ['job.completed']);
    await deleteWebhook(db, { tenant, id: subscription.id }, settings);
    expect(await enqueue({ tenant, jobId: 'job-1', type: 'job.completed' })).toBe(0);
  });

  it('writes nothing when the transaction that appends the event rolls back', async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.completed']);
    const failing = db.transaction().execute(async (trx) => {
      await enqueueJobWebhooks(trx, {
        tenant,
        jobId: 'job-1',
        type: 'job.completed',
        data: {},
        occurredAt: settings.clock.now(),
      });
      throw new Error('the event append failed');
    });
    await expect(failing).rejects.toThrow('the event append failed');
    expect(await deliveriesOf(tenant)).toEqual([]);
  });

  it('sends the payload {type, timestamp, data}', async () => {
    const tenant = newTenant();
    await addCallback(tenant, 'job-1');
    const occurredAt = new Date('2030-05-06T07:08:09.010Z');
    await db.transaction().execute((trx) =>
      enqueueJobWebhooks(trx, {
        tenant,
        jobId: 'job-1',
        type: 'job.completed',
        data: { id: 'job-1', status: 'completed', progress: { percentComplete: 100 } },
        occurredAt,
      }),
    );
    const row = await db
      .selectFrom('webhook_deliveries')
      .select('body')
      .where('tenant', '=', tenant)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.body)).toEqual({
      type: 'job.completed',
      timestamp: '2030-05-06T07:08:09.010Z',
      data: { id: 'job-1', status: 'completed', progress: { percentComplete: 100 } },
    });
  });

  it('refuses a job callback to a private URL', async () => {
    const register = addCallback(newTenant(), 'job-1', 'http://192.168.0.10/hook');
    await expect(register).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('triggering and pinging', () => {
  it('triggers an event for one subscription, due now', async () => {
    const tenant = newTenant();
    const { subscription } = await subscribe(tenant, ['job.completed']);
    const { deliveryIds } = await triggerBatchWebhook(
      db,
      { tenant, subscriptionId: subscription.id, type: 'job.failed', data: { id: 'job-9' } },
      settings,
    );
    expect(await deliveriesOf(tenant)).toMatchObject([
      {
        id: deliveryIds[0],
        type: 'job.failed',
        status: 'pending',
        nextAttemptAt: settings.clock.now(),
      },
    ]);
  });

  it("triggers a job's event for its callback and matching subscriptions", async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.cancelled']);
    await addCallback(tenant, 'job-1');
    const { deliveryIds } = await triggerBatchWebhook(
      db,
      { tenant, jobId: 'job-1', type: 'job.cancelled', data: {} },
      settings,
    );
    expect(deliveryIds).toHaveLength(2);
  });

  it('refuses a trigger naming neither a subscription nor a job', async () => {
    const trigger = triggerBatchWebhook(
      db,
      { tenant: newTenant(), type: 'job.failed', data: {} },
      settings,
    );
    await expect(trigger).rejects.toBeInstanceOf(ValidationError);
  });

  it("refuses to trigger another tenant's subscription", async () => {
    const { subscription } = await subscribe(newTenant(), ['job.completed']);
    const trigger = triggerBatchWebhook(
      db,
      { tenant: newTenant(), subscriptionId: subscription.id, type: 'job.failed', data: {} },
      settings,
    );
    await expect(trigger).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pings a subscription with a webhook.ping message', async () => {
    const tenant = newTenant();
    const { subscription } = await subscribe(tenant, ['job.completed']);
    const { deliveryId } = await pingWebhook(db, { tenant, id: subscription.id }, settings);
    expect(await deliveriesOf(tenant)).toMatchObject([{ id: deliveryId, type: 'webhook.ping' }]);
  });
});

describe('the delivery log', () => {
  it('filters by status and by job', async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.completed']);
    await enqueue({ tenant, jobId: 'job-1', type: 'job.completed' });
    await enqueue({ tenant, jobId: 'job-2', type: 'job.completed' });
    expect((await deliveriesOf(tenant, { jobId: 'job-2' })).map((d) => d.jobId)).toEqual(['job-2']);
    expect(await deliveriesOf(tenant, { status: 'delivered' })).toEqual([]);
    expect(await deliveriesOf(tenant, { status: 'pending' })).toHaveLength(2);
  });

  it('pages newest first with a cursor', async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.completed']);
    for (const jobId of ['job-1', 'job-2', 'job-3']) {
      await enqueue({ tenant, jobId, type: 'job.completed' });
      settings.clock.advance(1000);
    }
    const first = await listDeliveries(db, { tenant, limit: 2 });
    const second = await listDeliveries(db, { tenant, limit: 2, cursor: first.nextCursor! });
    expect(first.deliveries.map((d) => d.jobId)).toEqual(['job-3', 'job-2']);
    expect(second.deliveries.map((d) => d.jobId)).toEqual(['job-1']);
    expect(second.nextCursor).toBeNull();
  });

  it("does not show another tenant's deliveries", async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.completed']);
    await enqueue({ tenant, jobId: 'job-1', type: 'job.completed' });
    expect(await deliveriesOf(newTenant())).toEqual([]);
  });

  it('refuses a cursor it did not give', async () => {
    const list = listDeliveries(db, { tenant: newTenant(), cursor: 'garbage' });
    await expect(list).rejects.toBeInstanceOf(ValidationError);
  });

  it("treats another tenant's delivery as not found when retried", async () => {
    const tenant = newTenant();
    await subscribe(tenant, ['job.completed']);
    await enqueue({ tenant, jobId: 'job-1', type: 'job.completed' });
    const [delivery] = await deliveriesOf(tenant);
    await expect(
      retryDelivery(db, { tenant: newTenant(), id: delivery!.id }, settings),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to retry a delivery whose subscription was deleted', async () => {
    const tenant = newTenant();
    const { subscription } = await subscribe(tenant, ['job.completed']);
    await enqueue({ tenant, jobId: 'job-1', type: 'job.completed' });
    await deleteWebhook(db, { tenant, id: subscription.id }, settings);
    const [delivery] = await deliveriesOf(tenant);
    await expect(retryDelivery(db, { tenant, id: delivery!.id }, settings)).rejects.toBeInstanceOf(
      WebhookEndpointInactiveError,
    );
  });
});
