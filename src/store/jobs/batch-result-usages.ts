import { sql } from 'kysely';
import type { ReportedUsage } from '../../domain/job-cost.js';
import type { DbOrTrx } from '../schema/index.js';

/** The model and `usage` of each succeeded result stored for a batch (to price them again, one by one). */
export async function readBatchResultUsages(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<Array<{ model: string; usage: ReportedUsage }>> {
  const { rows } = await sql<{ model: string; usage: ReportedUsage }>`
    select coalesce(result->'message'->>'model', '') as model, result->'message'->'usage' as usage
    from request_results
    where job_id = ${jobId} and batch_key = ${batchKey} and result_type = 'succeeded'
  `.execute(db);
  return rows;
}
