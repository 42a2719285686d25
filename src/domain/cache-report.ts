import {
  billedTokensOf,
  promptTokensOf,
  type ReportedUsage,
  requestPrices,
  roundUsd,
} from './job-cost.js';
import { type PriceTable, SHIPPED_PRICE_TABLE } from './pricing.js';

/**
 * The TTL of the cache entries a request read: `1h` when every `cache_control` of its params
 * asks for the 1-hour TTL, `5m` otherwise (the default TTL, a request mixing TTLs, or params
 * no longer stored). `5m` is the cheaper write, so where the TTL is not known for sure the
 * saving is a lower bound.
 */
export type CacheReadTtl = '5m' | '1h';

/**
 * A job's prompt-cache use, summed over its succeeded results.
 * - `readTokens`: `usage.cache_read_input_tokens`.
 * - `writeTokens`: `usage.cache_creation` by TTL (a result without the breakdown counts all of
 *   `cache_creation_input_tokens` as 5-minute writes).
 * - `hitRate`: readTokens / (readTokens + both writes); null when no result read or wrote the
 *   cache (no request asked for caching, or the cached prefixes were too short to cache).
 * - `savedUsd`: what the same requests would have cost without a warm cache, minus what they
 *   cost: in a cold batch no request reads another's write, so each token read would have been
 *   written at its TTL's price. Σ over results of read tokens × (write price at the read's TTL −
 *   read price), at batch prices, priced per request and model (long-prompt rule included).
 *   0 when nothing was read; null when unknown (a result that read the cache has a model
 *   without a price, or was collected before the saving was kept).
 */
export interface CacheReport {
  readTokens: number;
  writeTokens: { fiveMinutes: number; oneHour: number };
  hitRate: number | null;
  savedUsd: number | null;
}

/** The cache tokens a job's state or row keeps. */
export interface CacheTokens {
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
}

/** Read tokens over read plus written tokens (4 decimals); null when the cache was not used. */
export function cacheHitRate(tokens: CacheTokens): number | null {
  const used = tokens.cacheReadTokens + tokens.cacheWrite5mTokens + tokens.cacheWrite1hTokens;
  if (used === 0) return null;
  return Math.round((tokens.cacheReadTokens / used) * 10_000) / 10_000;
}

export function cacheReportOf(tokens: CacheTokens, savedUsd: number | null): CacheReport {
  return {
    readTokens: tokens.cacheReadTokens,
    writeTokens: { fiveMinutes: tokens.cacheWrite5mTokens, oneHour: tokens.cacheWrite1hTokens },
    hitRate: cacheHitRate(tokens),
    savedUsd,
  };
}

/**
 * What one result's cache reads saved at batch prices (unrounded): its read tokens times the
 * write price at `ttl` less the read price; null for a model the table does not price.
 * @example cacheSavingOf('claude-sonnet-4-5', { cache_read_input_tokens: 1_000_000 }, '5m') // 1.725: (3.75 - 0.3) / 2
 */
export function cacheSavingOf(
  model: string,
  usage: ReportedUsage,
  ttl: CacheReadTtl,
  table: PriceTable = SHIPPED_PRICE_TABLE,
): number | null {
  const tokens = billedTokensOf({
    ...usage,
    input_tokens: usage?.input_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? 0,
  });
  if (tokens.cacheReadTokens === 0) return 0;
  const prices = requestPrices(model, promptTokensOf(tokens), table);
  if (prices === null) return null;
  const write = ttl === '1h' ? prices.cacheWrite1h : prices.cacheWrite;
  return ((tokens.cacheReadTokens * (write - prices.cacheRead)) / 1_000_000) * table.batchDiscount;
}

/** Cache savings summed result by result; unknown (null) once one result's is. */
export class CacheSavingTally {
  #savedUsd: number | null = 0;

  constructor(private readonly table: PriceTable = SHIPPED_PRICE_TABLE) {}

  add(model: string, usage: ReportedUsage, ttl: CacheReadTtl): void {
    const saved = cacheSavingOf(model, usage, ttl, this.table);
    this.#savedUsd = this.#savedUsd === null || saved === null ? null : this.#savedUsd + saved;
  }

  /** The sum, rounded to the micro-dollar. */
  total(): number | null {
    return this.#savedUsd === null ? null : roundUsd(this.#savedUsd);
  }
}
