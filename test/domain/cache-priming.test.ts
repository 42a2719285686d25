import { describe, expect, it } from 'vitest';
import { type CachePrimeState, evolveCachePrimes } from '../../src/domain/cache-primes.js';
import {
  type CachePrimingInput,
  cachePrimingViewOf,
  decideCachePriming,
  type PrimingCandidate,
  primingSavingUsd,
} from '../../src/domain/cache-priming.js';
import { cachedPartOf } from '../../src/domain/cached-part.js';
import {
  EMPTY_DRIVER_MEMORY,
  nextDriverAction,
  sendableRequests,
} from '../../src/domain/driver.next-action.js';
import type { JobEvent } from '../../src/domain/job.events.js';
import { SHIPPED_PRICE_TABLE } from '../../src/domain/pricing.js';
import type { MessageParams } from '../../src/domain/request.schema.js';
import {
  abandoned,
  collected,
  created,
  ended,
  iso,
  queued,
  started,
  stateAfter,
  submitted,
  t,
} from './job-specification.js';

const CONTEXT = 'A shared document every request reads. '.repeat(100);

function params(
  question: string,
  options: { context?: string; ttl?: '5m' | '1h' | null; model?: string } = {},
): MessageParams {
  const ttl = options.ttl === undefined ? '5m' : options.ttl;
  const mark =
    ttl === null ? {} : { cache_control: { type: 'ephemeral', ...(ttl === '1h' ? { ttl } : {}) } };
  return {
    model: options.model ?? 'claude-sonnet-5-5',
    max_tokens: 64,
    system: [{ type: 'text', text: options.context ?? CONTEXT, ...mark }],
    messages: [{ role: 'user', content: question }],
  };
}

const candidate = (ordinal: number, p: MessageParams): PrimingCandidate => ({
  ordinal,
  cache: cachedPartOf(p),
});

const NOW = t(1000);

function decide(
  candidates: PrimingCandidate[],
  primes: CachePrimeState[] = [],
  now = NOW,
): ReturnType<typeof decideCachePriming> {
  const input: CachePrimingInput = {
    mode: 'auto',
    primes,
    candidates,
    now,
    prices: SHIPPED_PRICE_TABLE,
  };
  return decideCachePriming(input);
}

/** A group's prime as the log leaves it (ended and collected at `endedS` unless in flight). */
function prime(
  group: string,
  state: 'in-flight' | 'succeeded' | 'failed',
  endedS = 900,
  extra: Partial<CachePrimeState> = {},
): CachePrimeState {
  return {
    group,
    batchKey: 'b1',
    ttl: '5m',
    heldBack: 2,
    endedAt: state === 'in-flight' ? null : iso(endedS),
    succeeded: state === 'in-flight' ? null : state === 'succeeded',
    failures: state === 'failed' ? 1 : 0,
    primeBatches: 1,
    ...extra,
  };
}

const shared = [0, 1, 2].map((i) => candidate(i, params(`question ${i}`)));
const plain = candidate(3, params('no caching', { ttl: null }));
const GROUP = shared[0]!.cache!.fingerprint;

describe('the cached part of a request', () => {
  it('is none when no block is marked with cache_control', () => {
    expect(cachedPartOf(params('q', { ttl: null }))).toBeNull();
  });

  it('is the same for requests that share the prefix and differ after it', () => {
    expect(cachedPartOf(params('one'))!.fingerprint).toBe(cachedPartOf(params('two'))!.fingerprint);
  });

  it('differs with the prefix’s content and with the model (caches are per model)', () => {
    const base = cachedPartOf(params('q'))!.fingerprint;
    expect(cachedPartOf(params('q', { context: 'another document' }))!.fingerprint).not.toBe(base);
    expect(cachedPartOf(params('q', { model: 'claude-haiku-5' }))!.fingerprint).not.toBe(base);
  });

  it('leaves the mark out: the same content marked for 5 minutes or an hour is one entry, at the TTL asked', () => {
    const fiveMinutes = cachedPartOf(params('q', { ttl: '5m' }))!;
    const hour = cachedPartOf(params('q', { ttl: '1h' }))!;
    expect(hour.fingerprint).toBe(fiveMinutes.fingerprint);
    expect([fiveMinutes.ttl, hour.ttl]).toEqual(['5m', '1h']);
  });

  it('runs up to and including the last marked block, tools first, and counts a token every 4 characters', () => {
    const withTools = (question: string, tool: string): MessageParams => ({
      ...params(question),
      tools: [{ name: tool, input_schema: { type: 'object' } }],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'read this', cache_control: { type: 'ephemeral' } }],
        },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: question },
      ],
    });
    const a = cachedPartOf(withTools('first', 'search'))!;
    expect(cachedPartOf(withTools('second', 'search'))!.fingerprint).toBe(a.fingerprint);
    expect(cachedPartOf(withTools('first', 'lookup'))!.fingerprint).not.toBe(a.fingerprint);
    expect(cachedPartOf(params('q'))!.prefixTokens).toBe(Math.ceil(CONTEXT.length / 4));
  });
});

