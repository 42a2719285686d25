import { requestPrices } from './job-cost.js';
import { type PriceTable, SHIPPED_PRICE_TABLE } from './pricing.js';

/** Requests counted one by one (default 1000); a larger job has this many of its requests counted, evenly spread. */
export const ESTIMATE_COUNT_LIMIT = 1000;

/** How wide an extrapolated bound is: the sample's mean ± this many standard errors (about 99.7%). */
export const SAMPLED_BOUND_STANDARD_ERRORS = 3;

/** What the estimate needs of one request besides its counted tokens. */
export interface RequestToEstimate {
  model: string;
  maxTokens: number;
  /** The longest TTL of the cache breakpoints it sets (`cache_control`), null when it sets none. */
  cacheTtl: '5m' | '1h' | null;
}

/** The price range of a job before it is sent, at batch prices. */
export interface JobEstimate {
  /** Requests that would be sent (duplicates within the job and dropped invalid ones left out). */
  requests: number;
  /** Requests whose input tokens were counted. */
  countedRequests: number;
  /** More requests than ESTIMATE_COUNT_LIMIT: a sample was counted and extrapolated. */
  sampled: boolean;
  /** Input tokens (every prompt token, cached or not); extrapolated when sampled. */
  inputTokens: number;
  /** Where the input tokens lie: exact when not sampled, the mean ± 3 standard errors when sampled. */
  inputTokensRange: { min: number; max: number };
  /** The bound on output tokens: the sum of max_tokens. */
  maxOutputTokens: number;
  /** Requests that ask for prompt caching (priced between a cache read and a cache write). */
  cachingRequests: number;
  /** The least the job can cost: prompts at cache-read price where caching is asked for, no output. Null: some model has no price. */
  minUsd: number | null;
  /** The most: prompts at cache-write price where caching is asked for, every max_tokens used. */
  maxUsd: number | null;
  /** Models of the job the price table does not price. */
  unpricedModels: string[];
}

/** Which of `total` requests to count: all up to `limit`, else `limit` of them evenly spread. */
export function ordinalsToCount(total: number, limit = ESTIMATE_COUNT_LIMIT): number[] {
  if (total <= limit) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: limit }, (_, i) => Math.floor((i * total) / limit));
}

/** The prompt cost range of one request with `promptTokens` input tokens, null for an unpriced model. */
function promptCostRange(
  request: RequestToEstimate,
  promptTokens: number,
  table: PriceTable,
): { min: number; max: number } | null {
  const prices = requestPrices(request.model, promptTokens, table);
  if (prices === null) return null;
  const write = request.cacheTtl === '1h' ? prices.cacheWrite1h : prices.cacheWrite;
  // The cached part is unknown before the run: bound it by all-read and all-written.
  const perToken = request.cacheTtl
    ? { min: Math.min(prices.input, prices.cacheRead), max: Math.max(prices.input, write) }
    : { min: prices.input, max: prices.input };
  const scale = (promptTokens / 1_000_000) * table.batchDiscount;
  return { min: perToken.min * scale, max: perToken.max * scale };
}

/** Sum over N from a sample: the exact sum when every one was counted, else mean ± k standard errors. */
function extrapolate(
  values: readonly number[],
  total: number,
): { mid: number; min: number; max: number } {
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  if (n === total || n === 0) return { mid: sum, min: sum, max: sum };
  const mean = sum / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  // Sampling without replacement: the finite population correction narrows the error.
  const fpc = Math.sqrt((total - n) / (total - 1));
  const half = SAMPLED_BOUND_STANDARD_ERRORS * Math.sqrt(variance / n) * fpc * total;
  return { mid: mean * total, min: Math.max(0, mean * total - half), max: mean * total + half };
}

/**
 * The estimate from every request to be sent and the counted input tokens of those at
 * `countedOrdinals` (all of them, or a sample from ordinalsToCount). Pure.
 */
export function estimateFromCounts(
  requests: readonly RequestToEstimate[],
  counted: ReadonlyMap<number, number>,
  table: PriceTable = SHIPPED_PRICE_TABLE,
): JobEstimate {
  const unpriced = new Set<string>();
  let maxOutputTokens = 0;
  let outputUsd = 0;
  let cachingRequests = 0;
  requests.forEach((request) => {
    maxOutputTokens += request.maxTokens;
    if (request.cacheTtl) cachingRequests += 1;
    // The long-prompt rule may lift the output price too: take the dearer one for the bound.
    const short = requestPrices(request.model, 0, table);
    const long = requestPrices(request.model, Number.MAX_SAFE_INTEGER, table);
    if (short === null || long === null) {
      unpriced.add(request.model);
      return;
    }
    const price = Math.max(short.output, long.output);
    outputUsd += ((request.maxTokens * price) / 1_000_000) * table.batchDiscount;
  });
  const tokens: number[] = [];
  const mins: number[] = [];
  const maxes: number[] = [];
  for (const [ordinal, promptTokens] of counted) {
    tokens.push(promptTokens);
    const range = promptCostRange(requests[ordinal]!, promptTokens, table);
    if (range === null) continue;
    mins.push(range.min);
    maxes.push(range.max);
  }
  const input = extrapolate(tokens, requests.length);
  const priced = unpriced.size === 0;
  return {
    requests: requests.length,
    countedRequests: counted.size,
    sampled: counted.size < requests.length,
    inputTokens: Math.round(input.mid),
    inputTokensRange: { min: Math.floor(input.min), max: Math.ceil(input.max) },
    maxOutputTokens,
    cachingRequests,
    minUsd: priced ? floorUsd(extrapolate(mins, requests.length).min) : null,
    maxUsd: priced ? ceilUsd(extrapolate(maxes, requests.length).max + outputUsd) : null,
    unpricedModels: [...unpriced].sort(),
  };
}

/** The longest TTL among the `cache_control` marks anywhere in a request's params, or null. */
export function cacheTtlOf(params: unknown): '5m' | '1h' | null {
  let found: '5m' | '1h' | null = null;
  const visit = (value: unknown): void => {
    if (found === '1h' || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'cache_control' && inner !== null && typeof inner === 'object') {
        found = (inner as { ttl?: unknown }).ttl === '1h' ? '1h' : (found ?? '5m');
      } else visit(inner);
    }
  };
  visit(params);
  return found;
}

/** Rounded down/up to the micro-dollar, so a bound never moves inside the range it bounds. */
function floorUsd(value: number): number {
  return Math.floor(value * 1e6) / 1e6;
}
function ceilUsd(value: number): number {
  return Math.ceil(value * 1e6) / 1e6;
}
