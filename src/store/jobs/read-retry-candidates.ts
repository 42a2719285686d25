import { sql } from 'kysely';
import type { OriginalRef } from '../../domain/job.plan.js';
import type { RetryCandidate } from '../../domain/job-retry.plan.js';
import type { MessageParams } from '../../domain/request.schema.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * Every request of a job with its final outcome (a duplicate's is its original's), in order:
 * what a retry chooses from. One index probe per request (request_results_final).
 */
export async function readRetryCandidates(db: DbOrTrx, jobId: string): Promise<RetryCandidate[]> {
  const rows = await sql<{
    ordinal: number;
    custom_id: string;
    result_type: RetryCandidate['resultType'];
    error_type: string | null;
  }>`
    select r.ordinal, r.custom_id, x.result_type, x.error_type
    from job_requests r
    left join lateral (
      select x.result_type, x.error_type
      from request_results x
      where x.job_id = coalesce(r.original_job_id, r.job_id)
        and x.ordinal = coalesce(r.original_ordinal, r.ordinal)
        and x.final
      limit 1
    ) x on true
    where r.job_id = ${jobId}
    order by r.ordinal
  `.execute(db);
  return rows.rows.map((r) => ({
    ordinal: r.ordinal,
    customId: r.custom_id,
    resultType: r.result_type ?? null,
    errorType: r.error_type,
  }));
}

/**
 * The params of some requests of a job, in order; a duplicate's are its original's (they are
 * kept once, with the original).
 */
export async function readRequestParams(
  db: DbOrTrx,
  jobId: string,
  ordinals: readonly number[],
): Promise<Array<{ ordinal: number; customId: string; params: MessageParams }>> {
  const rows = await sql<{ ordinal: number; custom_id: string; params: MessageParams }>`
    select r.ordinal, r.custom_id, coalesce(r.params, o.params) as params
    from job_requests r
    left join job_requests o
      on o.job_id = r.original_job_id and o.ordinal = r.original_ordinal
    where r.job_id = ${jobId} and r.ordinal = any(${ordinals}::int[])
    order by r.ordinal
  `.execute(db);
  return rows.rows.map((r) => ({ ordinal: r.ordinal, customId: r.custom_id, params: r.params }));
}

/** The final result type of each of these requests that has one, keyed `jobId:ordinal`. */
export async function readFinalResultTypes(
  db: DbOrTrx,
  requests: readonly OriginalRef[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (requests.length === 0) return found;
  const rows = await sql<{ job_id: string; ordinal: number; result_type: string }>`
    select x.job_id, x.ordinal, x.result_type
    from unnest(${requests.map((r) => r.jobId)}::text[], ${requests.map((r) => r.ordinal)}::int[])
      as q (job_id, ordinal)
    join request_results x on x.job_id = q.job_id and x.ordinal = q.ordinal and x.final
  `.execute(db);
  for (const row of rows.rows) found.set(`${row.job_id}:${row.ordinal}`, row.result_type);
  return found;
}
