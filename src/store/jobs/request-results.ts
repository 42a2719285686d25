import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../schema/index.js';
import { storableJson, storableText } from './storable-json.js';

export type ResultType = 'succeeded' | 'errored' | 'canceled' | 'expired';

/** One outcome of one attempt of a request. */
export interface NewRequestResult {
  ordinal: number;
  attempt: number;
  batchKey: string | null;
  resultType: ResultType;
  errorType: string | null;
  final: boolean;
  /** Anthropic's result object: `{type, message}`, `{type, error}`, `{type}`. */
  result: unknown;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Stores outcomes; one already stored (same attempt, or a second final
 * outcome) is skipped, so reading a batch's results twice changes nothing.
 * A result whose text jsonb cannot hold (a NUL, a lone surrogate) is stored escaped and
 * flagged (storableJson), never refused: a refused insert would fail the same way on every retry.
 */
export async function insertRequestResults(
  trx: DbOrTrx,
  jobId: string,
  results: readonly NewRequestResult[],
  recordedAt: Date,
): Promise<number> {
  if (results.length === 0) return 0;
  const inserted = await trx
    .insertInto('request_results')
    .values(
      results.map((r) => ({
        job_id: jobId,
        ordinal: r.ordinal,
        attempt: r.attempt,
        batch_key: r.batchKey,
        result_type: r.resultType,
        error_type: r.errorType === null ? null : storableText(r.errorType),
        final: r.final,
        result: storableJson(r.result).text,
        input_tokens: r.inputTokens,
        output_tokens: r.outputTokens,
        recorded_at: recordedAt,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Which attempt each request of a batch is on: how many batches (this one included) it has
 * been in. Kept dense, two bytes a request between the batch's lowest and highest ordinal,
 * rather than a Map of up to 100,000 entries.
 */
export class BatchAttempts {
  constructor(
    private readonly first: number,
    private readonly counts: Uint16Array,
  ) {}

  /** The attempt number, or undefined when the ordinal is not in the batch. */
  of(ordinal: number): number | undefined {
    const count = this.counts[ordinal - this.first];
    return count === undefined || count === 0 ? undefined : count;
  }
}

export async function attemptsOfBatch(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<BatchAttempts> {
  const { rows } = await sql<{ ordinals: number[] | null; attempts: number[] | null }>`
    select array_agg(ordinal order by ordinal) as ordinals,
           array_agg(attempts order by ordinal) as attempts
    from (
      select br.ordinal, count(all_br.*)::int as attempts
      from batch_requests br
      join batch_requests all_br on all_br.job_id = br.job_id and all_br.ordinal = br.ordinal
      join job_batches b on b.job_id = all_br.job_id and b.batch_key = all_br.batch_key
      where br.job_id = ${jobId} and br.batch_key = ${batchKey}
      group by br.ordinal
    ) per_request
  `.execute(db);
  const ordinals = rows[0]?.ordinals ?? [];
  const attempts = rows[0]?.attempts ?? [];
  if (ordinals.length === 0) return new BatchAttempts(0, new Uint16Array(0));
  const first = ordinals[0]!;
  const counts = new Uint16Array(ordinals.at(-1)! - first + 1);
  ordinals.forEach((ordinal, i) => {
    counts[ordinal - first] = attempts[i]!;
  });
  return new BatchAttempts(first, counts);
}

/** A batch's outcomes as stored, with token totals per model. */
export interface BatchOutcomeCounts {
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
  retryable: number;
  tokensByModel: Array<{ model: string; inputTokens: number; outputTokens: number }>;
}

export async function countBatchOutcomes(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<BatchOutcomeCounts> {
  const counts = await sql<{ result_type: ResultType; final: boolean; n: number }>`
    select result_type, final, count(*)::int as n
    from request_results where job_id = ${jobId} and batch_key = ${batchKey}
    group by result_type, final
  `.execute(db);
  const tokens = await sql<{ model: string; input_tokens: number; output_tokens: number }>`
    select coalesce(result->'message'->>'model', '') as model,
           sum(input_tokens)::bigint as input_tokens, sum(output_tokens)::bigint as output_tokens
    from request_results where job_id = ${jobId} and batch_key = ${batchKey} and result_type = 'succeeded'
    group by 1
  `.execute(db);
  const outcome: BatchOutcomeCounts = {
    succeeded: 0,
    errored: 0,
    canceled: 0,
    expired: 0,
    retryable: 0,
    tokensByModel: tokens.rows.map((r) => ({
      model: r.model,
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
    })),
  };
  for (const row of counts.rows) {
    if (!row.final) outcome.retryable += row.n;
    else outcome[row.result_type] += row.n;
  }
  return outcome;
}

/**
 * Gives every original request of the job that has no final outcome the
 * outcome `result` (a job that ends cancelled, expired or failed still
 * accounts for every request). Returns how many were written.
 */
export async function finalizeUnfinishedRequests(
  trx: Trx,
  jobId: string,
  resultType: ResultType,
  result: unknown,
  errorType: string | null,
  recordedAt: Date,
): Promise<number> {
  const inserted = await sql`
    insert into request_results
      (job_id, ordinal, attempt, batch_key, result_type, error_type, final, result, recorded_at)
    select r.job_id, r.ordinal,
           coalesce((select max(x.attempt) from request_results x
                     where x.job_id = r.job_id and x.ordinal = r.ordinal), 0) + 1,
           null, ${resultType}, ${errorType}, true, ${JSON.stringify(result)}::jsonb, ${recordedAt}
    from job_requests r
    where r.job_id = ${jobId}
      and r.original_job_id is null
      and not exists (
        select 1 from request_results x where x.job_id = r.job_id and x.ordinal = r.ordinal and x.final)
  `.execute(trx);
  return Number(inserted.numAffectedRows ?? 0);
}

/** Whether a request already has its final outcome. */
export async function hasFinalResult(
  db: DbOrTrx,
  jobId: string,
  ordinal: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('request_results')
    .select('ordinal')
    .where('job_id', '=', jobId)
    .where('ordinal', '=', ordinal)
    .where('final', '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

/** Final outcomes over all of a job's requests, duplicates taking their original's. */
export async function countJobOutcomes(
  db: DbOrTrx,
  jobId: string,
): Promise<Record<ResultType, number>> {
  const rows = await sql<{ result_type: ResultType; n: number }>`
    select x.result_type, count(*)::int as n
    from job_requests r
    join request_results x
      on x.job_id = coalesce(r.original_job_id, r.job_id)
     and x.ordinal = coalesce(r.original_ordinal, r.ordinal)
     and x.final
    where r.job_id = ${jobId}
    group by x.result_type
  `.execute(db);
  const counts: Record<ResultType, number> = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  for (const row of rows.rows) counts[row.result_type] = row.n;
  return counts;
}

/**
 * Requests waiting at Anthropic, every tenant's and `tenant`'s own, and the tenant's override
 * of its share (tenant_limits), in one statement.
 */
export async function countTenantRequestsInFlight(
  db: DbOrTrx,
  tenant: string,
): Promise<{
  all: number;
  tenant: number;
  maxOverride: number | null;
  dailyBudgetOverride: number | null;
}> {
  const row = await sql<{
    total: number;
    mine: number;
    max_override: number | null;
    daily_budget: number | null;
  }>`
    select coalesce(sum(b.request_count), 0)::int as total,
           coalesce(sum(b.request_count) filter (where j.tenant = ${tenant}), 0)::int as mine,
           (select max_requests_in_flight from tenant_limits where tenant = ${tenant}) as max_override,
           (select daily_budget_usd from tenant_limits where tenant = ${tenant}) as daily_budget
    from job_batches b join jobs j on j.id = b.job_id
    where b.status in ('intended', 'submitted')
  `.execute(db);
  const r = row.rows[0];
  return {
    all: r?.total ?? 0,
    tenant: r?.mine ?? 0,
    maxOverride: r?.max_override ?? null,
    dailyBudgetOverride: r?.daily_budget ?? null,
  };
}
