import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/**
 * A tenant's errored results recorded since `since` (every attempt, retried ones too), by
 * Anthropic's error type (`unknown` when the result named none). Reads the errored results by
 * time (`request_results_errored_by_time`), then keeps the tenant's through their job's row:
 * a deleted job's results are not counted.
 */
export async function countErrorsByType(
  db: DbOrTrx,
  tenant: string,
  since: Date,
): Promise<Record<string, number>> {
  const { rows } = await sql<{ error_type: string; n: number }>`
    select coalesce(x.error_type, 'unknown') as error_type, count(*)::int as n
    from request_results x
    join jobs j on j.id = x.job_id
    where x.result_type = 'errored'
      and x.recorded_at >= ${since}
      and j.tenant = ${tenant}
    group by 1
    order by 1`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.error_type, r.n]));
}
