import { sql } from 'kysely';
import type { AuditEvent } from '../../audit/audit-event.js';
import { hexOf } from '../event-store.js';
import type { DbOrTrx } from '../schema/index.js';

/** The streams to audit: the given ones, else every stream (of `tenant`, by event metadata). */
export async function auditStreamIds(
  db: DbOrTrx,
  filter: { streamIds?: readonly string[] | undefined; tenant?: string | undefined },
): Promise<string[]> {
  if (filter.streamIds && filter.streamIds.length > 0) return [...filter.streamIds];
  const { rows } = await sql<{ stream_id: string }>`
    select distinct stream_id from events
    where ${filter.tenant === undefined ? sql`true` : sql`metadata->>'tenant' = ${filter.tenant}`}
    order by stream_id`.execute(db);
  return rows.map((row) => row.stream_id);
}

/** A stream's events as stored, in version order, with their links. */
export async function readAuditEvents(db: DbOrTrx, streamId: string): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select([
      'stream_id',
      'version',
      'type',
      'data',
      'metadata',
      'recorded_at',
      'hash',
      'previous_hash',
    ])
    .where('stream_id', '=', streamId)
    .orderBy('version')
    .orderBy('position')
    .execute();
  return rows.map((row) => ({
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: row.data,
    metadata: row.metadata as Record<string, unknown>,
    recordedAt: row.recorded_at.toISOString(),
    hash: hexOf(row.hash),
    previousHash: hexOf(row.previous_hash),
  }));
}

/** The job's row in the read models, as far as the audit compares it. */
export async function readJobReadModel(
  db: DbOrTrx,
  jobId: string,
): Promise<{ version: number; status: string; tenant: string } | null> {
  const row = await db
    .selectFrom('jobs')
    .select(['version', 'status', 'tenant'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  return row ?? null;
}
