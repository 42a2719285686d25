import { sql } from 'kysely';
import { LOG_START, type LogPosition } from './event-store.types.js';
import type { DbOrTrx, Trx } from './schema/index.js';

/**
 * Loads a named subscription's checkpoint and locks its row for the rest of
 * the transaction, so two instances never run the same subscription at once.
 * Returns null when another transaction holds it.
 */
export async function claimCheckpoint(trx: Trx, name: string): Promise<LogPosition | null> {
  await sql`insert into subscription_checkpoints (name, transaction_id, position)
            values (${name}, 0, 0) on conflict (name) do nothing`.execute(trx);
  const row = await trx
    .selectFrom('subscription_checkpoints')
    .select(['transaction_id', 'position'])
    .where('name', '=', name)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row ? { transactionId: Number(row.transaction_id), position: Number(row.position) } : null;
}

export async function saveCheckpoint(trx: Trx, name: string, at: LogPosition): Promise<void> {
  await sql`update subscription_checkpoints
            set transaction_id = ${at.transactionId}::bigint, position = ${at.position}, updated_at = now()
            where name = ${name}`.execute(trx);
}

/** A named subscription's checkpoint, without locking (default: the log's start). */
export async function readCheckpoint(db: DbOrTrx, name: string): Promise<LogPosition> {
  const row = await db
    .selectFrom('subscription_checkpoints')
    .select(['transaction_id', 'position'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row
    ? { transactionId: Number(row.transaction_id), position: Number(row.position) }
    : LOG_START;
}
