import type { AnthropicApiVersion } from '../domain/anthropic-api/api-version.js';
import type { Clock } from '../domain/clock.js';
import type { MessageBatch } from './batch.types.js';
import type { BatchDefaults } from './batch-requests.js';
import type { BackoffPolicy } from './retry-backoff.js';

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
  /** The `anthropic-version` every call sends unless a call names its own (default: DEFAULT_ANTHROPIC_VERSION). */
  anthropicVersion?: AnthropicApiVersion | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface CountTokensOptions extends CallOptions {
  /** The `anthropic-version` to count under (a job's own); default: the gateway's. */
  anthropicVersion?: string | undefined;
}

export interface CreateBatchOptions extends BatchDefaults, CallOptions {
  /** The `anthropic-version` of this batch (a job's own); default: the gateway's. */
  anthropicVersion?: string | undefined;
}

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
