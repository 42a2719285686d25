import type { DbOrTrx } from '../store/schema/index.js';
import type { ClaimedDelivery } from './claim-due-deliveries.js';

/**
 * Hands claims back unsent (a relay stopping with deliveries claimed ahead), so that any
 * relay can claim them at once instead of after their leases lapse. A claim that is no longer
 * ours (its token changed) is left alone.
 */
export async function releaseClaims(
  db: DbOrTrx,
  claims: readonly Pick<ClaimedDelivery, 'delivery' | 'claimToken'>[],
): Promise<void> {
  if (claims.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ claimed_by: null, claim_token: null, claim_expires_at: null })
    .where(
      'id',
      'in',
      claims.map((c) => c.delivery.id),
    )
    .where('claim_token', 'in', [...new Set(claims.map((c) => c.claimToken))])
    .execute();
}
