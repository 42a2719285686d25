import { sql } from 'kysely';
import type { MessageParams } from '../../domain/request.schema.js';
import type { DbOrTrx, Trx } from '../schema/index.js';

// Rows go in as columns of arrays (`unnest`): one statement per chunk with a
// handful of parameters, however many rows, instead of several parameters a row.
const CHUNK = 10_000;

/** A request as stored with its job: its place, its fingerprint and, for a duplicate, its original. */
export interface StoredRequest {
  ordinal: number;
  customId: string;
  params: MessageParams;
  fingerprint: string;
  original: { jobId: string; ordinal: number } | null;
}

/** Writes a job's requests (and the fingerprints of its originals) in chunks. */
export async function insertJobRequests(
  trx: Trx,
  tenant: string,
  jobId: string,
  requests: readonly StoredRequest[],
  createdAt: Date,
): Promise<void> {
  for (let i = 0; i < requests.length; i += CHUNK) {
    const chunk = requests.slice(i, i + CHUNK);
    // A duplicate is never sent: its params need not be kept twice.
    await sql`
      insert into job_requests
        (job_id, ordinal, custom_id, params, fingerprint, original_job_id, original_ordinal)
      select ${jobId}, r.*
      from unnest(
        ${chunk.map((r) => r.ordinal)}::int[],
        ${chunk.map((r) => r.customId)}::text[],
        ${chunk.map((r) => (r.original ? null : JSON.stringify(r.params)))}::jsonb[],
        ${chunk.map((r) => r.fingerprint)}::text[],
        ${chunk.map((r) => r.original?.jobId ?? null)}::text[],
        ${chunk.map((r) => r.original?.ordinal ?? null)}::int[]
      ) as r
    `.execute(trx);
    const originals = chunk.filter((r) => !r.original);
    if (originals.length > 0) {
      await sql`
        insert into request_fingerprints (tenant, fingerprint, job_id, ordinal, created_at)
        select ${tenant}, r.fingerprint, ${jobId}, r.ordinal, ${createdAt}::timestamptz
        from unnest(
          ${originals.map((r) => r.fingerprint)}::text[],
          ${originals.map((r) => r.ordinal)}::int[]
        ) as r (fingerprint, ordinal)
      `.execute(trx);
    }
  }
}

/**
 * For each fingerprint, the most recent original request of the tenant within
 * the window whose job may still give it an answer (not deleted, cancelled,
 * failed or expired).
 */
export async function findDuplicateOriginals(
  db: DbOrTrx,
  tenant: string,
  fingerprints: readonly string[],
  since: Date,
): Promise<Map<string, { jobId: string; ordinal: number }>> {
  const found = new Map<string, { jobId: string; ordinal: number }>();
  const unique = [...new Set(fingerprints)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom('request_fingerprints as f')
      .innerJoin('jobs as j', 'j.id', 'f.job_id')
      .select(['f.fingerprint', 'f.job_id', 'f.ordinal', 'f.created_at'])
      .where('f.tenant', '=', tenant)
      .where('f.fingerprint', '=', sql<string>`any(${chunk}::text[])`)
      .where('f.created_at', '>', since)
      .where('j.status', 'not in', ['cancelled', 'failed', 'expired'])
      .orderBy('f.created_at', 'desc')
      .execute();
    for (const row of rows) {
      if (!found.has(row.fingerprint))
        found.set(row.fingerprint, { jobId: row.job_id, ordinal: row.ordinal });
    }
  }
  return found;
}

/** A request ready to be sent: its ordinal, its params, and their size as JSON. */
export interface SendableRequest {
  ordinal: number;
  params: MessageParams;
  bytes: number;
}

/**
 * Originals of a job with no final outcome and not in a batch that is still
 * open: the ones to send next, in order.
 */
export async function selectSendableRequests(
  db: DbOrTrx,
  jobId: string,
  limit: number,
): Promise<SendableRequest[]> {
  const rows = await sql<{ ordinal: number; params: MessageParams; bytes: number }>`
    select r.ordinal, r.params, octet_length(r.params::text) as bytes
    from job_requests r
    where r.job_id = ${jobId}
      and r.original_job_id is null
      and not exists (
        select 1 from request_results x
        where x.job_id = r.job_id and x.ordinal = r.ordinal and x.final)
      and not exists (
        select 1 from batch_requests br
        join job_batches b on b.job_id = br.job_id and b.batch_key = br.batch_key
        where br.job_id = r.job_id and br.ordinal = r.ordinal and b.status <> 'collected')
    order by r.ordinal
    limit ${limit}
  `.execute(db);
  return rows.rows.map((r) => ({ ordinal: r.ordinal, params: r.params, bytes: Number(r.bytes) }));
}

