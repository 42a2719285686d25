import type { Db } from '../store/schema/index.js';
import { rowToWebhookSubscription, type WebhookSubscription } from './webhook-views.js';

/** The tenant's subscriptions, oldest first (job callbacks are not listed). */
export async function listWebhooks(
  db: Db,
  input: { tenant: string },
): Promise<WebhookSubscription[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant', '=', input.tenant)
    .where('kind', '=', 'subscription')
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(rowToWebhookSubscription);
}
