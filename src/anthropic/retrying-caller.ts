import {
  AnthropicConnectionError,
  AnthropicFailure,
  AnthropicNotFoundError,
  AnthropicTimeoutError,
  BatchCreationUnconfirmedError,
} from '../domain/anthropic.errors.js';
import type { Clock } from '../domain/clock.js';
import type { CallOptions, Sleep } from './anthropic-gateway.options.js';
import { type BackoffPolicy, retryDelayMs } from './retry-backoff.js';
import { toAnthropicFailure } from './sdk-error.mapping.js';
import { TokenBucket } from './token-bucket.js';

export interface RetryingCallerOptions {
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  maxRetries: number;
  backoff: BackoffPolicy;
  freshBatchWindowMs: number;
  /** Keeps calls under this many a minute (undefined: no limit). */
  requestsPerMinute: number | undefined;
  /** Calls that may go at once before the rate applies (default: half of requestsPerMinute). */
  burst: number | undefined;
}

export interface CallContext extends CallOptions {
  /** The batch the call is about, so a 404 for one we just created can be retried. */
  batchId?: string | undefined;
  /** Set on create: a lost connection then leaves the outcome unknown. */
  creating?: { attemptedAt: Date; requestCount: number } | undefined;
}

const RECENTLY_CREATED_CAP = 10_000;

/**
 * How the gateway's calls go out: through a token bucket (when requestsPerMinute is set), and
 * again after rate limits, overload, server errors and lost connections, obeying retry-after and
 * backing off with jitter; every failure comes out as a typed AnthropicFailure. A lost creation
 * is never sent again (the batch may exist): it is a BatchCreationUnconfirmedError.
 */
export class RetryingCaller {
  readonly #options: RetryingCallerOptions;
  readonly #bucket: TokenBucket | undefined;
  /** Ids of batches created lately, with when (oldest first). */
  readonly #recentlyCreated = new Map<string, number>();

  constructor(options: RetryingCallerOptions) {
    this.#options = options;
    const perMinute = options.requestsPerMinute;
    this.#bucket =
      perMinute === undefined
        ? undefined
        : new TokenBucket(
            perMinute,
            this.nowMs(),
            options.burst ?? Math.max(1, Math.floor(perMinute / 2)),
          );
  }

  get maxRetries(): number {
    return this.#options.maxRetries;
  }

  nowMs(): number {
    return this.#options.clock.now().getTime();
  }

  /** Sends `send` until it succeeds, fails for good or runs out of retries. */
  async call<T>(send: (signal?: AbortSignal) => Promise<T>, context: CallContext): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      context.signal?.throwIfAborted();
      await this.#throttle(context.signal);
      try {
        return await send(context.signal);
      } catch (error) {
        if (context.signal?.aborted) {
          // Cut off by the caller while the call was out: a creation may have reached Anthropic.
          if (context.creating) {
            throw new BatchCreationUnconfirmedError(
              context.creating.attemptedAt,
              context.creating.requestCount,
              { cause: context.signal.reason },
            );
          }
          // Any other abort ends the call with the caller's reason, not the SDK's.
          context.signal.throwIfAborted();
        }
        const failure = toAnthropicFailure(error, this.nowMs());
        if (!(failure instanceof AnthropicFailure)) throw failure;
        if (context.creating && isUnanswered(failure)) {
          throw new BatchCreationUnconfirmedError(
            context.creating.attemptedAt,
            context.creating.requestCount,
            { cause: failure },
          );
        }
        const notVisibleYet =
          failure instanceof AnthropicNotFoundError && this.#isFresh(context.batchId);
        if (!(failure.retryable || notVisibleYet) || attempt >= this.maxRetries) throw failure;
        await this.waitBeforeRetry(attempt, failure.retryAfterMs, context.signal);
      }
    }
  }

  /** The backoff before retry number `attempt` (0 for the first), at least `retryAfterMs`. */
  waitBeforeRetry(
    attempt: number,
    retryAfterMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { backoff, random, sleep } = this.#options;
    return sleep(retryDelayMs(attempt, retryAfterMs, backoff, random()), signal);
  }

  /** Remembers a batch just created: a 404 for it in the next freshBatchWindowMs is retried. */
  created(batchId: string): void {
    const now = this.nowMs();
    this.#recentlyCreated.set(batchId, now);
    for (const [id, createdAt] of this.#recentlyCreated) {
      const stale = now - createdAt > this.#options.freshBatchWindowMs;
      if (!stale && this.#recentlyCreated.size <= RECENTLY_CREATED_CAP) break;
      this.#recentlyCreated.delete(id);
    }
  }

  #isFresh(batchId: string | undefined): boolean {
    if (batchId === undefined) return false;
    const createdAt = this.#recentlyCreated.get(batchId);
    return createdAt !== undefined && this.nowMs() - createdAt <= this.#options.freshBatchWindowMs;
  }

  async #throttle(signal: AbortSignal | undefined): Promise<void> {
    if (!this.#bucket) return;
    for (
      let wait = this.#bucket.take(this.nowMs());
      wait > 0;
      wait = this.#bucket.take(this.nowMs())
    ) {
      await this.#options.sleep(wait, signal);
    }
  }
}

/** No answer came, so the server may or may not have acted on the call. */
function isUnanswered(failure: AnthropicFailure): boolean {
  return failure instanceof AnthropicConnectionError || failure instanceof AnthropicTimeoutError;
}
