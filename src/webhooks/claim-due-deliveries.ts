import { randomUUID } from 'node:crypto';
import type { Trx, WebhookDeliveryRow, WebhookEndpointRow } from '../store/schema/index.js';

export interface ClaimOptions {
  instanceId: string;
  now: Date;
  /** How long the claim holds; a relay that dies mid-delivery loses it then. */
  leaseMs: number;
  limit: number;
}

/** A delivery this relay holds, with what sending it needs from its endpoint. */
export interface ClaimedDelivery {
  delivery: WebhookDeliveryRow;
  /** Proves the claim is still ours when the attempt is recorded. */
  claimToken: string;
  endpoint: Pick<
    WebhookEndpointRow,
    | 'id'
    | 'url'
    | 'secret'
    | 'previous_secret'
    | 'previous_secret_expires_at'
    | 'deleted_at'
    | 'disabled_at'
    | 'disabled_reason'
  >;
}

/**
 * Claims up to `limit` pending deliveries that are due and not held by a live claim, oldest
 * due first. SKIP LOCKED lets any number of relays claim at once without waiting on each
 * other or taking the same row; the lease (claim_expires_at) hands a crashed relay's
 * claims to the next one once it lapses.
 */
export async function claimDueDeliveries(
  trx: Trx,
  options: ClaimOptions,
): Promise<ClaimedDelivery[]> {
  const claimToken = randomUUID();
  const claimed = await trx
    // Materialized so the locking select runs once, before the update reads it.
    .with(
      (w) => w('due').materialized(),
      (db) =>
        db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', options.now)
          .where((eb) =>
            eb.or([eb('claim_expires_at', 'is', null), eb('claim_expires_at', '<=', options.now)]),
          )
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(options.limit)
          .forUpdate()
          .skipLocked(),
    )
    .updateTable('webhook_deliveries')
    .from('due')
    .set({
      claimed_by: options.instanceId,
      claim_token: claimToken,
      claim_expires_at: new Date(options.now.getTime() + options.leaseMs),
    })
    .whereRef('webhook_deliveries.id', '=', 'due.id')
    .returningAll('webhook_deliveries')
    .execute();
  if (claimed.length === 0) return [];
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select([
      'id',
      'url',
      'secret',
      'previous_secret',
      'previous_secret_expires_at',
      'deleted_at',
      'disabled_at',
      'disabled_reason',
    ])
    .where('id', 'in', [...new Set(claimed.map((d) => d.endpoint_id))])
    .execute();
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  return claimed
    .sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime())
    .map((delivery) => ({ delivery, claimToken, endpoint: byId.get(delivery.endpoint_id)! }));
}
