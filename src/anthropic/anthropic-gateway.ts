import { setTimeout as sleepFor } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import type { BatchCreateParams } from '@anthropic-ai/sdk/resources/messages/batches';
import {
  AnthropicConnectionError,
  AnthropicFailure,
  AnthropicNotFoundError,
  AnthropicTimeoutError,
  BatchCreationUnconfirmedError,
  BatchResultsUnavailableError,
  BatchWaitTimeoutError,
  MalformedResultLineError,
} from '../domain/anthropic.errors.js';
import { type Clock, systemClock } from '../domain/clock.js';
import type {
  BatchPage,
  BatchRequestInput,
  BatchResult,
  DeletedMessageBatch,
  MessageBatch,
} from './batch.types.js';
import { type BatchDefaults, completeBatchRequests } from './batch-requests.js';
import { LIST_LIMITS } from './message-batch.limits.js';
import { parseResults } from './results-parser.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelayMs } from './retry-backoff.js';
import { toAnthropicFailure } from './sdk-error.mapping.js';
import { TokenBucket } from './token-bucket.js';

/** Waits `ms` milliseconds, or rejects with the signal's reason when it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface AnthropicGatewayOptions {
  /** (default: ANTHROPIC_API_KEY) */
  apiKey?: string | undefined;
  /** (default: ANTHROPIC_BASE_URL, else Anthropic's API) */
  baseURL?: string | undefined;
  /** Keeps every batch call under this many a minute (default: no limit). */
  requestsPerMinute?: number | undefined;
  /**
   * Calls that may go at once before the rate applies (default: half of requestsPerMinute).
   * Smaller than Anthropic's own bucket, so calls still in flight, or another
   * instance's, do not meet an empty bucket there.
   */
  burst?: number | undefined;
  /** Retries of a retryable failure, per call (default: 5). */
  maxRetries?: number | undefined;
  /** Time allowed for one HTTP call, ms (default: 600000). */
  timeoutMs?: number | undefined;
  /** Backoff between retries when the server gives no retry-after (default: 500 ms doubling to 30 s). */
  backoff?: Partial<BackoffPolicy> | undefined;
  /** How long after we created a batch a 404 for it means "not visible yet" and is retried (default: 60000). */
  freshBatchWindowMs?: number | undefined;
  /** Time for the rate limit, polling and maxWait (default: the system clock). */
  clock?: Clock | undefined;
  /** How the gateway waits (default: a real timer); tests pass one that moves a manual clock. */
  sleep?: Sleep | undefined;
  /** Draws in [0, 1) for jitter (default: Math.random). */
  random?: (() => number) | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface CreateBatchOptions extends BatchDefaults, CallOptions {}

export interface ListBatchesOptions extends CallOptions {
  /** Batches a page, 1..1000 (default: 20). */
  limit?: number | undefined;
  /** The page just older than this batch. */
  afterId?: string | undefined;
  /** The page just newer than this batch. */
  beforeId?: string | undefined;
}

export interface ListAllBatchesOptions extends CallOptions {
  /** Stop at the first batch created before this moment (default: read every page). */
  createdAfter?: Date | undefined;
  /** Batches a page (default: 1000). */
  pageSize?: number | undefined;
}

export interface WaitForBatchOptions extends CallOptions {
  /** First wait between polls, ms; it grows by half each poll (default: 5000). */
  pollInterval?: number | undefined;
  /** Longest wait between polls, ms (default: 60000). */
  maxPollInterval?: number | undefined;
  /** Give up with a BatchWaitTimeoutError after this long, ms (default: never). */
  maxWait?: number | undefined;
}

export interface RefreshedBatches {
  /** The batches found, by id. */
  batches: Map<string, MessageBatch>;
  /** Ids Anthropic does not know (deleted, or never created). */
  missing: string[];
  /** Batches the list pages carried, wanted or not (what the refresh cost to read). */
  listed: number;
}

