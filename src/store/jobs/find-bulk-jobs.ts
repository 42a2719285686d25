import { sql } from 'kysely';
import type { BulkFilter } from '../../domain/job-bulk.schema.js';
import type { JobStatus } from '../../domain/job-status.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * The tenant's jobs a bulk action is about, oldest first (then by id), at most `limit`; read
 * without a lock: each job's command checks its state again when it runs.
 */
export async function findBulkJobs(
  db: DbOrTrx,
  tenant: string,
  filter: BulkFilter,
  limit: number,
): Promise<Array<{ id: string; status: JobStatus }>> {
  let query = db
    .selectFrom('jobs')
    .select(['id', 'status'])
    .where('tenant', '=', tenant)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.tag) query = query.where(sql<boolean>`tags @> ${sql.val([filter.tag])}::text[]`);
  if (filter.createdBefore) query = query.where('created_at', '<', new Date(filter.createdBefore));
  if (filter.createdAfter) query = query.where('created_at', '>=', new Date(filter.createdAfter));
  const rows = await query.execute();
  return rows.map((row) => ({ id: row.id, status: row.status as JobStatus }));
}
