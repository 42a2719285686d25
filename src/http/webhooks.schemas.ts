import { z } from '@hono/zod-openapi';
import { refineStorableText } from '../domain/storable-json.js';
import { JOB_EVENT_TYPES } from '../webhooks/webhook-event-types.js';

/** The OpenAPI tag of every webhook route. */
export const WEBHOOKS_TAG = 'webhooks';

/** An id or filter as the client sends it: not empty, and text Postgres can compare (no NUL). */
const StoredText = () => z.string().min(1).superRefine(refineStorableText);

const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-14T09:26:53.589Z' });

/** The `{id}` of `/v1/webhooks/{id}...`: a subscription. */
export const WebhookIdParams = z.object({
  id: StoredText().openapi({
    param: { name: 'id', in: 'path' },
    description: 'the subscription id',
    example: 'wh_812e820f81994a6c9f144cd362787f20',
  }),
});

/** The `{id}` of `/v1/webhooks/deliveries/{id}...`: a delivery (also its webhook-id header). */
export const DeliveryIdParams = z.object({
  id: StoredText().openapi({
    param: { name: 'id', in: 'path' },
    description: 'the delivery id',
    example: 'msg_5051d59e338446e78eefa83d3f9d1e1a',
  }),
});

export const SubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: 'wh_812e820f81994a6c9f144cd362787f20' }),
    url: z.string().openapi({ example: 'https://hooks.acme.dev/batchkeeper' }),
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

export const SubscriptionWithSecretSchema = SubscriptionSchema.extend({
  secret: z.string().openapi({
    description: 'the signing secret; shown this once',
    example: 'whsec_LdChLyLACfHSS/qqb7jX28InNAv8qQuWplzd1BhkxeA=',
  }),
}).openapi('WebhookSubscriptionWithSecret');

export const SubscriptionListSchema = z
  .object({ webhooks: z.array(SubscriptionSchema) })
  .openapi('WebhookSubscriptionList');

export const RegisterWebhookBodySchema = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2048)
      .openapi({
        description:
          'http(s), written scheme://host/..., without credentials, spaces or control characters; ' +
          'a host name is resolved and every address it has must be public or in BATCHKEEPER_WEBHOOK_ALLOW',
      }),
    secret: z.string().optional().openapi({
      description: '`whsec_` + base64 of 24..64 bytes; generated when absent',
    }),
    events: z.array(z.enum(JOB_EVENT_TYPES)).min(1),
    jobId: StoredText()
      .optional()
      .openapi({ description: "only this job; absent: every job of the caller's tenant" }),
  })
  .openapi('RegisterWebhookRequest');

export const RotateSecretBodySchema = z
  .object({
    secret: z.string().optional().openapi({ description: 'generated when absent' }),
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional()
      .openapi({ description: 'how long the old secret still signs (default: 86400)' }),
  })
  .openapi('RotateWebhookSecretRequest');

export const PingResultSchema = z.object({ deliveryId: z.string() }).openapi('WebhookPingResult');

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

export const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'dead']);

export const DeliverySchema = z
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

export const DeliveryPageSchema = z
  .object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() })
  .openapi('WebhookDeliveryPage');

export const ListDeliveriesQuerySchema = z.object({
  status: DeliveryStatusSchema.optional(),
  jobId: StoredText().optional(),
  subscriptionId: StoredText().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ example: 50 }),
  cursor: StoredText().optional().openapi({ description: 'the nextCursor of a page' }),
});
