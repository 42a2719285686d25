import type { DbOrTrx } from '../schema/index.js';

/**
 * Jobs waiting to be worked on (pending or queued), every tenant's: what maxQueueSize limits.
 * Read without a lock, so creations committing at this moment are not counted.
 */
export async function countWaitingJobs(db: DbOrTrx): Promise<number> {
  const waiting = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['pending', 'queued'])
    .executeTakeFirstOrThrow();
  return Number(waiting.n);
}
