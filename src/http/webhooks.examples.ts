import type { z } from '@hono/zod-openapi';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import type {
  DeliveryPageSchema,
  DeliverySchema,
  PingResultSchema,
  RegisterWebhookBodySchema,
  RotateSecretBodySchema,
  SubscriptionListSchema,
  SubscriptionSchema,
  SubscriptionWithSecretSchema,
} from './webhooks.schemas.js';

// The examples of the webhook routes in the OpenAPI document, as the routes answer them.

export const WEBHOOK_ID_EXAMPLE = 'wh_812e820f81994a6c9f144cd362787f20';
const DELIVERY_ID = 'msg_5051d59e338446e78eefa83d3f9d1e1a';
const HOOK_URL = 'https://hooks.acme.dev/batchkeeper';

export const REGISTER_WEBHOOK_EXAMPLE: z.input<typeof RegisterWebhookBodySchema> = {
  url: HOOK_URL,
  events: ['job.completed', 'job.failed'],
};

export const SUBSCRIPTION_EXAMPLE: z.input<typeof SubscriptionSchema> = {
  id: WEBHOOK_ID_EXAMPLE,
  url: HOOK_URL,
  events: ['job.completed', 'job.failed'],
  jobId: null,
  createdAt: '2026-03-14T09:20:11.574Z',
  disabledAt: null,
  disabledReason: null,
  previousSecretExpiresAt: null,
};

export const SUBSCRIPTION_WITH_SECRET_EXAMPLE: z.input<typeof SubscriptionWithSecretSchema> = {
  ...SUBSCRIPTION_EXAMPLE,
  secret: 'whsec_LdChLyLACfHSS/qqb7jX28InNAv8qQuWplzd1BhkxeA=',
};

export const SUBSCRIPTION_LIST_EXAMPLE: z.input<typeof SubscriptionListSchema> = {
  webhooks: [SUBSCRIPTION_EXAMPLE],
};

export const ROTATE_SECRET_EXAMPLE: z.input<typeof RotateSecretBodySchema> = {
  graceSeconds: 3600,
};

export const ROTATED_EXAMPLE: z.input<typeof SubscriptionWithSecretSchema> = {
  ...SUBSCRIPTION_EXAMPLE,
  previousSecretExpiresAt: '2026-03-14T10:20:11.584Z',
  secret: 'whsec_xM5xWT/I5jqiDX4mLEsCOr53sz5Lm0lnL0NT4OGlDoQ=',
};

export const PING_RESULT_EXAMPLE: z.input<typeof PingResultSchema> = { deliveryId: DELIVERY_ID };

export const DELIVERY_EXAMPLE: z.input<typeof DeliverySchema> = {
  id: DELIVERY_ID,
  subscriptionId: WEBHOOK_ID_EXAMPLE,
  jobId: JOB_ID_EXAMPLE,
  type: 'job.completed',
  url: HOOK_URL,
  status: 'delivered',
  attemptCount: 2,
  nextAttemptAt: null,
  createdAt: '2026-03-14T09:41:07.215Z',
  deliveredAt: '2026-03-14T09:41:09.731Z',
  lastError: null,
  attempts: [
    {
      attemptNumber: 1,
      attemptedAt: '2026-03-14T09:41:07.240Z',
      durationMs: 5012,
      statusCode: 503,
      error: null,
      responseExcerpt: 'upstream connect error',
      instanceId: 'worker-1',
    },
    {
      attemptNumber: 2,
      attemptedAt: '2026-03-14T09:41:09.702Z',
      durationMs: 29,
      statusCode: 204,
      error: null,
      responseExcerpt: null,
      instanceId: 'worker-1',
    },
  ],
};

export const DELIVERY_PAGE_EXAMPLE: z.input<typeof DeliveryPageSchema> = {
  deliveries: [DELIVERY_EXAMPLE],
  nextCursor: null,
};

export const RETRIED_DELIVERY_EXAMPLE: z.input<typeof DeliverySchema> = {
  ...DELIVERY_EXAMPLE,
  status: 'pending',
  nextAttemptAt: '2026-03-14T09:45:00.000Z',
};

export const WEBHOOK_NOT_FOUND_EXAMPLE = {
  type: 'not_found_error',
  message: `webhook ${WEBHOOK_ID_EXAMPLE} not found`,
};