/**
 * The size of a list page when `wanted` batches are still to be found, on the `pages`-th page.
 * The batches an instance follows are mostly among the newest, so the first page is a few times
 * their number (not the 1,000 the API allows, which would have every refresh carry the whole
 * recent history); a further page is as large as the API allows, so an old batch costs one call
 * more than before, not many.
 */
export function listPageSize(wanted: number, pages: number): number {
  if (pages > 0) return LIST_LIMITS.max;
  return Math.min(LIST_LIMITS.max, Math.max(LIST_LIMITS.default, 4 * wanted));
}

interface CallContext extends CallOptions {
  /** The batch the call is about, so a 404 for one we just created can be retried. */
  batchId?: string | undefined;
  /** Set on create: a lost connection then leaves the outcome unknown. */
  creating?: { attemptedAt: Date; requestCount: number } | undefined;
}

const RECENTLY_CREATED_CAP = 10_000;

/**
 * Our only door to Anthropic's Message Batches API (`client.messages.batches`,
 * no beta header). Every call goes through a token bucket (when
 * requestsPerMinute is set) and is retried on rate limits, overload, server
 * errors and lost connections, obeying retry-after and backing off with
 * jitter. Every failure comes out as a typed AnthropicFailure.
 * @example const gateway = new AnthropicGateway({ baseURL: sim.url, apiKey: 'any' });
 *          const batch = await gateway.createBatch(requests, { model, maxTokens: 1024 });
 *          await gateway.waitForBatch(batch.id);
 *          for await (const line of gateway.results(batch.id)) save(line);
 */
export class AnthropicGateway {
  readonly #client: Anthropic;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #maxRetries: number;
  readonly #backoff: BackoffPolicy;
  readonly #freshBatchWindowMs: number;
  readonly #bucket: TokenBucket | undefined;
  /** Ids of batches this gateway created lately, with when (oldest first). */
  readonly #recentlyCreated = new Map<string, number>();