describe('which requests a job with cache priming may send', () => {
  it('sends as usual when priming is off', () => {
    const plan = decideCachePriming({
      mode: 'off',
      primes: [],
      candidates: shared,
      now: NOW,
      prices: SHIPPED_PRICE_TABLE,
    });
    expect(plan).toEqual({ kind: 'as-usual' });
  });

  it('given a group of three never primed, sends one of them alone and holds the other two back', () => {
    expect(decide([...shared, plain])).toEqual({
      kind: 'prime',
      ordinal: 0,
      group: GROUP,
      ttl: '5m',
      heldBack: 2,
    });
  });

  it('given the prime on its way, sends only what the group does not hold back', () => {
    expect(decide([...shared.slice(1), plain], [prime(GROUP, 'in-flight')])).toEqual({
      kind: 'only',
      ordinals: [3],
    });
  });

  it('given the prime on its way and nothing else, sends nothing', () => {
    expect(decide(shared.slice(1), [prime(GROUP, 'in-flight')])).toEqual({
      kind: 'only',
      ordinals: [],
    });
  });

  it('given the prime succeeded and its entry lives, sends the fan-out as usual', () => {
    expect(decide(shared.slice(1), [prime(GROUP, 'succeeded', 900)], t(900 + 60))).toEqual({
      kind: 'as-usual',
    });
  });

  it('given the entry would lapse before the fan-out is processed, primes the group again', () => {
    // 5 minutes less a fifth in hand: at 4 minutes after the prime ended it is primed again.
    const lapsing = t(900 + 4 * 60);
    expect(decide(shared.slice(1), [prime(GROUP, 'succeeded', 900)], lapsing)).toMatchObject({
      kind: 'prime',
      ordinal: 1,
      heldBack: 1,
    });
  });

  it('given the group asks for an hour, primes with a request that asks for it and keeps the entry for the hour', () => {
    const mixed = [
      candidate(0, params('a', { ttl: '5m' })),
      candidate(1, params('b', { ttl: '1h' })),
      candidate(2, params('c')),
    ];
    expect(decide(mixed)).toMatchObject({ kind: 'prime', ordinal: 1, ttl: '1h', heldBack: 2 });
    const primedForAnHour = prime(GROUP, 'succeeded', 900, { ttl: '1h' });
    expect(decide(mixed.slice(0, 1), [primedForAnHour], t(900 + 40 * 60))).toEqual({
      kind: 'as-usual',
    });
  });

  it('sends groups of one and requests without a cached part as usual', () => {
    expect(decide([shared[0]!, plain])).toEqual({ kind: 'as-usual' });
  });

  it('primes groups with different prefixes separately, one prime batch at a time', () => {
    const other = [4, 5].map((i) =>
      candidate(i, params(`q${i}`, { context: 'another document '.repeat(200) })),
    );
    const otherGroup = other[0]!.cache!.fingerprint;
    expect(decide([...shared, ...other])).toMatchObject({
      kind: 'prime',
      ordinal: 0,
      group: GROUP,
    });
    expect(decide([...shared.slice(1), ...other], [prime(GROUP, 'in-flight')])).toMatchObject({
      kind: 'prime',
      ordinal: 4,
      group: otherGroup,
      heldBack: 1,
    });
    expect(
      decide(
        [...shared.slice(1), other[1]!, plain],
        [prime(GROUP, 'in-flight'), prime(otherGroup, 'in-flight')],
      ),
    ).toEqual({ kind: 'only', ordinals: [3] });
  });

  it('given a prime that failed, primes again; given two that failed, sends the group as usual', () => {
    expect(decide(shared, [prime(GROUP, 'failed')])).toMatchObject({ kind: 'prime', ordinal: 0 });
    expect(decide(shared, [prime(GROUP, 'failed', 900, { failures: 2 })])).toEqual({
      kind: 'as-usual',
    });
  });

  it('primes only where the price table shows a saving (a model with no price: as usual)', () => {
    const unpriced = [0, 1].map((i) => candidate(i, params(`q${i}`, { model: 'gpt-unknown' })));
    expect(decide(unpriced)).toEqual({ kind: 'as-usual' });
  });

  it('saves (n - 1) × prefix tokens × (write − read) at batch prices', () => {
    // Sonnet 5.5: 5-minute write 2.5, read 0.1 per million; a batch pays half.
    const saving = primingSavingUsd(
      { ordinals: [0, 1, 2], prefixTokens: 1_000_000, model: 'claude-sonnet-5-5', ttl: '5m' },
      SHIPPED_PRICE_TABLE,
    );
    expect(saving).toBeCloseTo(2 * (2.5 - 0.1) * 0.5, 9);
  });
});

