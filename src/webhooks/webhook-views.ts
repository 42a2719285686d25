import type {
  WebhookDeliveryAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
} from '../store/schema/index.js';
import type { JobEventType } from './webhook-event-types.js';

/** A subscription as its owner sees it; the secret is never part of it. */
export interface WebhookSubscription {
  id: string;
  url: string;
  events: JobEventType[];
  /** The one job it covers; null: every job of the tenant. */
  jobId: string | null;
  createdAt: Date;
  /** Set when the receiver answered 410 Gone; nothing more is sent. */
  disabledAt: Date | null;
  disabledReason: string | null;
  /** Until when the secret replaced by the last rotation still signs. */
  previousSecretExpiresAt: Date | null;
}

/** A subscription just registered or rotated, with its secret: shown this once. */
export interface WebhookSubscriptionWithSecret {
  subscription: WebhookSubscription;
  secret: string;
}

/** One attempt to deliver a message. */
export interface WebhookDeliveryAttempt {
  attemptNumber: number;
  attemptedAt: Date;
  durationMs: number;
  /** The receiver's HTTP status; null when no answer came. */
  statusCode: number | null;
  error: string | null;
  /** At most 20 kB of what the receiver answered. */
  responseExcerpt: string | null;
  instanceId: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

/** One message to one endpoint, with every attempt made. */
export interface WebhookDelivery {
  /** Also the `webhook-id` header, the same on every attempt. */
  id: string;
  /** The subscription it was sent for; null for a job's own callback. */
  subscriptionId: string | null;
  jobId: string | null;
  type: string;
  url: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  lastError: string | null;
  attempts: WebhookDeliveryAttempt[];
}

/** A webhook_endpoints row as its owner sees it, without the secret. */
export function rowToWebhookSubscription(row: WebhookEndpointRow): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    events: row.event_types as JobEventType[],
    jobId: row.job_id,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_expires_at,
  };
}

/** A webhook_delivery_attempts row as the delivery log shows it. */
export function rowToWebhookDeliveryAttempt(
  row: WebhookDeliveryAttemptRow,
): WebhookDeliveryAttempt {
  return {
    attemptNumber: row.attempt_number,
    attemptedAt: row.attempted_at,
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseExcerpt: row.response_excerpt,
    instanceId: row.instance_id,
  };
}

/** A delivery row, joined to its endpoint's URL and kind, with its attempts. */
export function rowToWebhookDelivery(
  row: WebhookDeliveryRow & { url: string; endpoint_kind: WebhookEndpointRow['kind'] },
  attempts: readonly WebhookDeliveryAttemptRow[],
): WebhookDelivery {
  return {
    id: row.id,
    subscriptionId: row.endpoint_kind === 'subscription' ? row.endpoint_id : null,
    jobId: row.job_id,
    type: row.event_type,
    url: row.url,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    attempts: attempts.map(rowToWebhookDeliveryAttempt),
  };
}
