import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { JobEvent } from './job.events.js';
import { requestPrices } from './job-cost.js';
import { cacheTtlOf } from './job-estimate.js';
import type { PriceTable } from './pricing.js';
import type { MessageParams } from './request.schema.js';

/**
 * Cache priming (issue 21). Requests of one batch run concurrently and none reads another's cache
 * write, so a prefix shared by a cold batch is written (and paid at the write price) by every
 * request. A job with `cachePriming: "auto"` sends one request of each group sharing a cached
 * prefix alone first (the prime), holds the rest of the group back until that batch has ended,
 * then sends them while the entry lives: they read it.
 */

/** Whether a job primes the prompt cache (default: off). */
export type CachePrimingMode = 'auto' | 'off';

export type CacheTtl = '5m' | '1h';

/** How long a cache entry lives after its last write or read. */
export const CACHE_TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/**
 * The share of a TTL kept in hand: a fan-out is sent only while the entry has more than this
 * left, since its requests are processed some time after they are sent and the prime's end is
 * seen a poll after it happened (1 minute of 5, 12 of 60).
 */
export const LAPSE_MARGIN_SHARE = 0.2;

/** Primes of a group that ended without a success before the group is sent as usual: 2. */
export const MAX_FAILED_PRIMES = 2;

/** Characters a token, the approximation prefix tokens are counted with (the simulator's too). */
export const CHARS_PER_TOKEN = 4;

/** The cached part of a request: which cache entry it reads or writes, for how long, its size. */
export interface CachedPart {
  /** Hex SHA-256 of the model and the prefix up to the last block marked `cache_control`. */
  fingerprint: string;
  /** The TTL the request asks for (its longest, cacheTtlOf). */
  ttl: CacheTtl;
  /** The prefix's tokens, approximated at CHARS_PER_TOKEN characters a token. */
  prefixTokens: number;
  model: string;
}

/**
 * The cached part of a request, or null when it marks no block with `cache_control`. The prompt
 * is read in the order Anthropic caches it (tools, system, messages); the prefix runs up to and
 * including the last marked block. Its fingerprint covers the model (caches are per model) and
 * the prefix's content with the marks left out: the same content marked for 5 minutes or for an
 * hour is one entry (docs/simulator.md).
 */
export function cachedPartOf(params: MessageParams): CachedPart | null {
  const blocks = promptBlocks(params);
  const last = blocks.findLastIndex((b) => b.marked);
  if (last < 0) return null;
  const prefix = blocks.slice(0, last + 1);
  const chars = prefix.reduce((sum, b) => sum + b.chars, 0);
  const fingerprint = createHash('sha256')
    .update(canonicalJson([params.model, prefix.map((b) => b.content)]), 'utf8')
    .digest('hex');
  return {
    fingerprint,
    ttl: cacheTtlOf(params) ?? '5m',
    prefixTokens: Math.ceil(chars / CHARS_PER_TOKEN),
    model: params.model,
  };
}

interface PromptBlock {
  /** What the cache keys on: the block without its `cache_control`, with its place. */
  content: unknown;
  chars: number;
  marked: boolean;
}

function promptBlocks(params: MessageParams): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  const push = (where: string, block: unknown) => {
    if (typeof block === 'string') {
      blocks.push({ content: [where, block], chars: block.length, marked: false });
      return;
    }
    const { cache_control: mark, ...rest } = (block ?? {}) as Record<string, unknown>;
    const text = typeof rest.text === 'string' ? rest.text : undefined;
    blocks.push({
      content: [where, rest],
      chars: text !== undefined ? text.length : JSON.stringify(rest).length,
      marked: mark != null,
    });
  };
  for (const tool of params.tools ?? []) push('tool', tool);
  if (typeof params.system === 'string') push('system', params.system);
  else for (const block of params.system ?? []) push('system', block);
  for (const message of params.messages) {
    if (typeof message.content === 'string') push(message.role, message.content);
    else for (const block of message.content) push(message.role, block);
  }
  return blocks;
}

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
function inFlight(prime: CachePrimeState): boolean {
  return prime.succeeded === null;
}

/** Requests held back behind primes still on their way: the driver does not count them as sendable. */
export function heldBackRequests(primes: readonly CachePrimeState[] | undefined): number {
  return (primes ?? []).reduce((sum, p) => sum + (inFlight(p) ? p.heldBack : 0), 0);
}

/** Whether a prime's entry still lives at `now`, with LAPSE_MARGIN_SHARE of its TTL in hand. */
export function primeAlive(prime: CachePrimeState, now: Date): boolean {
  if (prime.succeeded !== true || prime.endedAt === null) return false;
  const ttlMs = CACHE_TTL_MS[prime.ttl];
  return Date.parse(prime.endedAt) + ttlMs * (1 - LAPSE_MARGIN_SHARE) > now.getTime();
}

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
    if (prime && inFlight(prime)) {
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
