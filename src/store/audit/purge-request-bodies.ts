import { sql } from 'kysely';
import type { Trx } from '../schema/index.js';

/**
 * Removes the job's request bodies (`job_requests.params`; custom ids, fingerprints and
 * ordinals stay), but not those of requests another job reuses as the original of a
 * duplicate (see reusedOrdinals). Returns how many it removed.
 */
export async function purgeRequestBodies(trx: Trx, jobId: string): Promise<number> {
  const result = await sql`
    update job_requests r set params = null
    where r.job_id = ${jobId} and r.params is not null
      and not exists (
        select 1 from job_requests d
        where d.original_job_id = ${jobId} and d.original_ordinal = r.ordinal
          and d.job_id <> ${jobId})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The ordinals of the job's requests that another job's duplicates point at: their answers
 * are that job's answers too, so a purge keeps them.
 */
export async function reusedOrdinals(trx: Trx, jobId: string): Promise<Set<number>> {
  const { rows } = await sql<{ ordinal: number }>`
    select distinct original_ordinal as ordinal from job_requests
    where original_job_id = ${jobId} and job_id <> ${jobId}`.execute(trx);
  return new Set(rows.map((row) => row.ordinal));
}
