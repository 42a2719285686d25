import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/** The channel every instance LISTENs on for work: a job id, or '' for "new work is queued". */
export const JOB_WAKEUP_CHANNEL = 'batchkeeper_jobs';

/**
 * Tells every instance, when the transaction commits, that a job changed
 * (`jobId`: its holder reads it again) or that work may be waiting (`null`:
 * each instance with a free slot claims at once instead of at its next poll).
 */
export async function notifyJobWakeup(trx: DbOrTrx, jobId: string | null): Promise<void> {
  await sql`select pg_notify(${JOB_WAKEUP_CHANNEL}, ${jobId ?? ''})`.execute(trx);
}
