import { sql } from 'kysely';
import { PreparedStatement } from '../prepared-statements.js';
import type { DbOrTrx } from '../schema/index.js';
import { inTransaction, type JobResultLine } from './read-job-results.js';
import type { ResultType } from './request-results.js';

/** A line of the merged view: the newest outcome along the retry chain and the job that produced it. */
export interface MergedResultLine extends JobResultLine {
  _producedBy: string;
}

// The job and every retry below it (`jobs.retry_of`, retries of retries too), the tenant's only:
// another tenant's job id gives an empty chain and so no lines. Then, for each request of the
// job in the page's range of ordinals, the newest job of the chain that holds a request with
// the same custom_id and has its final outcome (a duplicate's is its original's): one probe
// of job_requests_custom_id and one of request_results_final per job of the chain, stopped at
// the first found (LIMIT 1 on the newest first). A request a running retry has not answered
// yet shows its older outcome. `?type` filters the chosen outcome, not the candidates.
// Each line is built by Postgres from the stored jsonb's text, as read-job-results.ts does.
// Parameters: $1 job id, $2 tenant, $3 after ordinal, $4 through ordinal, $5 type or null.
const MERGED_RESULT_TEXT = new PreparedStatement<{ ordinal: number; line: string }>(
  'batchkeeper_job_merged_result_text',
  `with recursive chain (job_id, created_at) as (
     select j.id, j.created_at from jobs j where j.id = $1 and j.tenant = $2
     union all
     select j.id, j.created_at from jobs j join chain c on j.retry_of = c.job_id
     where j.tenant = $2
   )
   select r.ordinal,
     '{"custom_id":' || to_json(r.custom_id)::text || ',"result":' || p.result::text ||
     case when p.original_job_id is null then ''
          else ',"_deduplicated":true,"_originalJobId":' || to_json(p.original_job_id)::text
     end || ',"_producedBy":' || to_json(p.job_id)::text || '}' || chr(10) as line
   from job_requests r
   cross join lateral (
     select c.job_id, q.original_job_id, x.result, x.result_type
     from chain c
     join job_requests q on q.job_id = c.job_id and q.custom_id = r.custom_id
     cross join lateral (
       select x.result, x.result_type
       from request_results x
       where x.job_id = coalesce(q.original_job_id, q.job_id)
         and x.ordinal = coalesce(q.original_ordinal, q.ordinal)
         and x.final
       limit 1
     ) x
     order by c.created_at desc, c.job_id desc
     limit 1
   ) p
   where r.job_id = $1 and r.ordinal > $3 and r.ordinal <= $4
     and ($5::text is null or p.result_type = $5::text)
   order by r.ordinal`,
);

/** Requests a page of the merged view covers. */
const MERGED_PAGE_REQUESTS = 1_000;

/**
 * The merged view of a tenant's job as NDJSON text, a page of request ordinals at a time:
 * one line per request of the job with the newest final outcome along its retry chain and
 * `_producedBy`, in request order; nothing for another tenant's job. Like
 * iterateJobResultsText, no cursor or connection is held between pages.
 */
export async function* iterateMergedResultsText(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  options: { type?: ResultType | undefined } = {},
): AsyncGenerator<string> {
  for await (const page of mergedPages(db, tenant, jobId, options)) {
    let text = '';
    for (const row of page) text += row.line;
    if (text !== '') yield text;
  }
}

/** The merged view as objects (each line parsed), in request order. */
export async function* iterateMergedResults(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  options: { type?: ResultType | undefined } = {},
): AsyncGenerator<MergedResultLine> {
  for await (const page of mergedPages(db, tenant, jobId, options)) {
    for (const row of page) yield { ordinal: row.ordinal, ...JSON.parse(row.line) };
  }
}

async function* mergedPages(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  options: { type?: ResultType | undefined },
): AsyncGenerator<Array<{ ordinal: number; line: string }>> {
  const last = await sql<{ last: number | null }>`
    select max(r.ordinal) as last from job_requests r
    where r.job_id = ${jobId} and exists (select 1 from jobs j where j.id = ${jobId} and j.tenant = ${tenant})
  `.execute(db);
  const lastOrdinal = last.rows[0]?.last ?? null;
  if (lastOrdinal === null) return;
  for (let after = -1; after < lastOrdinal; after += MERGED_PAGE_REQUESTS) {
    const query = MERGED_RESULT_TEXT.bind([
      jobId,
      tenant,
      after,
      Math.min(lastOrdinal, after + MERGED_PAGE_REQUESTS),
      options.type ?? null,
    ]);
    // Every line is a probe per job of the chain (nested loops by design, no plan to steer):
    // only JIT is turned off, for the transaction (set_config's is_local), as read-job-results.ts
    // does for its pages: a cost estimate on fresh, unanalysed tables must not compile it.
    const { rows } = await inTransaction(db, async (trx) => {
      await sql`select set_config('jit', 'off', true)`.execute(trx);
      return trx.executeQuery(query);
    });
    yield rows;
  }
}
