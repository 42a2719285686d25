import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
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
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type {
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
} from '../webhooks/webhook-views.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import { jsonContent } from './openapi-content.js';
import {
  DELIVERY_PAGE_EXAMPLE,
  PING_RESULT_EXAMPLE,
  REGISTER_WEBHOOK_EXAMPLE,
  RETRIED_DELIVERY_EXAMPLE,
  ROTATE_SECRET_EXAMPLE,
  ROTATED_EXAMPLE,
  SUBSCRIPTION_LIST_EXAMPLE,
  SUBSCRIPTION_WITH_SECRET_EXAMPLE,
  WEBHOOK_ID_EXAMPLE,
  WEBHOOK_NOT_FOUND_EXAMPLE,
} from './webhooks.examples.js';
import {
  DeliveryIdParams,
  DeliveryPageSchema,
  DeliverySchema,
  ListDeliveriesQuerySchema,
  PingResultSchema,
  RegisterWebhookBodySchema,
  RotateSecretBodySchema,
  SubscriptionListSchema,
  SubscriptionWithSecretSchema,
  WEBHOOKS_TAG,
  WebhookIdParams,
} from './webhooks.schemas.js';

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

const TAGS = [WEBHOOKS_TAG];
const PRIVATE_URL_REFUSAL =
  'refused to connect to 10.0.0.7 (private address); BATCHKEEPER_WEBHOOK_ALLOW can open chosen ' +
  'hosts and ranges';
const webhookNotFound = errorResponse('no such subscription', WEBHOOK_NOT_FOUND_EXAMPLE);

const registerRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  operationId: 'registerBatchWebhook',
  tags: TAGS,
  summary: 'Subscribe a URL to job events',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: RegisterWebhookBodySchema,
          example: REGISTER_WEBHOOK_EXAMPLE,
        },
      },
    },
  },
  responses: {
    201: jsonContent(
      SubscriptionWithSecretSchema,
      'subscribed; the secret is shown this once',
      SUBSCRIPTION_WITH_SECRET_EXAMPLE,
    ),
    400: errorResponse('invalid body, private URL or malformed secret', {
      type: 'invalid_request_error',
      message: `invalid webhook url: ${PRIVATE_URL_REFUSAL}`,
      issues: [{ path: 'url', message: PRIVATE_URL_REFUSAL }],
    }),
    401: unauthorizedResponse,
    404: errorResponse("the jobId is not one of the caller's jobs", {
      type: 'not_found_error',
      message: `job ${JOB_ID_EXAMPLE} not found`,
    }),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  operationId: 'listWebhooks',
  tags: TAGS,
  summary: "The caller's subscriptions",
  responses: {
    200: jsonContent(
      SubscriptionListSchema,
      'subscriptions, oldest first',
      SUBSCRIPTION_LIST_EXAMPLE,
    ),
    401: unauthorizedResponse,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  operationId: 'deleteWebhook',
  tags: TAGS,
  summary: 'Delete a subscription; its pending deliveries become dead',
  request: { params: WebhookIdParams },
  responses: {
    204: { description: 'deleted' },
    401: unauthorizedResponse,
    404: webhookNotFound,
  },
});

const pingRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/ping',
  operationId: 'pingWebhook',
  tags: TAGS,
  summary: 'Send a webhook.ping test message through the outbox',
  request: { params: WebhookIdParams },
  responses: {
    202: jsonContent(
      PingResultSchema,
      'queued; follow it in the delivery log',
      PING_RESULT_EXAMPLE,
    ),
    401: unauthorizedResponse,
    404: webhookNotFound,
    409: errorResponse('the subscription is disabled', {
      type: 'webhook_inactive_error',
      message: `webhook ${WEBHOOK_ID_EXAMPLE} is disabled: the receiver answered 410 Gone`,
    }),
  },
});

const rotateRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/secret/rotate',
  operationId: 'rotateWebhookSecret',
  tags: TAGS,
  summary: 'Replace the secret; the old one keeps signing beside it for a grace period',
  request: {
    params: WebhookIdParams,
    body: {
      required: false,
      content: {
        'application/json': { schema: RotateSecretBodySchema, example: ROTATE_SECRET_EXAMPLE },
      },
    },
  },
  responses: {
    200: jsonContent(
      SubscriptionWithSecretSchema,
      'rotated; the new secret is shown this once',
      ROTATED_EXAMPLE,
    ),
    400: errorResponse('malformed secret', {
      type: 'invalid_request_error',
      message: 'invalid webhook secret: must start with "whsec_"',
      issues: [{ path: 'secret', message: 'must start with "whsec_"' }],
    }),
    401: unauthorizedResponse,
    404: webhookNotFound,
  },
});

const listDeliveriesRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/deliveries',
  operationId: 'listWebhookDeliveries',
  tags: TAGS,
  summary: 'The delivery log, newest first, each delivery with its attempts',
  request: { query: ListDeliveriesQuerySchema },
  responses: {
    200: jsonContent(DeliveryPageSchema, 'a page of the delivery log', DELIVERY_PAGE_EXAMPLE),
    400: errorResponse('invalid filter or cursor', {
      type: 'invalid_request_error',
      message: 'invalid cursor',
      issues: [{ path: 'cursor', message: 'not a cursor we gave' }],
    }),
    401: unauthorizedResponse,
  },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/deliveries/{id}/retry',
  operationId: 'retryWebhookDelivery',
  tags: TAGS,
  summary: 'Send a delivery again now, with the same webhook-id (dead ones too)',
  request: { params: DeliveryIdParams },
  responses: {
    202: jsonContent(DeliverySchema, 'due now', RETRIED_DELIVERY_EXAMPLE),
    401: unauthorizedResponse,
    404: errorResponse('no such delivery', {
      type: 'not_found_error',
      message: `delivery ${RETRIED_DELIVERY_EXAMPLE.id} not found`,
    }),
    409: errorResponse('its subscription was deleted or disabled', {
      type: 'webhook_inactive_error',
      message: `delivery ${RETRIED_DELIVERY_EXAMPLE.id}: its subscription was deleted`,
    }),
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
