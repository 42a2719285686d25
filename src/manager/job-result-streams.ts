import type { DatabaseHandle } from '../store/create-database.js';
import { iterateJobResultsBytes } from '../store/jobs/copy-job-results.js';
import {
  iterateJobResultsText,
  type JobResultLine,
  readJobResults,
} from '../store/jobs/read-job-results.js';
import {
  iterateMergedResults,
  iterateMergedResultsText,
} from '../store/jobs/read-merged-job-results.js';
import type { ResultType } from '../store/jobs/request-results.js';

/** Which results: of one type, and `merged` along the job's retry chain (with `_producedBy`). */
export interface ResultStreamOptions {
  type?: ResultType | undefined;
  merged?: boolean | undefined;
}

/** Results read a page at a time by resultLines. */
const RESULTS_PAGE = 1000;

/** A tenant's job's final results in request order as objects, page by page (bounded memory). */
export async function* resultLines(
  database: DatabaseHandle,
  tenant: string,
  jobId: string,
  options: ResultStreamOptions,
): AsyncGenerator<JobResultLine> {
  if (options.merged) {
    yield* iterateMergedResults(database.db, tenant, jobId, options);
    return;
  }
  let afterOrdinal = -1;
  for (;;) {
    const page = await readJobResults(database.db, tenant, jobId, {
      afterOrdinal,
      limit: RESULTS_PAGE,
      type: options.type,
    });
    yield* page;
    if (page.length < RESULTS_PAGE) return;
    afterOrdinal = page.at(-1)!.ordinal;
  }
}

/** The same as NDJSON text, as Postgres keeps it (never parsed here), about 1 MiB a chunk. */
export async function* resultText(
  database: DatabaseHandle,
  tenant: string,
  jobId: string,
  options: ResultStreamOptions,
): AsyncGenerator<string> {
  if (options.merged) {
    yield* iterateMergedResultsText(database.db, tenant, jobId, options);
    return;
  }
  yield* iterateJobResultsText(database.db, tenant, jobId, options);
}

/** The same as UTF-8 bytes: on a real Postgres read by COPY, never decoded here. */
export async function* resultBytes(
  database: DatabaseHandle,
  tenant: string,
  jobId: string,
  options: ResultStreamOptions,
): AsyncGenerator<Uint8Array> {
  if (database.copyOut && !options.merged) {
    yield* iterateJobResultsBytes(database.db, database.copyOut, tenant, jobId, options);
    return;
  }
  const encoder = new TextEncoder();
  for await (const text of resultText(database, tenant, jobId, options)) {
    yield encoder.encode(text);
  }
}
