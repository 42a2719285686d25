import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/** The channel every instance LISTENs on for work. */
export const JOB_WAKEUP_CHANNEL = 'batchkeeper_jobs';

/**
 * What a wake-up tells the other instances: a job changed (its holder reads it
 * again; a resumed one is claimed), new work is queued (each instance with a
 * free slot claims at once instead of at its next poll), or an instance that
 * stopped handed its leases over (they are taken over at once, not when they lapse).
 */
export type JobWakeup = { jobId: string } | 'work-queued' | 'leases-handed-over';

// The payloads on the wire. An older instance reads '*' as the id of a job it does not hold:
// it claims at once, which is all it did for any wake-up.
const WORK_QUEUED = '';
const LEASES_HANDED_OVER = '*';

/** Tells every instance, when the transaction commits. */
export async function notifyJobWakeup(trx: DbOrTrx, wakeup: JobWakeup): Promise<void> {
  const payload =
    wakeup === 'work-queued'
      ? WORK_QUEUED
      : wakeup === 'leases-handed-over'
        ? LEASES_HANDED_OVER
        : wakeup.jobId;
  await sql`select pg_notify(${JOB_WAKEUP_CHANNEL}, ${payload})`.execute(trx);
}

/** A payload read off the channel. */
export function parseJobWakeup(payload: string): JobWakeup {
  if (payload === WORK_QUEUED) return 'work-queued';
  if (payload === LEASES_HANDED_OVER) return 'leases-handed-over';
  return { jobId: payload };
}
