import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Clock, systemClock } from '../domain/clock.js';
import type { Db } from '../store/schema/index.js';
import { deleteWebhook } from '../webhooks/delete-webhook.js';
import { listDeliveries } from '../webhooks/list-deliveries.js';
import { listWebhooks } from '../webhooks/list-webhooks.js';
import { pingWebhook } from '../webhooks/ping-webhook.js';
import { registerBatchWebhook } from '../webhooks/register-batch-webhook.js';
import { retryDelivery } from '../webhooks/retry-delivery.js';
import { rotateWebhookSecret } from '../webhooks/rotate-webhook-secret.js';
import { plaintextSecretCipher, type SecretCipher } from '../webhooks/secret-cipher.js';
import type { WebhookAllowList } from '../webhooks/webhook-allow-list.js';
import { JOB_EVENT_TYPES } from '../webhooks/webhook-event-types.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type {
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
} from '../webhooks/webhook-views.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse } from './error.schema.js';

/** What the webhook routes need. */
export interface WebhooksRoutesDeps {
  db: Db;
  /** Private hosts and ranges webhooks may target (BATCHKEEPER_WEBHOOK_ALLOW). */
  allowList: WebhookAllowList;
  /** How secrets are stored (default: plaintext, no BATCHKEEPER_ENCRYPTION_KEY). */
  cipher?: SecretCipher | undefined;
  /** (default: the system clock) */
  clock?: Clock | undefined;
}

const TAGS = ['webhooks'];
const Timestamp = z.string().openapi({ format: 'date-time', example: '2030-01-01T00:00:00.000Z' });
const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'wh_9f2c...' }),
});

const SubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: 'wh_3b0e6f0c2d2a4f7e9a1b5c7d9e1f3a5b' }),
    url: z.string().openapi({ example: 'https://hooks.example.com/batchkeeper' }),
    events: z.array(z.enum(JOB_EVENT_TYPES)),
    jobId: z.string().nullable().openapi({ description: 'null: every job of the tenant' }),
    createdAt: Timestamp,
    disabledAt: Timestamp.nullable().openapi({ description: 'set when the receiver answered 410' }),
    disabledReason: z.string().nullable(),
    previousSecretExpiresAt: Timestamp.nullable().openapi({
      description: 'until when the secret replaced by the last rotation still signs',
    }),
  })
  .openapi('WebhookSubscription');

const SubscriptionWithSecretSchema = SubscriptionSchema.extend({
  secret: z.string().openapi({
    description: 'the signing secret; shown this once',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
}).openapi('WebhookSubscriptionWithSecret');

const AttemptSchema = z
  .object({
    attemptNumber: z.number().int(),
    attemptedAt: Timestamp,
    durationMs: z.number().int(),
    statusCode: z.number().int().nullable().openapi({ description: 'null: no answer came' }),
    error: z.string().nullable(),
    responseExcerpt: z.string().nullable().openapi({ description: 'at most 20 kB' }),
    instanceId: z.string(),
  })
  .openapi('WebhookDeliveryAttempt');

const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'dead']);

const DeliverySchema = z
  .object({
    id: z
      .string()
      .openapi({ description: 'also the webhook-id header, the same on every attempt' }),
    subscriptionId: z.string().nullable().openapi({ description: "null: the job's own callback" }),
    jobId: z.string().nullable(),
    type: z.string().openapi({ example: 'job.completed' }),
    url: z.string(),
    status: DeliveryStatusSchema,
    attemptCount: z.number().int(),
    nextAttemptAt: Timestamp.nullable(),
    createdAt: Timestamp,
    deliveredAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    attempts: z.array(AttemptSchema),
  })
  .openapi('WebhookDelivery');

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const registerRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  tags: TAGS,
  summary: 'Subscribe a URL to job events (registerBatchWebhook)',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              url: z.string().min(1).max(2048).openapi({
                description: 'http(s); private addresses need BATCHKEEPER_WEBHOOK_ALLOW',
              }),
              secret: z.string().optional().openapi({
                description: '`whsec_` + base64 of 24..64 bytes; generated when absent',
              }),
              events: z.array(z.enum(JOB_EVENT_TYPES)).min(1),
              jobId: z.string().min(1).optional().openapi({
                description: "only this job; absent: every job of the caller's tenant",
              }),
            })
            .openapi('RegisterWebhookRequest'),
        },
      },
    },
  },
  responses: {
    201: json(SubscriptionWithSecretSchema, 'subscribed; the secret is shown this once'),
    400: errorResponse('invalid body, private URL or malformed secret'),
    404: errorResponse("the jobId is not one of the caller's jobs"),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  tags: TAGS,
  summary: "The caller's subscriptions",
  responses: {
    200: json(z.object({ webhooks: z.array(SubscriptionSchema) }), 'subscriptions, oldest first'),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  tags: TAGS,
  summary: 'Delete a subscription; its pending deliveries become dead',
  request: { params: IdParams },
  responses: { 204: { description: 'deleted' }, 404: errorResponse('no such subscription') },
});

const pingRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/ping',
  tags: TAGS,
  summary: 'Send a webhook.ping test message through the outbox',
  request: { params: IdParams },
  responses: {
    202: json(z.object({ deliveryId: z.string() }), 'queued; follow it in the delivery log'),
    404: errorResponse('no such subscription'),
    409: errorResponse('the subscription is disabled'),
  },
});

const rotateRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/secret/rotate',
  tags: TAGS,
  summary: 'Replace the secret; the old one keeps signing beside it for a grace period',
  request: {
    params: IdParams,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            secret: z.string().optional().openapi({ description: 'generated when absent' }),
            graceSeconds: z
              .number()
              .int()
              .min(0)
              .max(7 * 24 * 3600)
              .optional()
              .openapi({ description: 'how long the old secret still signs (default: 86400)' }),
          }),
        },
      },
    },
  },
  responses: {
    200: json(SubscriptionWithSecretSchema, 'rotated; the new secret is shown this once'),
    400: errorResponse('malformed secret'),
    404: errorResponse('no such subscription'),
  },
});

const listDeliveriesRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/deliveries',
  tags: TAGS,
  summary: 'The delivery log, newest first, each delivery with its attempts',
  request: {
    query: z.object({
      status: DeliveryStatusSchema.optional(),
      jobId: z.string().min(1).optional(),
      subscriptionId: z.string().min(1).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional().openapi({ example: 50 }),
      cursor: z.string().min(1).optional().openapi({ description: 'the nextCursor of a page' }),
    }),
  },
  responses: {
    200: json(
      z.object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() }),
      'a page of the delivery log',
    ),
    400: errorResponse('invalid filter or cursor'),
  },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/deliveries/{id}/retry',
  tags: TAGS,
  summary: 'Send a delivery again now, with the same webhook-id (dead ones too)',
  request: { params: IdParams },
  responses: {
    202: json(DeliverySchema, 'due now'),
    404: errorResponse('no such delivery'),
    409: errorResponse('its subscription was deleted or disabled'),
  },
});

/**
 * `/v1/webhooks`: subscriptions (register, list, delete, ping, rotate the secret) and the
 * delivery log (list, retry), all scoped to the caller's tenant.
 */
export function webhooksRoutes(deps: WebhooksRoutesDeps): OpenAPIHono<AppEnv> {
  const settings: WebhookSettings = {
    clock: deps.clock ?? systemClock,
    allowList: deps.allowList,
    cipher: deps.cipher ?? plaintextSecretCipher,
  };
  const { db } = deps;
  return createRouter()
    .openapi(registerRoute, async (c) => {
      const body = c.req.valid('json');
      const registered = await registerBatchWebhook(
        db,
        { tenant: c.var.tenant, ...body },
        settings,
      );
      return c.json(withSecretToJson(registered), 201);
    })
    .openapi(listRoute, async (c) => {
      const webhooks = await listWebhooks(db, { tenant: c.var.tenant });
      return c.json({ webhooks: webhooks.map(subscriptionToJson) }, 200);
    })
    .openapi(listDeliveriesRoute, async (c) => {
      const page = await listDeliveries(db, { tenant: c.var.tenant, ...c.req.valid('query') });
      return c.json(
        { deliveries: page.deliveries.map(deliveryToJson), nextCursor: page.nextCursor },
        200,
      );
    })
    .openapi(retryRoute, async (c) => {
      const { id } = c.req.valid('param');
      const delivery = await retryDelivery(db, { tenant: c.var.tenant, id }, settings);
      return c.json(deliveryToJson(delivery), 202);
    })
    .openapi(deleteRoute, async (c) => {
      await deleteWebhook(db, { tenant: c.var.tenant, id: c.req.valid('param').id }, settings);
      return c.body(null, 204);
    })
    .openapi(pingRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await pingWebhook(db, { tenant: c.var.tenant, id }, settings), 202);
    })
    .openapi(rotateRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json') ?? {};
      const rotated = await rotateWebhookSecret(
        db,
        {
          tenant: c.var.tenant,
          id,
          secret: body.secret,
          graceMs: body.graceSeconds === undefined ? undefined : body.graceSeconds * 1000,
        },
        settings,
      );
      return c.json(withSecretToJson(rotated), 200);
    });
}

function subscriptionToJson(subscription: WebhookSubscription) {
  return {
    ...subscription,
    createdAt: subscription.createdAt.toISOString(),
    disabledAt: subscription.disabledAt?.toISOString() ?? null,
    previousSecretExpiresAt: subscription.previousSecretExpiresAt?.toISOString() ?? null,
  };
}

function withSecretToJson({ subscription, secret }: WebhookSubscriptionWithSecret) {
  return { ...subscriptionToJson(subscription), secret };
}

function deliveryToJson(delivery: WebhookDelivery) {
  return {
    ...delivery,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    attempts: delivery.attempts.map((attempt) => ({
      ...attempt,
      attemptedAt: attempt.attemptedAt.toISOString(),
    })),
  };
}
