import type { CacheReport } from '../domain/cache-report.js';

/** `980`, `5.0k`, `4.9M`. */
function compactTokens(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Cents from a dollar up, four decimals below (a small job's saving is a fraction of a cent). */
function savedUsd(usd: number): string {
  return `$${usd.toFixed(Math.abs(usd) >= 1 ? 2 : 4)}`;
}

/**
 * A job's cache use on one line, or null when it did not use the cache.
 * @example formatCacheReport(job.cache) // '98.9% hit · 4.9M read · 5.0k written · saved $12.34'
 */
export function formatCacheReport(cache: CacheReport | undefined): string | null {
  if (cache === undefined || cache.hitRate === null) return null;
  const written = cache.writeTokens.fiveMinutes + cache.writeTokens.oneHour;
  const saved = cache.savedUsd === null ? 'saving unknown' : `saved ${savedUsd(cache.savedUsd)}`;
  return (
    `${(cache.hitRate * 100).toFixed(1)}% hit · ${compactTokens(cache.readTokens)} read · ` +
    `${compactTokens(written)} written · ${saved}`
  );
}
