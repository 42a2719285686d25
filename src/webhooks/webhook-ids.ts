import { randomUUID } from 'node:crypto';

/** A new subscription or callback id: `wh_` + 32 hex digits. */
export function newEndpointId(): string {
  return `wh_${randomUUID().replaceAll('-', '')}`;
}

/** A new message id, sent as `webhook-id` on every attempt: `msg_` + 32 hex digits. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}
