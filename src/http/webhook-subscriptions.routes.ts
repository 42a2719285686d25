import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../store/schema/index.js';
import { deleteWebhook } from '../webhooks/delete-webhook.js';
import { listWebhooks } from '../webhooks/list-webhooks.js';
import { pingWebhook } from '../webhooks/ping-webhook.js';
import { registerBatchWebhook } from '../webhooks/register-batch-webhook.js';
import { rotateWebhookSecret } from '../webhooks/rotate-webhook-secret.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import { jsonContent } from './openapi-content.js';
import { subscriptionToJson, withSecretToJson } from './webhook-json.js';
import {
  PING_RESULT_EXAMPLE,
  REGISTER_WEBHOOK_EXAMPLE,
  ROTATE_SECRET_EXAMPLE,
  ROTATED_EXAMPLE,
  SUBSCRIPTION_LIST_EXAMPLE,
  SUBSCRIPTION_WITH_SECRET_EXAMPLE,
  WEBHOOK_ID_EXAMPLE,
  WEBHOOK_NOT_FOUND_EXAMPLE,
} from './webhooks.examples.js';
import {
  PingResultSchema,
  RegisterWebhookBodySchema,
  RotateSecretBodySchema,
  SubscriptionListSchema,
  SubscriptionWithSecretSchema,
  WEBHOOKS_TAG,
  WebhookIdParams,
} from './webhooks.schemas.js';

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

/**
 * The subscriptions of `/v1/webhooks` (register, list, delete, ping, rotate the secret), all
 * scoped to the caller's tenant.
 */
export function webhookSubscriptionsRoutes(db: Db, settings: WebhookSettings): OpenAPIHono<AppEnv> {
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
