import { CacheSavingTally } from '../domain/cache-report.js';
import type { PriceTable } from '../domain/pricing.js';
import { readBatchCacheReads } from '../store/jobs/batch-cache-reads.js';
import type { Db } from '../store/schema/index.js';

/**
 * What a collected batch's cache reads saved (`CacheReport.savedUsd`), from its stored results
 * and their requests' TTLs. A batch that read nothing saved 0 and costs no query.
 */
export async function batchCacheSavedUsd(
  db: Db,
  jobId: string,
  batchKey: string,
  cacheReadTokens: number,
  table: PriceTable,
): Promise<number | null> {
  if (cacheReadTokens === 0) return 0;
  const tally = new CacheSavingTally(table);
  for (const row of await readBatchCacheReads(db, jobId, batchKey)) {
    tally.add(row.model, row.usage, row.ttl);
  }
  return tally.total();
}
