import { ConflictError } from '../domain/errors.js';
import { isTerminalStatus, type JobStatus } from '../domain/job-status.js';
import { batchResultRows } from '../store/audit/batch-result-rows.js';
import { purgeRequestBodies, reusedOrdinals } from '../store/audit/purge-request-bodies.js';
import {
  type PayloadPurge,
  purgeResultPayloads,
  resultBatchKeys,
} from '../store/audit/purge-result-payloads.js';
import { readJobReadModel } from '../store/audit/read-audit-events.js';
import type { Db, Trx } from '../store/schema/index.js';
import { isPurgedPayload, type PurgedPayload, payloadDigest } from './results-digest.js';

const PURGE_CHUNK = 500;

/** What a purge removed. */
export interface PurgedCounts {
  /** Result payloads replaced by their digests. */
  results: number;
  /** Request bodies removed. */
  requestBodies: number;
}

/**
 * Removes the payloads of an ended (or deleted) job's results, keeping in each its digest
 * (`{"purged": true, "digest": ...}`), so the results digests its events carry, and so its
 * chain, still verify (docs/audit.md), and its request bodies. The events, outcomes and token
 * counts stay. A job still running is a ConflictError.
 */
export async function purgeJobResults(db: Db, jobId: string): Promise<PurgedCounts> {
  return db.transaction().execute(async (trx) => {
    const job = await readJobReadModel(trx, jobId);
    if (job && !isTerminalStatus(job.status as JobStatus)) {
      throw new ConflictError(
        `job ${jobId} is ${job.status}: only an ended job's results are purged`,
      );
    }
    return purgeJobPayloads(trx, jobId);
  });
}

/**
 * purgeJobResults inside the caller's transaction, with no check of the job's status (the
 * delete, which has just ended the job, calls it). What another job's duplicates reuse is kept.
 */
export async function purgeJobPayloads(trx: Trx, jobId: string): Promise<PurgedCounts> {
  const reused = await reusedOrdinals(trx, jobId);
  let results = 0;
  for (const batchKey of await resultBatchKeys(trx, jobId)) {
    let chunk: PayloadPurge[] = [];
    for await (const row of batchResultRows(trx, jobId, batchKey)) {
      if (isPurgedPayload(row.result) || reused.has(row.ordinal)) continue;
      const marker: PurgedPayload = { purged: true, digest: payloadDigest(row.result) };
      chunk.push({ ordinal: row.ordinal, attempt: row.attempt, marker: JSON.stringify(marker) });
      if (chunk.length >= PURGE_CHUNK) {
        results += await purgeResultPayloads(trx, jobId, chunk);
        chunk = [];
      }
    }
    results += await purgeResultPayloads(trx, jobId, chunk);
  }
  return { results, requestBodies: await purgeRequestBodies(trx, jobId) };
}
