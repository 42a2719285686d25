import { decideCachePriming, type PrimingCandidate } from '../domain/cache-priming.js';
import { type CachedPart, cachedPartOf } from '../domain/cached-part.js';
import type { BatchSubmissionIntended } from '../domain/job.events.js';
import { MAX_REQUESTS_PER_JOB } from '../domain/job-config.schema.js';
import type { PriceTable } from '../domain/pricing.js';
import { readRequestParams, selectWaitingOrdinals } from '../store/jobs/cache-priming-requests.js';
import type { Trx } from '../store/schema/index.js';
import type { HydratedJob } from './job-snapshot.js';

/** Params read at once when the cached parts of requests not met before are worked out. */
const PARAMS_PAGE = 1000;

/** What the next sub-batch of a job with cache priming on may hold. */
export interface PrimingScope {
  /** Only these requests may go, in order. */
  only: number[];
  /** At most this many (1 for a prime). */
  limit: number;
  /** What the intent records of a prime (purpose, group, TTL, requests held back). */
  intent: Partial<BatchSubmissionIntended['data']>;
}

/**
 * The cached part of each request of a job, once worked out: a request's params are read the
 * first time a submission meets it, not at each one. One per job driver (its `LiveJob`), so a
 * driver that takes a job over works them out again.
 */
const cachedParts = new WeakMap<object, Map<number, CachedPart | null>>();

/**
 * For a job with `cachePriming: "auto"`, which of its waiting requests may go in the next
 * sub-batch (decideCachePriming, on every request waiting to be sent); undefined when priming is
 * off or holds nothing back, so the sub-batch is chosen as usual.
 */
export async function cachePrimingScope(
  trx: Trx,
  owner: object,
  job: HydratedJob,
  now: Date,
  prices: PriceTable,
): Promise<PrimingScope | undefined> {
  const { state } = job;
  if (state.cachePriming !== 'auto') return undefined;
  const ordinals = await selectWaitingOrdinals(trx, state.id, MAX_REQUESTS_PER_JOB);
  const known = cachedParts.get(owner) ?? new Map<number, CachedPart | null>();
  cachedParts.set(owner, known);
  await learnCachedParts(trx, state.id, ordinals, known);
  const candidates: PrimingCandidate[] = ordinals.map((ordinal) => ({
    ordinal,
    cache: known.get(ordinal) ?? null,
  }));
  const plan = decideCachePriming({
    mode: state.cachePriming,
    primes: state.cachePrimes ?? [],
    candidates,
    now,
    prices,
  });
  switch (plan.kind) {
    case 'as-usual':
      return undefined;
    case 'prime':
      return {
        only: [plan.ordinal],
        limit: 1,
        intent: {
          purpose: 'cache-prime',
          cacheGroup: plan.group,
          cacheTtl: plan.ttl,
          heldBack: plan.heldBack,
        },
      };
    case 'only':
      return { only: plan.ordinals, limit: plan.ordinals.length, intent: {} };
    default: {
      const unknown: never = plan;
      throw new Error(`unknown priming plan ${JSON.stringify(unknown)}`);
    }
  }
}

async function learnCachedParts(
  trx: Trx,
  jobId: string,
  ordinals: readonly number[],
  known: Map<number, CachedPart | null>,
): Promise<void> {
  const unknown = ordinals.filter((ordinal) => !known.has(ordinal));
  // One object per distinct part: a job's requests mostly share a handful.
  const shared = new Map<string, CachedPart>();
  for (const part of known.values()) if (part) shared.set(`${part.fingerprint}/${part.ttl}`, part);
  for (let i = 0; i < unknown.length; i += PARAMS_PAGE) {
    const page = await readRequestParams(trx, jobId, unknown.slice(i, i + PARAMS_PAGE));
    for (const { ordinal, params } of page) {
      const part = cachedPartOf(params);
      if (part === null) {
        known.set(ordinal, null);
        continue;
      }
      const key = `${part.fingerprint}/${part.ttl}`;
      const same = shared.get(key) ?? part;
      shared.set(key, same);
      known.set(ordinal, same);
    }
  }
}
