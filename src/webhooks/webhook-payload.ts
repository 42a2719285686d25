import type { WebhookEventType } from './webhook-event-types.js';

/** The JSON body of every webhook: thin, no results inside. */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the event happened (ISO 8601), not when this attempt was made. */
  timestamp: string;
  data: object;
}

/** The exact body bytes a message is sent with, on every attempt. */
export function serializeWebhookPayload(
  type: WebhookEventType,
  data: object,
  occurredAt: Date,
): string {
  const payload: WebhookPayload = { type, timestamp: occurredAt.toISOString(), data };
  return JSON.stringify(payload);
}
