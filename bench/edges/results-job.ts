import { sql } from 'kysely';
import type { Db } from '../../src/store/schema/index.js';
import { benchRequestItem } from './job-bodies.js';

/**
 * Creates a job of `count` requests through `POST /v1/jobs` (an NDJSON upload) and gives
 * every request a final succeeded result shaped like the simulator's, written straight
 * into `request_results` as the collector stores them. Returns the job id.
 */
export async function seedResultsJob(serveUrl: string, db: Db, count: number): Promise<string> {
  const lines = Array.from(
    { length: count },
    (_, n) => `${JSON.stringify(benchRequestItem(n, 'results'))}\n`,
  );
  const created = await fetch(`${serveUrl}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join(''),
  });
  if (created.status !== 201) {
    throw new Error(`POST /v1/jobs answered ${created.status}: ${await created.text()}`);
  }
  const { id } = (await created.json()) as { id: string };
  await sql`
    insert into request_results (job_id, ordinal, attempt, batch_key, result_type, error_type,
                                 final, result, input_tokens, output_tokens, recorded_at)
    select job_id, ordinal, 1, 'bench', 'succeeded', null, true,
           jsonb_build_object(
             'type', 'succeeded',
             'message', jsonb_build_object(
               'id', 'msg_bench_' || lpad(ordinal::text, 8, '0'),
               'type', 'message', 'role', 'assistant', 'model', 'claude-sonnet-5-5',
               'content', jsonb_build_array(jsonb_build_object(
                 'type', 'text',
                 'text', 'Simulated reply to 14 input tokens: question ' || ordinal || ' squared is '
                         || (ordinal::bigint * ordinal) || '. ' || repeat('And so on. ', 12))),
               'stop_reason', 'end_turn', 'stop_sequence', null,
               'usage', jsonb_build_object('input_tokens', 14, 'output_tokens', 60,
                                           'cache_creation_input_tokens', 0,
                                           'cache_read_input_tokens', 0, 'service_tier', 'batch'))),
           14, 60, now()
    from job_requests where job_id = ${id}
  `.execute(db);
  return id;
}

/**
 * The COPY that emits the same lines as GET /v1/jobs/:id/results: the same join (a duplicate
 * takes its original's outcome), in request order, one `{"custom_id", "result"}` a line.
 */
export function resultsCopySql(jobId: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(jobId)) throw new Error(`unexpected job id ${jobId}`);
  return `copy (
    select '{"custom_id":' || to_json(r.custom_id)::text || ',"result":' || x.result::text || '}'
    from job_requests r
    join request_results x
      on x.job_id = coalesce(r.original_job_id, r.job_id)
     and x.ordinal = coalesce(r.original_ordinal, r.ordinal)
     and x.final
    where r.job_id = '${jobId}'
    order by r.ordinal
  ) to stdout`;
}
