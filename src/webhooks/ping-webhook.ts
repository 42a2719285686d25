import type { Db } from '../store/schema/index.js';
import { findSubscription } from './find-subscription.js';
import { insertDeliveries } from './insert-deliveries.js';
import { WebhookEndpointInactiveError } from './webhook.errors.js';
import { PING_EVENT_TYPE } from './webhook-event-types.js';
import { serializeWebhookPayload } from './webhook-payload.js';
import type { WebhookSettings } from './webhook-settings.js';

/**
 * Sends a test message (`webhook.ping`) to a subscription now, through the outbox like any
 * other; returns the delivery's id, to follow in the delivery log.
 */
export async function pingWebhook(
  db: Db,
  input: { tenant: string; id: string },
  settings: Pick<WebhookSettings, 'clock'>,
): Promise<{ deliveryId: string }> {
  const subscription = await findSubscription(db, input.tenant, input.id);
  if (subscription.disabled_at) {
    throw new WebhookEndpointInactiveError(
      `webhook ${subscription.id} is disabled: ${subscription.disabled_reason}`,
    );
  }
  const now = settings.clock.now();
  const [deliveryId] = await insertDeliveries(db, {
    tenant: input.tenant,
    endpointIds: [subscription.id],
    jobId: subscription.job_id,
    type: PING_EVENT_TYPE,
    body: serializeWebhookPayload(PING_EVENT_TYPE, { subscriptionId: subscription.id }, now),
    dueAt: now,
  });
  return { deliveryId: deliveryId! };
}
