import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

/** A subscription or a job's callback: where webhooks go and the secret that signs them. */
export interface WebhookEndpointsTable {
  id: string;
  tenant: string;
  kind: 'subscription' | 'job_callback';
  url: string;
  job_id: string | null;
  /** A JSON array of event type names; written as a JSON string. */
  event_types: ColumnType<string[], string, string>;
  /** `whsec_...` or an `enc:v1:...` sealed box. */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: NullableTimestamp;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
  disabled_reason: string | null;
  deleted_at: NullableTimestamp;
}

/** The outbox: one message to one endpoint, retried until delivered or dead. */
export interface WebhookDeliveriesTable {
  id: string;
  tenant: string;
  endpoint_id: string;
  job_id: string | null;
  event_type: string;
  body: string;
  status: ColumnType<
    'pending' | 'delivered' | 'dead',
    'pending' | undefined,
    'pending' | 'delivered' | 'dead'
  >;
  attempt_count: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  next_attempt_at: Timestamp;
  claimed_by: string | null;
  claim_token: string | null;
  claim_expires_at: NullableTimestamp;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
  last_error: string | null;
}

/** One attempt to deliver one message; insert-only. */
export interface WebhookDeliveryAttemptsTable {
  delivery_id: string;
  attempt_number: number;
  instance_id: string;
  attempted_at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

/** The webhooks area's tables (migration 0003). */
export interface WebhookTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type NewWebhookEndpointRow = Insertable<WebhookEndpointsTable>;
export type WebhookEndpointUpdate = Updateable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDeliveryRow = Insertable<WebhookDeliveriesTable>;
export type WebhookDeliveryAttemptRow = Selectable<WebhookDeliveryAttemptsTable>;
export type NewWebhookDeliveryAttemptRow = Insertable<WebhookDeliveryAttemptsTable>;
