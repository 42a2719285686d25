import { sql } from 'kysely';
import { commitSafeHorizon } from '../event-store.js';
import { LOG_START, type LogPosition } from '../event-store.types.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * Where a reader that wants only what is new starts: the newest event below the commit-safe
 * horizon, found at the top of the commit-order index (LOG_START for a log with none). Every
 * event of an older transaction is committed or gone, and every transaction still running, or
 * not begun, writes above the horizon, so a feed followed after this position skips nothing
 * that commits later. The horizon is read in a statement of its own first, as the feed reads
 * it. Across all tenants: a tenant's feed filters what comes after, and searching the index
 * down for one tenant's newest event could read much of the log.
 */
export async function readEventFeedEnd(db: DbOrTrx): Promise<LogPosition> {
  const below = await commitSafeHorizon(db);
  const { rows } = await sql<{ transaction_id: string; position: string }>`
    select transaction_id, position from events
    where transaction_id < ${below}::bigint
    order by transaction_id desc, position desc
    limit 1`.execute(db);
  const row = rows[0];
  if (!row) return LOG_START;
  return { transactionId: Number(row.transaction_id), position: Number(row.position) };
}
