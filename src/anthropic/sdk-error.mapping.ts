import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import {
  AnthropicAuthenticationError,
  AnthropicConnectionError,
  type AnthropicFailure,
  type AnthropicFailureDetails,
  AnthropicInvalidRequestError,
  AnthropicNotFoundError,
  AnthropicOverloadedError,
  AnthropicPermissionError,
  AnthropicRateLimitError,
  AnthropicRequestTooLargeError,
  AnthropicServerError,
  AnthropicTimeoutError,
  AnthropicUnexpectedStatusError,
} from '../domain/anthropic.errors.js';
import { parseRetryAfter } from '../domain/retry-after.js';

/**
 * Turns what the SDK throws into our typed Anthropic failures. An abort the
 * caller asked for, and anything that is not an SDK error, is returned as is.
 */
export function toAnthropicFailure(error: unknown, nowMs: number): AnthropicFailure | unknown {
  if (error instanceof APIUserAbortError || !(error instanceof APIError)) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new AnthropicTimeoutError('Anthropic did not answer in time', { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new AnthropicConnectionError(`could not reach Anthropic: ${describeCause(error)}`, {
      cause: error,
    });
  }
  const details: AnthropicFailureDetails = {
    requestId: error.requestID ?? undefined,
    upstreamStatus: error.status,
    retryAfterMs: retryAfterMs(error.headers, nowMs),
    cause: error,
  };
  const message = `Anthropic answered ${error.status}: ${error.apiMessage ?? error.message}`;
  const type = error.type;
  if (error.status === 429 || type === 'rate_limit_error') {
    return new AnthropicRateLimitError(message, details);
  }
  if (error.status === 529 || type === 'overloaded_error') {
    return new AnthropicOverloadedError(message, details);
  }
  if (error.status === 413 || (type as string | null) === 'request_too_large') {
    return new AnthropicRequestTooLargeError(message, details);
  }
  switch (error.status) {
    case 400:
      return new AnthropicInvalidRequestError(message, details);
    case 401:
      return new AnthropicAuthenticationError(message, details);
    case 403:
      return new AnthropicPermissionError(message, details);
    case 404:
      return new AnthropicNotFoundError(message, details);
  }
  if (error.status !== undefined && error.status >= 500) {
    return new AnthropicServerError(message, details);
  }
  return new AnthropicUnexpectedStatusError(message, details);
}

/** The wait the server asked for: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, nowMs: number): number | undefined {
  const millis = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(millis) && millis >= 0) return millis;
  const raw = headers?.get('retry-after');
  return raw ? parseRetryAfter(raw, nowMs) : undefined;
}

function describeCause(error: Error): string {
  const cause = error.cause as { message?: string; cause?: { code?: string } } | undefined;
  return cause?.cause?.code ?? cause?.message ?? error.message;
}
