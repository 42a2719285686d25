import type { Clock } from '../domain/clock.js';
import { jobsToPurge, markPayloadsPurged } from '../store/audit/jobs-to-purge.js';
import type { Db } from '../store/schema/index.js';
import { type PurgedCounts, purgeJobPayloads } from './purge-job-results.js';

const DAY_MS = 86_400_000;

/** What one retention round did. */
export interface RetentionRound extends PurgedCounts {
  /** Jobs whose payloads it purged. */
  jobs: number;
  /** True when it found as many jobs as it may take: more may be waiting. */
  more: boolean;
}

/**
 * One round of BATCHKEEPER_PURGE_AFTER_DAYS (docs/audit.md): purges the payloads of up to
 * `limit` jobs that ended more than `afterDays` days before `clock.now()`, each job in a
 * transaction of its own that marks it purged, so a round stops anywhere and two instances
 * never purge one job twice.
 */
export async function purgeExpiredPayloads(
  db: Db,
  options: { afterDays: number; clock: Clock; limit?: number },
): Promise<RetentionRound> {
  const limit = options.limit ?? 50;
  const now = options.clock.now();
  const endedBefore = new Date(now.getTime() - options.afterDays * DAY_MS);
  const round: RetentionRound = { jobs: 0, results: 0, requestBodies: 0, more: false };
  const jobIds = await jobsToPurge(db, endedBefore, limit);
  for (const jobId of jobIds) {
    const purged = await db.transaction().execute(async (trx) => {
      if (!(await markPayloadsPurged(trx, jobId, now))) return undefined;
      return purgeJobPayloads(trx, jobId);
    });
    if (!purged) continue;
    round.jobs += 1;
    round.results += purged.results;
    round.requestBodies += purged.requestBodies;
  }
  round.more = jobIds.length === limit;
  return round;
}
