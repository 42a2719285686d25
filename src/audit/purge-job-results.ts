import { ConflictError } from '../domain/errors.js';
import { isTerminalStatus, type JobStatus } from '../domain/job-status.js';
import { batchResultRows } from '../store/audit/batch-result-rows.js';
import {
  type PayloadPurge,
  purgeResultPayloads,
  resultBatchKeys,
} from '../store/audit/purge-result-payloads.js';
import { readJobReadModel } from '../store/audit/read-audit-events.js';
import type { Db } from '../store/schema/index.js';
import { isPurgedPayload, type PurgedPayload, payloadDigest } from './results-digest.js';

const PURGE_CHUNK = 500;

/**
 * Removes the payloads of an ended (or deleted) job's results, keeping in each its digest
 * (`{"purged": true, "digest": ...}`), so the results digests its events carry, and so its
 * chain, still verify (docs/audit.md). The events, outcomes and token counts stay. A job still
 * running is a ConflictError. Returns how many payloads it purged.
 */
export async function purgeJobResults(db: Db, jobId: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const job = await readJobReadModel(trx, jobId);
    if (job && !isTerminalStatus(job.status as JobStatus)) {
      throw new ConflictError(
        `job ${jobId} is ${job.status}: only an ended job's results are purged`,
      );
    }
    let purged = 0;
    for (const batchKey of await resultBatchKeys(trx, jobId)) {
      let chunk: PayloadPurge[] = [];
      for await (const row of batchResultRows(trx, jobId, batchKey)) {
        if (isPurgedPayload(row.result)) continue;
        const marker: PurgedPayload = { purged: true, digest: payloadDigest(row.result) };
        chunk.push({ ordinal: row.ordinal, attempt: row.attempt, marker: JSON.stringify(marker) });
        if (chunk.length >= PURGE_CHUNK) {
          purged += await purgeResultPayloads(trx, jobId, chunk);
          chunk = [];
        }
      }
      purged += await purgeResultPayloads(trx, jobId, chunk);
    }
    return purged;
  });
}
