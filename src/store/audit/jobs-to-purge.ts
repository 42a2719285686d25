import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../schema/index.js';

/**
 * Up to `limit` jobs that ended before `endedBefore` and whose payloads the retention loop has
 * not purged yet, oldest first (the partial index jobs_payloads_to_purge, migration 0016).
 */
export async function jobsToPurge(
  db: DbOrTrx,
  endedBefore: Date,
  limit: number,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from jobs
    where payloads_purged_at is null and completed_at is not null
      and completed_at < ${endedBefore}
    order by completed_at limit ${limit}`.execute(db);
  return rows.map((row) => row.id);
}

/**
 * Marks the job's payloads purged, if no one has (the row lock makes a second instance wait,
 * then find it marked). True when this transaction marked it: it then purges.
 */
export async function markPayloadsPurged(trx: Trx, jobId: string, at: Date): Promise<boolean> {
  const result = await sql`
    update jobs set payloads_purged_at = ${at}
    where id = ${jobId} and payloads_purged_at is null`.execute(trx);
  return Number(result.numAffectedRows ?? 0) === 1;
}
