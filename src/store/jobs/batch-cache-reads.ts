import { sql } from 'kysely';
import type { CacheReadTtl } from '../../domain/cache-report.js';
import type { ReportedUsage } from '../../domain/job-cost.js';
import type { DbOrTrx } from '../schema/index.js';

/** A stored succeeded result that read the prompt cache, with the TTL its request asked for. */
export interface CacheReadRow {
  model: string;
  usage: ReportedUsage;
  ttl: CacheReadTtl;
}

/**
 * The batch's succeeded results that read the cache. `ttl` is `1h` when every `cache_control`
 * in the request's params asks for the 1-hour TTL, else `5m` (also for params purged or not
 * stored): see `CacheReadTtl`.
 */
export async function readBatchCacheReads(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<CacheReadRow[]> {
  const { rows } = await sql<CacheReadRow>`
    select coalesce(r.result->'message'->>'model', '') as model,
           r.result->'message'->'usage' as usage,
           case when jsonb_path_exists(q.params, '$.**.cache_control')
                 and not jsonb_path_exists(q.params, '$.**.cache_control ? (!exists(@.ttl) || @.ttl != "1h")')
                then '1h' else '5m' end as ttl
    from request_results r
    left join job_requests q on q.job_id = r.job_id and q.ordinal = r.ordinal
    where r.job_id = ${jobId} and r.batch_key = ${batchKey} and r.result_type = 'succeeded'
      and coalesce((r.result->'message'->'usage'->>'cache_read_input_tokens')::bigint, 0) > 0
  `.execute(db);
  return rows;
}
