import { isRetryableAnthropicErrorType } from '../domain/anthropic.errors.js';
import type { NewRequestResult } from '../store/jobs/request-results.js';
import type { RemoteResult } from './batch-api.port.js';

export interface ResultContext {
  ordinal: number;
  /** How many times the request has been sent, this time included. */
  attempt: number;
  batchKey: string;
  /** Times a request may be sent again after the first (the manager's retryAttempts). */
  retryAttempts: number;
  /** The job is being cancelled or is past its deadline: nothing is sent again. */
  ending: boolean;
}

/**
 * What one result line means for its request: its outcome, whether it is
 * final, or whether it will be sent again (a retryable error with attempts left).
 */
export function toRequestResult(line: RemoteResult, context: ResultContext): NewRequestResult {
  const result = line.result;
  const base = {
    ordinal: context.ordinal,
    attempt: context.attempt,
    batchKey: context.batchKey,
    result,
    inputTokens: 0,
    outputTokens: 0,
  };
  switch (result.type) {
    case 'succeeded':
      return {
        ...base,
        resultType: 'succeeded',
        errorType: null,
        final: true,
        inputTokens: result.message.usage?.input_tokens ?? 0,
        outputTokens: result.message.usage?.output_tokens ?? 0,
      };
    case 'errored': {
      // The errored envelope nests Anthropic's error: result.error.error.type.
      const errorType = result.error.error?.type ?? result.error.type ?? 'api_error';
      // Errored results worth sending again; anything else (invalid_request_error...) is final.
      const retryable =
        isRetryableAnthropicErrorType(errorType) &&
        context.attempt <= context.retryAttempts &&
        !context.ending;
      return { ...base, resultType: 'errored', errorType, final: !retryable };
    }
    case 'canceled':
      return { ...base, resultType: 'canceled', errorType: null, final: true };
    case 'expired':
      return { ...base, resultType: 'expired', errorType: null, final: true };
    default: {
      const unknown: never = result;
      throw new Error(`unknown result type ${JSON.stringify(unknown)}`);
    }
  }
}
