import { describe, expect, it } from 'vitest';
import type { RemoteResult } from '../../src/machines/batch-api.port.js';
import { toRequestResult } from '../../src/machines/result-outcome.js';

const context = { ordinal: 7, attempt: 1, batchKey: 'b1', retryAttempts: 3, ending: false };
const errored = (type: string): RemoteResult => ({
  custom_id: 'job_x_7',
  result: { type: 'errored', error: { type: 'error', error: { type, message: 'm' } } },
});

describe('what a result line means for its request', () => {
  it('makes a success final, with its token counts', () => {
    const outcome = toRequestResult(
      {
        custom_id: 'job_x_7',
        result: { type: 'succeeded', message: { usage: { input_tokens: 5, output_tokens: 9 } } },
      },
      context,
    );
    expect(outcome).toMatchObject({
      resultType: 'succeeded',
      final: true,
      inputTokens: 5,
      outputTokens: 9,
    });
  });

  it.each(['rate_limit_error', 'overloaded_error', 'api_error', 'timeout_error'])(
    'sends a request that errored with %s again while attempts remain',
    (type) => {
      expect(toRequestResult(errored(type), context)).toMatchObject({
        resultType: 'errored',
        errorType: type,
        final: false,
      });
    },
  );

  it('never sends an invalid_request_error again', () => {
    expect(toRequestResult(errored('invalid_request_error'), context)).toMatchObject({
      errorType: 'invalid_request_error',
      final: true,
    });
  });

  it('makes a retryable error final once the attempts are used up', () => {
    expect(toRequestResult(errored('overloaded_error'), { ...context, attempt: 4 }).final).toBe(
      true,
    );
    expect(toRequestResult(errored('overloaded_error'), { ...context, attempt: 3 }).final).toBe(
      false,
    );
  });

  it('sends nothing again for a job that is ending', () => {
    expect(toRequestResult(errored('api_error'), { ...context, ending: true }).final).toBe(true);
  });

  it('makes canceled and expired results final', () => {
    expect(
      toRequestResult({ custom_id: 'c', result: { type: 'canceled' } }, context),
    ).toMatchObject({
      resultType: 'canceled',
      final: true,
    });
    expect(toRequestResult({ custom_id: 'c', result: { type: 'expired' } }, context)).toMatchObject(
      {
        resultType: 'expired',
        final: true,
      },
    );
  });
});