  constructor(options: AnthropicGatewayOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.#random = options.random ?? Math.random;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#freshBatchWindowMs = options.freshBatchWindowMs ?? 60_000;
    this.#bucket =
      options.requestsPerMinute === undefined
        ? undefined
        : new TokenBucket(
            options.requestsPerMinute,
            this.#nowMs(),
            options.burst ?? Math.max(1, Math.floor(options.requestsPerMinute / 2)),
          );
    // Retries are ours, so that each attempt passes the token bucket and every wait the sleep hook.
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 600_000,
    });
  }

  /**
   * Submits a batch; `options` fill in the model, max_tokens, system and
   * metadata requests leave out. A lost connection throws
   * BatchCreationUnconfirmedError (never retried: the batch may exist).
   */
  async createBatch(
    requests: readonly BatchRequestInput[],
    options: CreateBatchOptions = {},
  ): Promise<MessageBatch> {
    const complete = completeBatchRequests(requests, options);
    const body = { requests: complete } as unknown as BatchCreateParams;
    const batch = await this.#call(
      (signal) => this.#client.messages.batches.create(body, { signal }),
      {
        signal: options.signal,
        creating: { attemptedAt: this.#clock.now(), requestCount: complete.length },
      },
    );
    this.#rememberCreated(batch.id);
    return batch;
  }

  /** The batch as Anthropic sees it now. */
  getBatchStatus(batchId: string, options: CallOptions = {}): Promise<MessageBatch> {
    return this.#call((signal) => this.#client.messages.batches.retrieve(batchId, {}, { signal }), {
      signal: options.signal,
      batchId,
    });
  }

  /** Starts canceling a batch; a batch that has already ended is returned as it is. */
  async cancelBatch(batchId: string, options: CallOptions = {}): Promise<MessageBatch> {
    try {
      return await this.#call(
        (signal) => this.#client.messages.batches.cancel(batchId, {}, { signal }),
        { signal: options.signal, batchId },
      );
    } catch (error) {
      // Anthropic refuses to cancel an ended batch; for us that is the cancel's goal reached.
      if (error instanceof AnthropicFailure && error.upstreamStatus === 400) {
        const batch = await this.getBatchStatus(batchId, options);
        if (batch.processing_status === 'ended') return batch;
      }
      throw error;
    }
  }

  /** Deletes an ended batch (Anthropic refuses one still in progress: cancel it first). */
  deleteBatch(batchId: string, options: CallOptions = {}): Promise<DeletedMessageBatch> {
    return this.#call((signal) => this.#client.messages.batches.delete(batchId, {}, { signal }), {
      signal: options.signal,
      batchId,
    });
  }

  /** One page of batches, newest first. */
  async listBatches(options: ListBatchesOptions = {}): Promise<BatchPage> {
    const page = await this.#call(
      (signal) =>
        this.#client.messages.batches.list(
          { limit: options.limit, after_id: options.afterId, before_id: options.beforeId },
          { signal },
        ),
      { signal: options.signal },
    );
    return {
      data: page.data,
      hasMore: page.has_more,
      firstId: page.first_id,
      lastId: page.last_id,
    };
  }

  /**
   * Every batch, newest first, page by page; with `createdAfter`, stops at the
   * first older batch (to reconcile: what did we create since then?).
   */
  async *listAllBatches(options: ListAllBatchesOptions = {}): AsyncGenerator<MessageBatch> {
    const after = options.createdAfter?.getTime();
    let afterId: string | undefined;
    for (;;) {
      const page = await this.listBatches({
        limit: options.pageSize ?? LIST_LIMITS.max,
        afterId,
        signal: options.signal,
      });
      for (const batch of page.data) {
        if (after !== undefined && Date.parse(batch.created_at) < after) return;
        yield batch;
      }
      if (!page.hasMore || page.lastId === null) return;
      afterId = page.lastId;
    }
  }

  /**
   * The current state of many batches at the least cost in calls: list pages
   * (sized by listPageSize) while another page is cheaper than retrieving the
   * rest one by one, then retrieve what the pages did not show.
   */
  async refreshBatches(
    ids: Iterable<string>,
    options: CallOptions = {},
  ): Promise<RefreshedBatches> {
    const wanted = new Set(ids);
    const batches = new Map<string, MessageBatch>();
    let pages = 0;
    let listed = 0;
    let afterId: string | undefined;
    const most = wanted.size;
    // A page costs one call, like a retrieve, and may show every wanted batch: the first is
    // always worth it; another only while it could show two or more of the rest.
    while (wanted.size > 0 && (pages === 0 || wanted.size > 1) && pages < most) {
      const page = await this.listBatches({
        limit: listPageSize(wanted.size, pages),
        afterId,
        signal: options.signal,
      });
      pages += 1;
      listed += page.data.length;
      for (const batch of page.data) {
        if (wanted.delete(batch.id)) batches.set(batch.id, batch);
      }
      if (!page.hasMore || page.lastId === null) break;
      afterId = page.lastId;
    }
    const missing: string[] = [];
    for (const id of wanted) {
      try {
        batches.set(id, await this.getBatchStatus(id, options));
      } catch (error) {
        if (!(error instanceof AnthropicNotFoundError)) throw error;
        missing.push(id);
      }
    }
    return { batches, missing, listed };
  }

  /**
   * A batch's results, one typed line at a time, read as a stream (never the
   * whole file in memory). If the download is cut, it starts again and skips
   * the lines already given.
   */
  async *results(
    batchId: string,
    options: CallOptions & { resultsUrl?: string | undefined } = {},
  ): AsyncGenerator<BatchResult> {
    const url = options.resultsUrl ?? (await this.#resultsUrl(batchId, options));
    const given = new Set<string>();
    for (let attempt = 0; ; attempt += 1) {
      const response = await this.#call(
        (signal) =>
          this.#client
            .get(url, { headers: { Accept: 'application/binary' }, __binaryResponse: true, signal })
            .asResponse(),
        { signal: options.signal, batchId },
      );
      if (!response.body) throw new AnthropicConnectionError('the results answer had no body');
      try {
        for await (const line of parseResults(response.body)) {
          if (given.has(line.custom_id)) continue;
          given.add(line.custom_id);
          yield line;
        }
        return;
      } catch (error) {
        if (error instanceof MalformedResultLineError || options.signal?.aborted) throw error;
        const cut = new AnthropicConnectionError('the results download was cut', { cause: error });
        if (attempt >= this.#maxRetries) throw cut;
        await this.#sleep(this.#retryDelay(attempt, undefined), options.signal);
      }
    }
  }

  async #resultsUrl(batchId: string, options: CallOptions): Promise<string> {
    const batch = await this.getBatchStatus(batchId, options);
    if (batch.archived_at !== null) throw new BatchResultsUnavailableError(batchId, 'archived');
    if (batch.processing_status !== 'ended' || batch.results_url === null) {
      throw new BatchResultsUnavailableError(batchId, 'not_ended');
    }
    return batch.results_url;
  }

  /** The seed's name for results(). */
  getBatchResults(batchId: string, options: CallOptions = {}): AsyncGenerator<BatchResult> {
    return this.results(batchId, options);
  }

  /**
   * Polls until the batch has ended, waiting longer between polls as it goes
   * (pollInterval, then half as long again each time, up to maxPollInterval).
   */
  async waitForBatch(batchId: string, options: WaitForBatchOptions = {}): Promise<MessageBatch> {
    const startedAt = this.#nowMs();
    const maxPollInterval = options.maxPollInterval ?? 60_000;
    let interval = Math.min(options.pollInterval ?? 5000, maxPollInterval);
    for (;;) {
      const batch = await this.getBatchStatus(batchId, options);
      if (batch.processing_status === 'ended') return batch;
      const waited = this.#nowMs() - startedAt;
      if (options.maxWait !== undefined && waited >= options.maxWait) {
        throw new BatchWaitTimeoutError(batchId, waited);
      }
      const left = options.maxWait === undefined ? interval : options.maxWait - waited;
      await this.#sleep(Math.min(interval, left), options.signal);
      interval = Math.min(interval * 1.5, maxPollInterval);
    }
  }

  async #call<T>(send: (signal?: AbortSignal) => Promise<T>, context: CallContext): Promise<T> {
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
        const failure = toAnthropicFailure(error, this.#nowMs());
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
        if (!(failure.retryable || notVisibleYet) || attempt >= this.#maxRetries) throw failure;
        await this.#sleep(this.#retryDelay(attempt, failure.retryAfterMs), context.signal);
      }
    }
  }

  async #throttle(signal: AbortSignal | undefined): Promise<void> {
    if (!this.#bucket) return;
    for (
      let wait = this.#bucket.take(this.#nowMs());
      wait > 0;
      wait = this.#bucket.take(this.#nowMs())
    ) {
      await this.#sleep(wait, signal);
    }
  }

  #retryDelay(attempt: number, retryAfterMs: number | undefined): number {
    return retryDelayMs(attempt, retryAfterMs, this.#backoff, this.#random());
  }

  #rememberCreated(batchId: string): void {
    const now = this.#nowMs();
    this.#recentlyCreated.set(batchId, now);
    for (const [id, createdAt] of this.#recentlyCreated) {
      const stale = now - createdAt > this.#freshBatchWindowMs;
      if (!stale && this.#recentlyCreated.size <= RECENTLY_CREATED_CAP) break;
      this.#recentlyCreated.delete(id);
    }
  }

  #isFresh(batchId: string | undefined): boolean {
    if (batchId === undefined) return false;
    const createdAt = this.#recentlyCreated.get(batchId);
    return createdAt !== undefined && this.#nowMs() - createdAt <= this.#freshBatchWindowMs;
  }

  #nowMs(): number {
    return this.#clock.now().getTime();
  }
}

/** No answer came, so the server may or may not have acted on the call. */
function isUnanswered(failure: AnthropicFailure): boolean {
  return failure instanceof AnthropicConnectionError || failure instanceof AnthropicTimeoutError;
}
