import { sql } from 'kysely';
import type { DbOrTrx } from '../store/schema/index.js';
import { MAX_ATTEMPTS } from './retry-policy.js';
import { newMessageId } from './webhook-ids.js';

/** The channel relays LISTEN on: deliveries were written. */
export const WEBHOOK_WAKEUP_CHANNEL = 'batchkeeper_webhooks';

/** One message to write to the outbox for each of `endpointIds`. */
export interface OutboxMessage {
  tenant: string;
  endpointIds: readonly string[];
  jobId: string | null;
  type: string;
  body: string;
  /** When the first attempt is due (and the rows' creation time). */
  dueAt: Date;
}

/** Writes one pending delivery per endpoint, due at `dueAt`; returns their ids. */
export async function insertDeliveries(db: DbOrTrx, message: OutboxMessage): Promise<string[]> {
  if (message.endpointIds.length === 0) return [];
  const rows = message.endpointIds.map((endpointId) => ({
    id: newMessageId(),
    tenant: message.tenant,
    endpoint_id: endpointId,
    job_id: message.jobId,
    event_type: message.type,
    body: message.body,
    max_attempts: MAX_ATTEMPTS,
    next_attempt_at: message.dueAt,
    created_at: message.dueAt,
  }));
  await db.insertInto('webhook_deliveries').values(rows).execute();
  // Relays LISTEN for this: the deliveries are sent when the transaction commits, not at a poll.
  await sql`select pg_notify(${WEBHOOK_WAKEUP_CHANNEL}, '')`.execute(db);
  return rows.map((row) => row.id);
}
