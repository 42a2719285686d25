import { batchResultRows } from '../store/audit/batch-result-rows.js';
import type { DbOrTrx } from '../store/schema/index.js';
import { ResultsDigest } from './results-digest.js';

/** The digest of the results stored for a batch (what its BatchResultsCollected accounts for). */
export async function storedBatchResultsDigest(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<{ digest: string; count: number }> {
  const digest = new ResultsDigest();
  for await (const row of batchResultRows(db, jobId, batchKey)) digest.add(row);
  return { digest: digest.digest(), count: digest.count };
}
