// Apart from cache-report.ts so that job-cost.ts can use it without an import cycle.

/**
 * A job's saving after a batch's: the batch's `cacheSavedUsd`, or, for an event written before
 * it was kept, 0 when the batch read nothing and unknown when it read the cache or predates the
 * cache-token counts (migration 0019 sets the same for the jobs it finds).
 */
export function addCacheSaving(
  total: number | null,
  batch: { cacheReadTokens?: number; cacheSavedUsd?: number | null },
): number | null {
  const saved =
    batch.cacheSavedUsd !== undefined
      ? batch.cacheSavedUsd
      : batch.cacheReadTokens === 0
        ? 0
        : null;
  return total === null || saved === null ? null : Math.round((total + saved) * 1e6) / 1e6;
}
