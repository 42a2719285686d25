import type { JobState } from '../domain/job.state.js';
import { cacheReadTokens, cacheSavedUsd, cacheWriteTokens } from '../observability/metrics.js';

/** The cache tokens and saving a committed change added (a saving that became unknown adds nothing). */
export function recordCacheChange(before: JobState, after: JobState): void {
  const tenant = after.tenant;
  const read = after.billed.cacheReadTokens - before.billed.cacheReadTokens;
  const write5m = after.billed.cacheWrite5mTokens - before.billed.cacheWrite5mTokens;
  const write1h = after.billed.cacheWrite1hTokens - before.billed.cacheWrite1hTokens;
  if (read > 0) cacheReadTokens.inc({ tenant }, read);
  if (write5m > 0) cacheWriteTokens.inc({ tenant, ttl: '5m' }, write5m);
  if (write1h > 0) cacheWriteTokens.inc({ tenant, ttl: '1h' }, write1h);
  const was = before.billed.cacheSavedUsd;
  const now = after.billed.cacheSavedUsd;
  if (was === null || now === null) return;
  if (now > was) cacheSavedUsd.inc({ tenant }, now - was);
}
