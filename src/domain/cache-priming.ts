import {
  type CachePrimeState,
  heldBackRequests,
  primeAlive,
  primeInFlight,
} from './cache-primes.js';
import type { CachedPart, CacheTtl } from './cached-part.js';
import { requestPrices } from './job-cost.js';
import type { PriceTable } from './pricing.js';

/**
 * Cache priming (issue 21). Requests of one batch run concurrently and none reads another's cache
 * write, so a prefix shared by a cold batch is written (and paid at the write price) by every
 * request. A job with `cachePriming: "auto"` sends one request of each group sharing a cached
 * prefix alone first (the prime), holds the rest of the group back until that batch has ended,
 * then sends them while the entry lives: they read it.
 *
 * A request's cached part is worked out in cached-part.ts, what the log says of primes in
 * cache-primes.ts.
 */

/** Whether a job primes the prompt cache (default: off). */
export type CachePrimingMode = 'auto' | 'off';

/** Primes of a group that ended without a success before the group is sent as usual: 2. */
export const MAX_FAILED_PRIMES = 2;

/** A request that waits to be sent, with its cached part (null: none). */
export interface PrimingCandidate {
  ordinal: number;
  cache: CachedPart | null;
}

/** The requests of one cached prefix waiting to be sent, in order. */
export interface CacheGroup {
  fingerprint: string;
  ordinals: number[];
  /** The TTL the prime asks for: the longest any request of the group asks for. */
  ttl: CacheTtl;
  /** The request that primes the group: the first that asks for that TTL. */
  primeOrdinal: number;
  prefixTokens: number;
  model: string;
}

/** The candidates with a cached part, grouped by fingerprint (groups in the order they first appear). */
export function groupByCachedPart(candidates: readonly PrimingCandidate[]): CacheGroup[] {
  const groups = new Map<string, CacheGroup>();
  for (const { ordinal, cache } of candidates) {
    if (cache === null) continue;
    const group = groups.get(cache.fingerprint);
    if (!group) {
      groups.set(cache.fingerprint, {
        fingerprint: cache.fingerprint,
        ordinals: [ordinal],
        ttl: cache.ttl,
        primeOrdinal: ordinal,
        prefixTokens: cache.prefixTokens,
        model: cache.model,
      });
      continue;
    }
    group.ordinals.push(ordinal);
    if (cache.ttl === '1h' && group.ttl === '5m') {
      group.ttl = '1h';
      group.primeOrdinal = ordinal;
    }
  }
  return [...groups.values()];
}

/**
 * What priming a group saves at batch prices, by the price table the estimate uses: each of its
 * other n - 1 requests reads the prefix instead of writing it. Null for a model with no price.
 */
export function primingSavingUsd(
  group: Pick<CacheGroup, 'ordinals' | 'prefixTokens' | 'model' | 'ttl'>,
  table: PriceTable,
): number | null {
  const prices = requestPrices(group.model, group.prefixTokens, table);
  if (prices === null) return null;
  const write = group.ttl === '1h' ? prices.cacheWrite1h : prices.cacheWrite;
  const perRequest = (group.prefixTokens * (write - prices.cacheRead)) / 1_000_000;
  return (group.ordinals.length - 1) * perRequest * table.batchDiscount;
}

/** What a job with priming on may send now. */
export type CachePrimingPlan =
  /** Nothing is held back: sub-batch as usual. */
  | { kind: 'as-usual' }
  /** Prime a group: this one request alone, the group's `heldBack` others wait for it. */
  | { kind: 'prime'; ordinal: number; group: string; ttl: CacheTtl; heldBack: number }
  /** Some groups wait for their prime: only these requests (in order) may go now; none: wait. */
  | { kind: 'only'; ordinals: number[] };

export interface CachePrimingInput {
  mode: CachePrimingMode;
  /** The job's group entries (JobState.cachePrimes). */
  primes: readonly CachePrimeState[];
  /** The requests waiting to be sent, in order. */
  candidates: readonly PrimingCandidate[];
  now: Date;
  prices: PriceTable;
}

/**
 * Which requests may be sent now. A group of two or more waiting requests that priming pays for
 * (primingSavingUsd > 0) and that is not primed — never, its prime failed, or its entry would
 * lapse before the rest is processed — is primed first: one of its requests goes alone, the rest
 * wait until that batch has ended. A group whose prime is on its way waits. A primed group whose
 * entry lives goes as usual, and so do requests with no cached part, groups of one, groups
 * priming does not pay for and groups whose primes failed MAX_FAILED_PRIMES times. Pure.
 */
export function decideCachePriming(input: CachePrimingInput): CachePrimingPlan {
  if (input.mode === 'off') return { kind: 'as-usual' };
  const waiting = new Set<string>();
  for (const group of groupByCachedPart(input.candidates)) {
    const prime = input.primes.find((p) => p.group === group.fingerprint);
    if (prime && primeInFlight(prime)) {
      waiting.add(group.fingerprint);
      continue;
    }
    if (group.ordinals.length < 2 || (prime && prime.failures >= MAX_FAILED_PRIMES)) continue;
    if (prime && primeAlive(prime, input.now)) continue;
    const saving = primingSavingUsd(group, input.prices);
    if (saving === null || saving <= 0) continue;
    return {
      kind: 'prime',
      ordinal: group.primeOrdinal,
      group: group.fingerprint,
      ttl: group.ttl,
      heldBack: group.ordinals.length - 1,
    };
  }
  if (waiting.size === 0) return { kind: 'as-usual' };
  const ordinals = input.candidates
    .filter((c) => c.cache === null || !waiting.has(c.cache.fingerprint))
    .map((c) => c.ordinal);
  return { kind: 'only', ordinals };
}

/** What the job view says of priming (absent for a job with priming off). */
export interface CachePrimingView {
  mode: 'auto';
  /** Priming costs one more batch turnaround: each group's prime is sent alone and waited for. */
  extraTurnaround: true;
  /** Groups (distinct cached prefixes) primed so far. */
  groups: number;
  /** Of those, the groups whose latest prime succeeded. */
  primed: number;
  /** One-request batches sent to prime, re-primes included. */
  primeBatches: number;
  /** Requests waiting for a prime on its way. */
  heldBack: number;
}

export function cachePrimingViewOf(
  mode: CachePrimingMode | undefined,
  primes: readonly CachePrimeState[] | undefined,
): CachePrimingView | null {
  if (mode !== 'auto') return null;
  const all = primes ?? [];
  return {
    mode,
    extraTurnaround: true,
    groups: all.length,
    primed: all.filter((p) => p.succeeded === true).length,
    primeBatches: all.reduce((sum, p) => sum + p.primeBatches, 0),
    heldBack: heldBackRequests(all),
  };
}
