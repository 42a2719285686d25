import type { components } from '../api/openapi.generated.js';
import { formatTokens, formatUsd } from '../format.js';

type CacheReport = components['schemas']['CacheReport'];

/** A job's prompt-cache use, or null when it did not use the cache (no request asked for it). */
export function cacheReportText(cache: CacheReport | undefined): string | null {
  if (!cache || cache.hitRate === null) return null;
  const { fiveMinutes, oneHour } = cache.writeTokens;
  const saved = cache.savedUsd === null ? 'saving unknown' : `saved ${formatUsd(cache.savedUsd)}`;
  return (
    `${(cache.hitRate * 100).toFixed(1)}% hit · ${formatTokens(cache.readTokens)} read · ` +
    `${formatTokens(fiveMinutes + oneHour)} written (${formatTokens(fiveMinutes)} 5 m, ` +
    `${formatTokens(oneHour)} 1 h) · ${saved}`
  );
}
