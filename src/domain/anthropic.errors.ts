import { BatchkeeperError } from './errors.js';

/**
 * Failures on the way to, or reported by, the Anthropic API. Each says whether
 * a later attempt may succeed (`retryable`). Upstream faults that a retry may
 * cure answer 503 on our own API; the ones it cannot (our key refused, a
 * request Anthropic rejects) answer 502, since the caller did nothing wrong.
 */
export abstract class AnthropicFailure extends BatchkeeperError {
  abstract readonly retryable: boolean;
  /** Anthropic's `request-id`, when the answer carried one. */
  readonly requestId: string | undefined;
  /** The HTTP status Anthropic answered with; absent when no answer came. */
  readonly upstreamStatus: number | undefined;
  /** How long Anthropic asked us to wait before trying again (`retry-after`). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: AnthropicFailureDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.requestId = details.requestId;
    this.upstreamStatus = details.upstreamStatus;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export interface AnthropicFailureDetails {
  requestId?: string | undefined;
  upstreamStatus?: number | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/** 429: too many calls, or too many requests waiting in the organisation's processing queue. */
export class AnthropicRateLimitError extends AnthropicFailure {
  readonly type = 'rate_limit_error';
  readonly status = 503;
  readonly retryable = true;
}

/** 529: Anthropic is overloaded. */
export class AnthropicOverloadedError extends AnthropicFailure {
  readonly type = 'overloaded_error';
  readonly status = 503;
  readonly retryable = true;
}

/** 500 and other 5xx answers: a fault on Anthropic's side. */
export class AnthropicServerError extends AnthropicFailure {
  readonly type = 'api_error';
  readonly status = 503;
  readonly retryable = true;
}

/** No answer: the connection could not be made or was cut. */
export class AnthropicConnectionError extends AnthropicFailure {
  readonly type = 'connection_error';
  readonly status = 503;
  readonly retryable = true;
}

/** No answer within the time allowed. */
export class AnthropicTimeoutError extends AnthropicFailure {
  readonly type = 'timeout_error';
  readonly status = 503;
  readonly retryable = true;
}

/** 401: Anthropic refused our API key. */
export class AnthropicAuthenticationError extends AnthropicFailure {
  readonly type = 'authentication_error';
  readonly status = 502;
  readonly retryable = false;
}

/** 403: our API key may not do this. */
export class AnthropicPermissionError extends AnthropicFailure {
  readonly type = 'permission_error';
  readonly status = 502;
  readonly retryable = false;
}

/** 404: no such batch (or its results are gone). */
export class AnthropicNotFoundError extends AnthropicFailure {
  readonly type = 'not_found_error';
  readonly status = 502;
  readonly retryable = false;
}

/** 400: Anthropic refused the request as malformed. */
export class AnthropicInvalidRequestError extends AnthropicFailure {
  readonly type = 'invalid_request_error';
  readonly status = 502;
  readonly retryable = false;
}

/** 413: the batch is over Anthropic's size limit (256 MB). */
export class AnthropicRequestTooLargeError extends AnthropicFailure {
  readonly type = 'request_too_large';
  readonly status = 502;
  readonly retryable = false;
}

/** Any other answer Anthropic gave (402 billing, 409, ...); retryable where HTTP says so. */
export class AnthropicUnexpectedStatusError extends AnthropicFailure {
  readonly type = 'upstream_error';
  readonly status = 502;
  readonly retryable: boolean;
  constructor(message: string, details: AnthropicFailureDetails = {}) {
    super(message, details);
    this.retryable = details.upstreamStatus === 408 || details.upstreamStatus === 409;
  }
}

/**
 * The connection failed while a batch was being created, so Anthropic may or
 * may not have created it. Sending it again could pay for every request twice:
 * look for it first (list batches created since `attemptedAt`).
 */
export class BatchCreationUnconfirmedError extends AnthropicFailure {
  readonly type = 'batch_creation_unconfirmed';
  readonly status = 503;
  readonly retryable = false;
  constructor(
    readonly attemptedAt: Date,
    readonly requestCount: number,
    details: AnthropicFailureDetails = {},
  ) {
    super(
      `the connection failed while creating a batch of ${requestCount} requests; ` +
        'it may exist: reconcile before sending it again',
      details,
    );
  }
}

/** A batch's results cannot be read: it has not ended yet, or they were archived. */
export class BatchResultsUnavailableError extends AnthropicFailure {
  readonly type = 'batch_results_unavailable';
  readonly status = 409;
  readonly retryable: boolean;
  constructor(
    readonly batchId: string,
    readonly reason: 'not_ended' | 'archived',
  ) {
    super(
      reason === 'not_ended'
        ? `batch ${batchId} has not ended; its results are not ready`
        : `batch ${batchId} is archived; its results are gone`,
    );
    this.retryable = reason === 'not_ended';
  }
}

/** A line of a results file that is not a result; `lineNumber` counts from 1. */
export class MalformedResultLineError extends AnthropicFailure {
  readonly type = 'malformed_result_line';
  readonly status = 502;
  readonly retryable = false;
  constructor(
    readonly lineNumber: number,
    readonly reason: string,
  ) {
    super(`results line ${lineNumber} is malformed: ${reason}`);
  }
}

/** waitForBatch gave up: the batch had not ended within `maxWait`. */
export class BatchWaitTimeoutError extends AnthropicFailure {
  readonly type = 'batch_wait_timeout';
  readonly status = 504;
  readonly retryable = true;
  constructor(
    readonly batchId: string,
    readonly waitedMs: number,
  ) {
    super(`batch ${batchId} had not ended after ${waitedMs} ms`);
  }
}

/** Anthropic's error types a later attempt may cure (for an errored result: `result.error.error.type`). */
const RETRYABLE_ERROR_TYPES: ReadonlySet<string> = new Set([
  'rate_limit_error',
  'overloaded_error',
  'api_error',
  'timeout_error',
]);

/** Whether an Anthropic error type (e.g. an errored result's) is worth another attempt. */
export function isRetryableAnthropicErrorType(type: string): boolean {
  return RETRYABLE_ERROR_TYPES.has(type);
}
