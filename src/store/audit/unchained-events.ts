import { sql } from 'kysely';
import type { Trx } from '../schema/index.js';

/** One event as chaining reads it: what its link covers, and its hash if it has one. */
export interface ChainRow {
  position: number;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  /** To the millisecond: chaining stores the time truncated to what the link covers. */
  recordedAt: Date;
  hash: Uint8Array | null;
}

/**
 * The streams with an event at a position in (after, until], the first `limit` of them by
 * position, and the highest position the walk covered. Walks the primary key, so each call
 * costs the size of its batch, not of the log.
 */
export async function streamsInPositions(
  trx: Trx,
  after: number,
  until: number,
  limit: number,
): Promise<{ streamIds: string[]; upTo: number }> {
  const { rows } = await sql<{ stream_id: string; position: string }>`
    select stream_id, position from events
    where position > ${after} and position <= ${until}
    order by position limit ${limit}`.execute(trx);
  if (rows.length < limit) return { streamIds: unique(rows), upTo: until };
  return { streamIds: unique(rows), upTo: Number(rows.at(-1)!.position) };
}

/** Up to `limit` streams holding an event not chained yet (a scan: run once, at the end). */
export async function streamsWithUnchainedEvents(trx: Trx, limit: number): Promise<string[]> {
  const { rows } = await sql<{ stream_id: string }>`
    select distinct stream_id from events where hash is null limit ${limit}`.execute(trx);
  return rows.map((row) => row.stream_id);
}

/** The streams' events in version order, each stream's together. */
export async function readChainRows(trx: Trx, streamIds: readonly string[]): Promise<ChainRow[]> {
  if (streamIds.length === 0) return [];
  const { rows } = await sql<{
    position: string;
    stream_id: string;
    version: number;
    type: string;
    data: unknown;
    metadata: unknown;
    recorded_at: Date;
    hash: Uint8Array | null;
  }>`
    select position, stream_id, version, type, data, metadata,
           date_trunc('milliseconds', recorded_at) as recorded_at, hash
    from events where stream_id = any(${streamIds as string[]}::text[])
    order by stream_id, version`.execute(trx);
  return rows.map((row) => ({
    position: Number(row.position),
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    hash: row.hash,
  }));
}

/** A link computed for an unchained event. */
export interface ComputedLink {
  position: number;
  hash: string;
  previousHash: string | null;
}

/**
 * Stores the links in one statement, only on events still unchained (another chainer may
 * have been first: it computed the same links). The time is truncated to the millisecond the
 * link covers. Returns how many events it chained.
 */
export async function storeLinks(trx: Trx, links: readonly ComputedLink[]): Promise<number> {
  if (links.length === 0) return 0;
  const result = await sql`
    update events e
    set hash = decode(l.hash, 'hex'),
        previous_hash = decode(l.previous_hash, 'hex'),
        recorded_at = date_trunc('milliseconds', e.recorded_at)
    from unnest(${links.map((l) => l.position)}::bigint[], ${links.map((l) => l.hash)}::text[],
                ${links.map((l) => l.previousHash)}::text[]) as l(position, hash, previous_hash)
    where e.position = l.position and e.hash is null`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

function unique(rows: readonly { stream_id: string }[]): string[] {
  return [...new Set(rows.map((row) => row.stream_id))];
}
