import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/**
 * The correlation id (the request id) of whoever created a tenant's job: its first event's,
 * read by the events' unique (stream_id, version) index. Undefined for no such job, another
 * tenant's job, or a creation that named none.
 */
export async function findJobCreator(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
): Promise<string | undefined> {
  const { rows } = await sql<{ correlation_id: string | null }>`
    select metadata->>'correlationId' as correlation_id
    from events
    where stream_id = ${jobId} and version = 1 and metadata->>'tenant' = ${tenant}
  `.execute(db);
  return rows[0]?.correlation_id ?? undefined;
}
