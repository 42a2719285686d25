import { NotFoundError } from '../domain/errors.js';
import type { Db } from '../store/schema/index.js';
import type { WebhookSettings } from './webhook-settings.js';

/**
 * Deletes a subscription: nothing more is sent to it and its pending deliveries are dead.
 * The row stays (soft delete) so the delivery log keeps its URL.
 */
export async function deleteWebhook(
  db: Db,
  input: { tenant: string; id: string },
  settings: Pick<WebhookSettings, 'clock'>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await trx
      .updateTable('webhook_endpoints')
      .set({ deleted_at: settings.clock.now() })
      .where('id', '=', input.id)
      .where('tenant', '=', input.tenant)
      .where('kind', '=', 'subscription')
      .where('deleted_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!deleted) throw new NotFoundError(`webhook ${input.id} not found`);
    await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'dead', last_error: 'the subscription was deleted' })
      .where('endpoint_id', '=', input.id)
      .where('status', '=', 'pending')
      .execute();
  });
}
