import { sql } from 'kysely';
import type { Trx } from '../schema/index.js';

/** A result whose payload is to be replaced by its purge marker. */
export interface PayloadPurge {
  ordinal: number;
  attempt: number;
  /** `{"purged": true, "digest": ...}` as JSON text. */
  marker: string;
}

/**
 * Replaces results' payloads by their purge markers in one statement (rows already purged are
 * left alone). Returns how many it purged.
 */
export async function purgeResultPayloads(
  trx: Trx,
  jobId: string,
  purges: readonly PayloadPurge[],
): Promise<number> {
  if (purges.length === 0) return 0;
  const result = await sql`
    update request_results r set result = p.marker::jsonb
    from unnest(${purges.map((p) => p.ordinal)}::int[], ${purges.map((p) => p.attempt)}::int[],
                ${purges.map((p) => p.marker)}::text[]) as p(ordinal, attempt, marker)
    where r.job_id = ${jobId} and r.ordinal = p.ordinal and r.attempt = p.attempt
      and not (r.result ? 'purged' and r.result ? 'digest')`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** Every batch key the job's results are stored under. */
export async function resultBatchKeys(trx: Trx, jobId: string): Promise<string[]> {
  const { rows } = await sql<{ batch_key: string }>`
    select distinct batch_key from request_results
    where job_id = ${jobId} and batch_key is not null`.execute(trx);
  return rows.map((row) => row.batch_key);
}
