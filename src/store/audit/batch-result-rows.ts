import type { DigestedResult } from '../../audit/results-digest.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * A batch's stored results after `afterOrdinal`/`afterAttempt`, in request order, `limit` at a
 * time (keyset pages on the primary key, so a large batch is read without holding it all).
 */
export async function readBatchResultRows(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
  after: { ordinal: number; attempt: number },
  limit: number,
): Promise<DigestedResult[]> {
  const rows = await db
    .selectFrom('request_results')
    .select([
      'ordinal',
      'attempt',
      'batch_key',
      'result_type',
      'error_type',
      'final',
      'result',
      'input_tokens',
      'output_tokens',
    ])
    .where('job_id', '=', jobId)
    .where('batch_key', '=', batchKey)
    .where((eb) =>
      eb.or([
        eb('ordinal', '>', after.ordinal),
        eb.and([eb('ordinal', '=', after.ordinal), eb('attempt', '>', after.attempt)]),
      ]),
    )
    .orderBy('ordinal')
    .orderBy('attempt')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    ordinal: row.ordinal,
    attempt: row.attempt,
    batchKey: row.batch_key,
    resultType: row.result_type,
    errorType: row.error_type,
    final: row.final,
    result: row.result,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
  }));
}

/** Every stored result of a batch, page by page, in request order. */
export async function* batchResultRows(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
  pageSize = 1_000,
): AsyncGenerator<DigestedResult> {
  let after = { ordinal: -1, attempt: 0 };
  for (;;) {
    const page = await readBatchResultRows(db, jobId, batchKey, after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    const last = page.at(-1)!;
    after = { ordinal: last.ordinal, attempt: last.attempt };
  }
}
