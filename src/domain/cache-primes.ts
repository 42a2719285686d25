import type { CacheTtl } from './cached-part.js';
import type { JobEvent } from './job.events.js';

/**
 * A job's cache primes as its log tells them (cache-priming.ts): each group's latest prime, the
 * requests it holds back and whether the entry it wrote still lives.
 */

/** How long a cache entry lives after its last write or read. */
export const CACHE_TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/**
 * The share of a TTL kept in hand: a fan-out is sent only while the entry has more than this
 * left, since its requests are processed some time after they are sent and the prime's end is
 * seen a poll after it happened (1 minute of 5, 12 of 60).
 */
export const LAPSE_MARGIN_SHARE = 0.2;

/** What the log says of one group's latest prime (JobState.cachePrimes). */
export interface CachePrimeState {
  /** The group: CachedPart.fingerprint. */
  group: string;
  /** The one-request batch that primes it. */
  batchKey: string;
  ttl: CacheTtl;
  /** The group's other requests held back while it is on its way. */
  heldBack: number;
  /** When the batch was seen ended; null while it is on its way. */
  endedAt: string | null;
  /** Whether the prime succeeded (so wrote the entry); null until its result is collected. */
  succeeded: boolean | null;
  /** Primes of this group that ended without a success (errored, expired, abandoned). */
  failures: number;
  /** One-request batches sent to prime this group, re-primes included. */
  primeBatches: number;
}

/** The group entries after one event: a prime intended, abandoned, ended, collected. */
export function evolveCachePrimes(
  primes: readonly CachePrimeState[],
  event: JobEvent,
): readonly CachePrimeState[] {
  switch (event.type) {
    case 'BatchSubmissionIntended': {
      const { purpose, cacheGroup, cacheTtl, heldBack, batchKey } = event.data;
      if (purpose !== 'cache-prime' || cacheGroup === undefined) return primes;
      const before = primes.find((p) => p.group === cacheGroup);
      const entry: CachePrimeState = {
        group: cacheGroup,
        batchKey,
        ttl: cacheTtl ?? '5m',
        heldBack: heldBack ?? 0,
        endedAt: null,
        succeeded: null,
        failures: before?.failures ?? 0,
        primeBatches: (before?.primeBatches ?? 0) + 1,
      };
      return [...primes.filter((p) => p.group !== cacheGroup), entry];
    }
    case 'BatchSubmissionAbandoned':
      return change(primes, event.data.batchKey, (p) => ({
        ...p,
        endedAt: event.data.at,
        succeeded: false,
        failures: p.failures + 1,
      }));
    case 'BatchEnded':
      return change(primes, event.data.batchKey, (p) => ({ ...p, endedAt: event.data.at }));
    case 'BatchResultsCollected': {
      const succeeded = event.data.succeeded > 0;
      return change(primes, event.data.batchKey, (p) => ({
        ...p,
        endedAt: p.endedAt ?? event.data.at,
        succeeded,
        failures: p.failures + (succeeded ? 0 : 1),
      }));
    }
    default:
      return primes;
  }
}

function change(
  primes: readonly CachePrimeState[],
  batchKey: string,
  update: (p: CachePrimeState) => CachePrimeState,
): readonly CachePrimeState[] {
  if (!primes.some((p) => p.batchKey === batchKey)) return primes;
  return primes.map((p) => (p.batchKey === batchKey ? update(p) : p));
}

/** A prime whose result is not collected yet: its group waits for it. */
export function primeInFlight(prime: CachePrimeState): boolean {
  return prime.succeeded === null;
}

/** Requests held back behind primes still on their way: the driver does not count them as sendable. */
export function heldBackRequests(primes: readonly CachePrimeState[] | undefined): number {
  return (primes ?? []).reduce((sum, p) => sum + (primeInFlight(p) ? p.heldBack : 0), 0);
}

/** Whether a prime's entry still lives at `now`, with LAPSE_MARGIN_SHARE of its TTL in hand. */
export function primeAlive(prime: CachePrimeState, now: Date): boolean {
  if (prime.succeeded !== true || prime.endedAt === null) return false;
  const ttlMs = CACHE_TTL_MS[prime.ttl];
  return Date.parse(prime.endedAt) + ttlMs * (1 - LAPSE_MARGIN_SHARE) > now.getTime();
}