describe('what the log remembers of a prime', () => {
  const primed = (s: number, heldBack: number, batchKey = 'b1'): JobEvent => ({
    type: 'BatchSubmissionIntended',
    data: {
      batchKey,
      attempt: 1,
      requestCount: 1,
      at: iso(s),
      purpose: 'cache-prime',
      cacheGroup: GROUP,
      cacheTtl: '1h',
      heldBack,
    },
  });
  const createdPrimed = (): JobEvent => {
    const job = created({ requests: 5 }) as Extract<JobEvent, { type: 'JobCreated' }>;
    return { ...job, data: { ...job.data, cachePriming: 'auto' } };
  };

  it('given a prime intended, holds its group back: the driver waits rather than submits', () => {
    const state = stateAfter(
      createdPrimed(),
      queued(1),
      started(2),
      primed(3, 4),
      submitted(4, 'b1'),
    );
    expect(state.cachePrimes).toEqual([prime(GROUP, 'in-flight', 0, { heldBack: 4, ttl: '1h' })]);
    expect(sendableRequests(state)).toBe(0);
    expect(nextDriverAction(state, t(5), EMPTY_DRIVER_MEMORY, TIMINGS).kind).not.toBe('submit');
  });

  it('given its batch ended and collected with a success, the group is primed from when it ended', () => {
    const state = stateAfter(
      createdPrimed(),
      queued(1),
      started(2),
      primed(3, 4),
      submitted(4, 'b1'),
      ended(60, 'b1'),
      collected(61, 'b1', { succeeded: 1 }),
    );
    expect(state.cachePrimes).toEqual([prime(GROUP, 'succeeded', 60, { heldBack: 4, ttl: '1h' })]);
    expect(sendableRequests(state)).toBe(4);
  });

  it('given a prime abandoned or collected without a success, counts a failure and holds nothing back', () => {
    const history = [createdPrimed(), queued(1), started(2), primed(3, 4)];
    const gone = stateAfter(...history, abandoned(5, 'b1'));
    expect(gone.cachePrimes![0]).toMatchObject({ succeeded: false, failures: 1 });
    expect(sendableRequests(gone)).toBe(5);
    const errored = stateAfter(
      ...history,
      submitted(4, 'b1'),
      ended(9, 'b1'),
      collected(10, 'b1', { errored: 1 }),
    );
    expect(errored.cachePrimes![0]).toMatchObject({ succeeded: false, failures: 1 });
  });

  it('given a re-prime, keeps one entry per group and counts its prime batches', () => {
    const primes = [
      primed(3, 4, 'b1'),
      ended(9, 'b1'),
      collected(10, 'b1', { succeeded: 1 }),
      primed(400, 3, 'b2'),
    ].reduce(evolveCachePrimes, [] as readonly CachePrimeState[]);
    expect(primes).toEqual([
      prime(GROUP, 'in-flight', 0, { batchKey: 'b2', heldBack: 3, ttl: '1h', primeBatches: 2 }),
    ]);
    expect(cachePrimingViewOf('auto', primes)).toEqual({
      mode: 'auto',
      extraTurnaround: true,
      groups: 1,
      primed: 0,
      primeBatches: 2,
      heldBack: 3,
    });
    expect(cachePrimingViewOf('off', primes)).toBeNull();
  });
});

const TIMINGS = {
  pollIntervalMs: 1000,
  pollMaxMs: 30_000,
  reconcileAfterMs: 10_000,
  submitTimeoutMs: 180_000,
};
