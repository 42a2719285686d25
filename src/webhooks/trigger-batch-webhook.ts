import { ValidationError } from '../domain/errors.js';
import type { Db } from '../store/schema/index.js';
import { enqueueJobWebhookDeliveries } from './enqueue-job-webhooks.js';
import { findSubscription } from './find-subscription.js';
import { insertDeliveries } from './insert-deliveries.js';
import { WebhookEndpointInactiveError } from './webhook.errors.js';
import type { JobEventType } from './webhook-event-types.js';
import { serializeWebhookPayload } from './webhook-payload.js';
import type { WebhookSettings } from './webhook-settings.js';

export interface TriggerWebhookInput {
  tenant: string;
  /** Send to this subscription, whatever event types it names. */
  subscriptionId?: string | undefined;
  /** Send to every endpoint that would receive this job's event of `type`. */
  jobId?: string | undefined;
  type: JobEventType;
  data: object;
}

/**
 * Sends an event now (the seed's triggerBatchWebhook): to one subscription, or to a job's
 * callback and matching subscriptions. Returns the new deliveries' ids.
 */
export async function triggerBatchWebhook(
  db: Db,
  input: TriggerWebhookInput,
  settings: Pick<WebhookSettings, 'clock'>,
): Promise<{ deliveryIds: string[] }> {
  const now = settings.clock.now();
  if (input.subscriptionId !== undefined) {
    const subscription = await findSubscription(db, input.tenant, input.subscriptionId);
    if (subscription.disabled_at) {
      throw new WebhookEndpointInactiveError(
        `webhook ${subscription.id} is disabled: ${subscription.disabled_reason}`,
      );
    }
    const deliveryIds = await insertDeliveries(db, {
      tenant: input.tenant,
      endpointIds: [subscription.id],
      jobId: input.jobId ?? subscription.job_id,
      type: input.type,
      body: serializeWebhookPayload(input.type, input.data, now),
      dueAt: now,
    });
    return { deliveryIds };
  }
  if (input.jobId !== undefined) {
    const deliveryIds = await enqueueJobWebhookDeliveries(db, {
      tenant: input.tenant,
      jobId: input.jobId,
      type: input.type,
      data: input.data,
      occurredAt: now,
    });
    return { deliveryIds };
  }
  throw new ValidationError('name a subscriptionId or a jobId to trigger a webhook', [
    { path: 'subscriptionId', message: 'required when jobId is absent' },
  ]);
}
