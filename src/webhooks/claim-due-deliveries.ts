import { randomUUID } from 'node:crypto';
import type { DbOrTrx, WebhookDeliveryRow, WebhookEndpointRow } from '../store/schema/index.js';

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
 * due first, with their endpoints. SKIP LOCKED lets any number of relays claim at once without
 * waiting on each other or taking the same row; the lease (claim_expires_at) hands a crashed
 * relay's claims to the next one once it lapses. One statement, so it needs no transaction of
 * its own: the row locks last until it commits, and by then the lease keeps others off.
 */
export async function claimDueDeliveries(
  db: DbOrTrx,
  options: ClaimOptions,
): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const claimToken = randomUUID();
  const rows = await db
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
          // next_attempt_at alone: the due index gives that order, so the scan stops at
          // `limit` rows; a tie-breaker (id) would sort every due row at every claim.
          .orderBy('next_attempt_at')
          .limit(options.limit)
          .forUpdate()
          .skipLocked(),
    )
    .with('claimed', (db) =>
      db
        .updateTable('webhook_deliveries')
        .from('due')
        .set({
          claimed_by: options.instanceId,
          claim_token: claimToken,
          claim_expires_at: new Date(options.now.getTime() + options.leaseMs),
        })
        .whereRef('webhook_deliveries.id', '=', 'due.id')
        .returningAll('webhook_deliveries'),
    )
    .selectFrom('claimed')
    .innerJoin('webhook_endpoints as e', 'e.id', 'claimed.endpoint_id')
    .selectAll('claimed')
    .select([
      'e.url as endpoint_url',
      'e.secret as endpoint_secret',
      'e.previous_secret as endpoint_previous_secret',
      'e.previous_secret_expires_at as endpoint_previous_secret_expires_at',
      'e.deleted_at as endpoint_deleted_at',
      'e.disabled_at as endpoint_disabled_at',
      'e.disabled_reason as endpoint_disabled_reason',
    ])
    .orderBy('claimed.next_attempt_at')
    .orderBy('claimed.id')
    .execute();
  return rows.map(
    ({
      endpoint_url,
      endpoint_secret,
      endpoint_previous_secret,
      endpoint_previous_secret_expires_at,
      endpoint_deleted_at,
      endpoint_disabled_at,
      endpoint_disabled_reason,
      ...delivery
    }) => ({
      delivery,
      claimToken,
      endpoint: {
        id: delivery.endpoint_id,
        url: endpoint_url,
        secret: endpoint_secret,
        previous_secret: endpoint_previous_secret,
        previous_secret_expires_at: endpoint_previous_secret_expires_at,
        deleted_at: endpoint_deleted_at,
        disabled_at: endpoint_disabled_at,
        disabled_reason: endpoint_disabled_reason,
      },
    }),
  );
}