/**
 * Puts the next requests to send into a new batch, in one statement: originals
 * of the job with no final outcome and not in a batch still open, in order, up
 * to `limit` requests and `maxBytes` of params (each counted with 100 bytes for
 * its envelope; the first is taken whatever its size). Returns them with their params.
 */
export async function takeSendableRequests(
  trx: Trx,
  jobId: string,
  batchKey: string,
  limit: number,
  maxBytes: number,
): Promise<Array<{ ordinal: number; params: MessageParams }>> {
  const rows = await sql<{ ordinal: number; params: MessageParams }>`
    with candidates as (
      select r.ordinal, r.params,
             sum(octet_length(r.params::text) + 100) over (order by r.ordinal) as running
      from job_requests r
      where r.job_id = ${jobId}
        and r.original_job_id is null
        and not exists (
          select 1 from request_results x
          where x.job_id = r.job_id and x.ordinal = r.ordinal and x.final)
        and not exists (
          select 1 from batch_requests br
          join job_batches b on b.job_id = br.job_id and b.batch_key = br.batch_key
          where br.job_id = r.job_id and br.ordinal = r.ordinal and b.status <> 'collected')
      order by r.ordinal
      limit ${limit}
    ), chosen as (
      select ordinal, params from candidates
      where running <= ${maxBytes} or ordinal = (select min(ordinal) from candidates)
    ), taken as (
      insert into batch_requests (job_id, batch_key, ordinal)
      select ${jobId}, ${batchKey}, ordinal from chosen
      returning ordinal
    )
    select c.ordinal, c.params from chosen c join taken t using (ordinal) order by c.ordinal
  `.execute(trx);
  return rows.rows;
}

/** Records which requests an intended batch holds. */
export async function insertBatchRequests(
  trx: Trx,
  jobId: string,
  batchKey: string,
  ordinals: readonly number[],
): Promise<void> {
  for (let i = 0; i < ordinals.length; i += CHUNK * 5) {
    await sql`
      insert into batch_requests (job_id, batch_key, ordinal)
      select ${jobId}, ${batchKey}, ordinal
      from unnest(${ordinals.slice(i, i + CHUNK * 5)}::int[]) as ordinal
    `.execute(trx);
  }
}

/** The requests of a batch with their params, as they are sent (ordinal order). */
export async function readBatchRequests(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<Array<{ ordinal: number; params: MessageParams }>> {
  const rows = await db
    .selectFrom('batch_requests as br')
    .innerJoin('job_requests as r', (join) =>
      join.onRef('r.job_id', '=', 'br.job_id').onRef('r.ordinal', '=', 'br.ordinal'),
    )
    .select(['br.ordinal', 'r.params'])
    .where('br.job_id', '=', jobId)
    .where('br.batch_key', '=', batchKey)
    .orderBy('br.ordinal')
    .execute();
  return rows.map((r) => ({ ordinal: r.ordinal, params: r.params as MessageParams }));
}

/** Duplicates of this job whose original has no final outcome yet. */
export async function countWaitingDuplicates(db: DbOrTrx, jobId: string): Promise<number> {
  const row = await sql<{ waiting: number }>`
    select count(*)::int as waiting
    from job_requests r
    where r.job_id = ${jobId}
      and r.original_job_id is not null
      and not exists (
        select 1 from request_results x
        where x.job_id = r.original_job_id and x.ordinal = r.original_ordinal and x.final)
  `.execute(db);
  return row.rows[0]?.waiting ?? 0;
}

/** The ordinal of a request by its custom_id, or undefined. */
export async function findRequestOrdinal(
  db: DbOrTrx,
  jobId: string,
  customId: string,
): Promise<{ ordinal: number; isDuplicate: boolean } | undefined> {
  const row = await db
    .selectFrom('job_requests')
    .select(['ordinal', 'original_job_id'])
    .where('job_id', '=', jobId)
    .where('custom_id', '=', customId)
    .executeTakeFirst();
  return row ? { ordinal: row.ordinal, isDuplicate: row.original_job_id !== null } : undefined;
}
