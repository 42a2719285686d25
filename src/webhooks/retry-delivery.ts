import { NotFoundError } from '../domain/errors.js';
import type { Db } from '../store/schema/index.js';
import { attemptsOf, selectDeliveries } from './list-deliveries.js';
import { WebhookEndpointInactiveError } from './webhook.errors.js';
import type { WebhookSettings } from './webhook-settings.js';
import { rowToWebhookDelivery, type WebhookDelivery } from './webhook-views.js';

/**
 * Sends a delivery again now (POST /v1/webhooks/deliveries/:id/retry), with the same
 * webhook-id. A dead or delivered one gets one more attempt; a pending one keeps the rest
 * of its schedule. Refused (409) when its endpoint was deleted or disabled.
 */
export async function retryDelivery(
  db: Db,
  input: { tenant: string; id: string },
  settings: Pick<WebhookSettings, 'clock'>,
): Promise<WebhookDelivery> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select(['d.id', 'd.status', 'e.deleted_at', 'e.disabled_at', 'e.disabled_reason'])
      .where('d.id', '=', input.id)
      .where('d.tenant', '=', input.tenant)
      .forUpdate('d')
      .executeTakeFirst();
    if (!current) throw new NotFoundError(`delivery ${input.id} not found`);
    if (current.deleted_at) {
      throw new WebhookEndpointInactiveError(`delivery ${input.id}: its subscription was deleted`);
    }
    if (current.disabled_at) {
      throw new WebhookEndpointInactiveError(
        `delivery ${input.id}: its endpoint is disabled (${current.disabled_reason})`,
      );
    }
    await trx
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: 'pending',
        next_attempt_at: settings.clock.now(),
        // A finished delivery gets exactly one more attempt; a pending one keeps its schedule.
        ...(current.status === 'pending' ? {} : { max_attempts: eb('attempt_count', '+', 1) }),
      }))
      .where('id', '=', input.id)
      .execute();
    const row = await selectDeliveries(trx).where('d.id', '=', input.id).executeTakeFirstOrThrow();
    const attempts = await attemptsOf(trx, [input.id]);
    return rowToWebhookDelivery(row, attempts.get(input.id) ?? []);
  });
}
