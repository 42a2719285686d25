import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../store/schema/index.js';
import { listDeliveries } from '../webhooks/list-deliveries.js';
import { retryDelivery } from '../webhooks/retry-delivery.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { jsonContent } from './openapi-content.js';
import { deliveryToJson } from './webhook-json.js';
import { DELIVERY_PAGE_EXAMPLE, RETRIED_DELIVERY_EXAMPLE } from './webhooks.examples.js';
import {
  DeliveryIdParams,
  DeliveryPageSchema,
  DeliverySchema,
  ListDeliveriesQuerySchema,
  WEBHOOKS_TAG,
} from './webhooks.schemas.js';

const TAGS = [WEBHOOKS_TAG];

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

/** The delivery log of `/v1/webhooks/deliveries` (list, retry), scoped to the caller's tenant. */
export function webhookDeliveriesRoutes(db: Db, settings: WebhookSettings): OpenAPIHono<AppEnv> {
  return createRouter()
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
    });
}
