import { NotFoundError } from '../domain/errors.js';
import type { DbOrTrx, WebhookEndpointRow } from '../store/schema/index.js';

/** The tenant's live subscription `id`; another tenant's, a deleted one or a job callback is not found. */
export async function findSubscription(
  db: DbOrTrx,
  tenant: string,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('tenant', '=', tenant)
    .where('kind', '=', 'subscription')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`webhook ${id} not found`);
  return row;
}
