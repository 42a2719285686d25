import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { retryAfterMs, toAnthropicFailure } from '../../src/anthropic/sdk-error.mapping.js';
import {
  AnthropicAuthenticationError,
  AnthropicConnectionError,
  AnthropicInvalidRequestError,
  AnthropicNotFoundError,
  AnthropicOverloadedError,
  AnthropicPermissionError,
  AnthropicRateLimitError,
  AnthropicRequestTooLargeError,
  AnthropicServerError,
  AnthropicTimeoutError,
  AnthropicUnexpectedStatusError,
} from '../../src/domain/anthropic.errors.js';

const NOW = Date.parse('2026-01-05T10:00:00Z');

function sdkError(status: number, type: string, headers: Record<string, string> = {}) {
  return APIError.generate(
    status,
    { type: 'error', error: { type, message: `a ${type}` } },
    undefined,
    new Headers({ 'request-id': 'req_1', ...headers }),
  );
}

describe('toAnthropicFailure', () => {
  it.each([
    [400, 'invalid_request_error', AnthropicInvalidRequestError, false],
    [401, 'authentication_error', AnthropicAuthenticationError, false],
    [403, 'permission_error', AnthropicPermissionError, false],
    [404, 'not_found_error', AnthropicNotFoundError, false],
    [413, 'request_too_large', AnthropicRequestTooLargeError, false],
    [429, 'rate_limit_error', AnthropicRateLimitError, true],
    [500, 'api_error', AnthropicServerError, true],
    [503, 'api_error', AnthropicServerError, true],
    [529, 'overloaded_error', AnthropicOverloadedError, true],
    [402, 'billing_error', AnthropicUnexpectedStatusError, false],
    [409, 'conflict_error', AnthropicUnexpectedStatusError, true],
  ] as const)('maps a %i %s to its typed error', (status, type, errorClass, retryable) => {
    const failure = toAnthropicFailure(sdkError(status, type), NOW);
    expect(failure).toBeInstanceOf(errorClass);
    expect(failure).toMatchObject({ retryable, upstreamStatus: status, requestId: 'req_1' });
    expect((failure as Error).message).toContain(`a ${type}`);
  });

  it('keeps the wait a 429 asked for', () => {
    const failure = toAnthropicFailure(
      sdkError(429, 'rate_limit_error', { 'retry-after': '12' }),
      NOW,
    );
    expect(failure).toMatchObject({ retryAfterMs: 12_000 });
  });

  it('maps a timeout and a lost connection, both retryable', () => {
    expect(toAnthropicFailure(new APIConnectionTimeoutError(), NOW)).toBeInstanceOf(
      AnthropicTimeoutError,
    );
    const lost = toAnthropicFailure(
      new APIConnectionError({ cause: new Error('socket hang up') }),
      NOW,
    );
    expect(lost).toBeInstanceOf(AnthropicConnectionError);
    expect(lost).toMatchObject({ retryable: true });
  });

  it('gives back an abort and anything that is not an SDK error unchanged', () => {
    const abort = new APIUserAbortError();
    const bug = new TypeError('a bug of ours');
    expect(toAnthropicFailure(abort, NOW)).toBe(abort);
    expect(toAnthropicFailure(bug, NOW)).toBe(bug);
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms first, then retry-after in seconds or as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), NOW)).toBe(
      250,
    );
    expect(retryAfterMs(new Headers({ 'retry-after': '1.5' }), NOW)).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Mon, 05 Jan 2026 10:00:30 GMT' }), NOW)).toBe(
      30_000,
    );
  });

  it('is undefined without a usable header', () => {
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
  });
});
