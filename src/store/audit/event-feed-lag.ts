import { sql } from 'kysely';
import { commitSafeHorizon } from '../event-store.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * Seconds the oldest committed event that the feed may not show yet has waited (0 when the
 * feed shows every committed event): the event of the first transaction at or past the
 * commit-safe horizon, found on the commit-order index. The horizon is read in a statement
 * of its own first, as the feed reads it.
 */
export async function readEventFeedLag(db: DbOrTrx): Promise<number> {
  const below = await commitSafeHorizon(db);
  const { rows } = await sql<{ lag: string | null }>`
    select extract(epoch from clock_timestamp() - recorded_at)::text as lag
    from events where transaction_id >= ${below}::bigint
    order by transaction_id, position limit 1`.execute(db);
  const lag = Number(rows[0]?.lag ?? 0);
  return Math.max(lag, 0);
}
