import { sql } from 'kysely';
import type { MessageParams } from '../../domain/request.schema.js';
import type { DbOrTrx } from '../schema/index.js';
import { waitsToBeSent } from './job-requests.js';

/**
 * The ordinals of the job's requests waiting to be sent (as selectSendableRequests), in order,
 * without their params: cache priming looks at every one of them on each submission, and reads
 * a request's params only the first time it meets it.
 */
export async function selectWaitingOrdinals(
  db: DbOrTrx,
  jobId: string,
  limit: number,
): Promise<number[]> {
  const rows = await sql<{ ordinal: number }>`
    select r.ordinal from job_requests r
    where ${waitsToBeSent(jobId)}
    order by r.ordinal
    limit ${limit}
  `.execute(db);
  return rows.rows.map((r) => r.ordinal);
}

/** The params of some of a job's requests (originals only: a duplicate's are not kept). */
export async function readRequestParams(
  db: DbOrTrx,
  jobId: string,
  ordinals: readonly number[],
): Promise<Array<{ ordinal: number; params: MessageParams }>> {
  if (ordinals.length === 0) return [];
  const rows = await sql<{ ordinal: number; params: MessageParams }>`
    select r.ordinal, r.params from job_requests r
    where r.job_id = ${jobId} and r.ordinal = any(${ordinals}::int[]) and r.params is not null
  `.execute(db);
  return rows.rows;
}
