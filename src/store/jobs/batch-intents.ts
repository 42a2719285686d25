import type { DbOrTrx } from '../schema/index.js';

/** A sub-batch recorded as intended whose Anthropic batch id was never recorded. */
export interface OpenIntent {
  jobId: string;
  batchKey: string;
  requestCount: number;
  intendedAt: Date;
}

/** Every Anthropic batch id some job knows as its own. */
export async function knownBatchIds(db: DbOrTrx): Promise<Set<string>> {
  const rows = await db
    .selectFrom('job_batches')
    .select('anthropic_batch_id')
    .where('anthropic_batch_id', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.anthropic_batch_id!));
}

/** Intents still waiting for their batch id, oldest first. */
export async function listOpenIntents(db: DbOrTrx): Promise<OpenIntent[]> {
  const rows = await db
    .selectFrom('job_batches')
    .select(['job_id', 'batch_key', 'request_count', 'intended_at'])
    .where('status', '=', 'intended')
    .orderBy('intended_at')
    .execute();
  return rows.map((r) => ({
    jobId: r.job_id,
    batchKey: r.batch_key,
    requestCount: r.request_count,
    intendedAt: r.intended_at,
  }));
}

/**
 * How many other open intents (of any job) have the same request count: while
 * there are some, a batch of that size at Anthropic may be theirs rather than this one's.
 */
export async function countRivalIntents(db: DbOrTrx, intent: OpenIntent): Promise<number> {
  const row = await db
    .selectFrom('job_batches')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'intended')
    .where('request_count', '=', intent.requestCount)
    .where((eb) =>
      eb.or([eb('job_id', '!=', intent.jobId), eb('batch_key', '!=', intent.batchKey)]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The ordinals of the requests a sub-batch holds. */
export async function batchOrdinals(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<Set<number>> {
  const rows = await db
    .selectFrom('batch_requests')
    .select('ordinal')
    .where('job_id', '=', jobId)
    .where('batch_key', '=', batchKey)
    .execute();
  return new Set(rows.map((r) => r.ordinal));
}
