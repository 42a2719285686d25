import { sql } from 'kysely';
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
 * Records attempts and moves each delivery to its next step, releasing its claim: one
 * statement for every record (the updates and the attempts' rows), so a relay commits many
 * outcomes at the price of one. Returns the ids of the deliveries recorded; a delivery whose
 * claim is no longer ours (it lapsed and another relay took it) is left out, nothing written
 * for it: that relay's attempt is the one the log keeps.
 */
export async function recordDeliveryAttempts(
  trx: Trx,
  records: readonly DeliveryAttemptRecord[],
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  // One JSON parameter rather than a parameter per value: the statement's text is the same
  // for any number of records (one plan), and both drivers (pg, PGlite) pass it alike.
  const input = JSON.stringify(
    records.map((r) => ({
      delivery_id: r.deliveryId,
      claim_token: r.claimToken,
      instance_id: r.instanceId,
      attempt_number: r.attemptNumber,
      attempted_at: r.attemptedAt.toISOString(),
      duration_ms: r.durationMs,
      status_code: r.statusCode,
      error: r.error,
      response_excerpt: r.responseExcerpt,
      status: r.next.status,
      next_attempt_at: r.next.status === 'pending' ? r.next.nextAttemptAt.toISOString() : null,
      last_error: r.next.status === 'delivered' ? null : describeFailure(r),
    })),
  );
  const ids = records.map((r) => r.deliveryId);
  // The attempts' rows join the updated ones, so a lapsed claim writes neither.
  const { rows } = await sql<{ id: string; endpoint_id: string }>`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(
        delivery_id text, claim_token text, instance_id text, attempt_number integer,
        attempted_at timestamptz, duration_ms integer, status_code integer, error text,
        response_excerpt text, status text, next_attempt_at timestamptz, last_error text
      )
    ), updated as (
      update webhook_deliveries d set
        status = i.status,
        attempt_count = i.attempt_number,
        next_attempt_at = coalesce(i.next_attempt_at, d.next_attempt_at),
        delivered_at = case when i.status = 'delivered' then i.attempted_at end,
        last_error = i.last_error,
        claimed_by = null,
        claim_token = null,
        claim_expires_at = null
      from input i
      -- The ids as an array too: the planner then reads the rows by primary key, whatever it
      -- guesses of the JSON's size (a join alone may scan the whole outbox).
      where d.id = any(${ids}::text[]) and d.id = i.delivery_id and d.claim_token = i.claim_token
      returning d.id, d.endpoint_id
    ), attempts as (
      insert into webhook_delivery_attempts (
        delivery_id, attempt_number, instance_id, attempted_at, duration_ms, status_code,
        error, response_excerpt
      )
      select i.delivery_id, i.attempt_number, i.instance_id, i.attempted_at, i.duration_ms,
        i.status_code, i.error, i.response_excerpt
      from input i join updated u on u.id = i.delivery_id
    )
    select id, endpoint_id from updated
  `.execute(trx);
  const recorded = new Map(rows.map((row) => [row.id, row.endpoint_id]));
  for (const record of records) {
    const endpointId = recorded.get(record.deliveryId);
    if (endpointId && record.next.status === 'dead' && record.next.disableEndpoint) {
      await disableEndpoint(trx, endpointId, record.now);
    }
  }
  return new Set(recorded.keys());
}

async function disableEndpoint(trx: Trx, endpointId: string, now: Date): Promise<void> {
  await trx
    .updateTable('webhook_endpoints')
    .set({ disabled_at: now, disabled_reason: GONE_REASON })
    .where('id', '=', endpointId)
    .where('disabled_at', 'is', null)
    .execute();
  // Claimed ones are left to their relays: their endpoint is read as disabled at the next claim.
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
