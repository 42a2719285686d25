import type { Trx } from '../store/schema/index.js';

/**
 * Makes a claimed delivery dead without an attempt (its endpoint was deleted or disabled
 * after it was written). Returns false when the claim is no longer ours.
 */
export async function abandonDelivery(
  trx: Trx,
  input: { deliveryId: string; claimToken: string; reason: string },
): Promise<boolean> {
  const updated = await trx
    .updateTable('webhook_deliveries')
    .set({
      status: 'dead',
      last_error: `not sent: ${input.reason}`,
      claimed_by: null,
      claim_token: null,
      claim_expires_at: null,
    })
    .where('id', '=', input.deliveryId)
    .where('claim_token', '=', input.claimToken)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
