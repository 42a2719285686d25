import type { Trx } from '../store/schema/index.js';
import type { NextStep } from './retry-policy.js';

const GONE_REASON = 'the receiver answered 410 Gone';

/** One finished attempt and what follows it. */
export interface DeliveryAttemptRecord {
  deliveryId: string;
  claimToken: string;
  instanceId: string;
  attemptNumber: number;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  next: NextStep;
  /** When the attempt ended; a 410 disables the endpoint as of then. */
  now: Date;
}

/**
 * Records an attempt and moves the delivery to its next step, releasing the claim. Returns
 * false, writing nothing, when the claim is no longer ours (it lapsed and another relay
 * took the delivery); that relay's attempt is the one the log keeps.
 */
export async function recordDeliveryAttempt(
  trx: Trx,
  record: DeliveryAttemptRecord,
): Promise<boolean> {
  const { next } = record;
  const updated = await trx
    .updateTable('webhook_deliveries')
    .set({
      status: next.status,
      attempt_count: record.attemptNumber,
      ...(next.status === 'pending' ? { next_attempt_at: next.nextAttemptAt } : {}),
      delivered_at: next.status === 'delivered' ? record.attemptedAt : null,
      last_error: next.status === 'delivered' ? null : describeFailure(record),
      claimed_by: null,
      claim_token: null,
      claim_expires_at: null,
    })
    .where('id', '=', record.deliveryId)
    .where('claim_token', '=', record.claimToken)
    .returning('endpoint_id')
    .executeTakeFirst();
  if (!updated) return false;
  await trx
    .insertInto('webhook_delivery_attempts')
    .values({
      delivery_id: record.deliveryId,
      attempt_number: record.attemptNumber,
      instance_id: record.instanceId,
      attempted_at: record.attemptedAt,
      duration_ms: record.durationMs,
      status_code: record.statusCode,
      error: record.error,
      response_excerpt: record.responseExcerpt,
    })
    .execute();
  if (next.status === 'dead' && next.disableEndpoint) {
    await disableEndpoint(trx, updated.endpoint_id, record.now);
  }
  return true;
}

async function disableEndpoint(trx: Trx, endpointId: string, now: Date): Promise<void> {
  await trx
    .updateTable('webhook_endpoints')
    .set({ disabled_at: now, disabled_reason: GONE_REASON })
    .where('id', '=', endpointId)
    .where('disabled_at', 'is', null)
    .execute();
  await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'dead', last_error: `not sent: ${GONE_REASON}` })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('claim_token', 'is', null)
    .execute();
}

function describeFailure(record: DeliveryAttemptRecord): string {
  if (record.error !== null) return record.error;
  return `the receiver answered HTTP ${record.statusCode}`;
}
