import type { NewRequestResult } from '../store/jobs/request-results.js';

/** Attempt numbers of results given by hand, clear of any sending's (1, 2, ...). */
const BY_HAND_ATTEMPT = 1000 + 1;

/** A result given by hand (the seed's addResult), as the final row of its request. */
export function byHandSuccess(ordinal: number, given: unknown): NewRequestResult {
  const result = normalizeSucceeded(given);
  const usage = (result.message as { usage?: { input_tokens?: number; output_tokens?: number } })
    ?.usage;
  return {
    ordinal,
    attempt: BY_HAND_ATTEMPT,
    batchKey: null,
    resultType: 'succeeded',
    errorType: null,
    final: true,
    result,
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
  };
}

/** An error given by hand (the seed's addError), in Anthropic's errored envelope. */
export function byHandError(ordinal: number, given: unknown): NewRequestResult {
  const { type, message } = normalizeError(given);
  return {
    ordinal,
    attempt: BY_HAND_ATTEMPT,
    batchKey: null,
    resultType: 'errored',
    errorType: type,
    final: true,
    result: { type: 'errored', error: { type: 'error', error: { type, message } } },
    inputTokens: 0,
    outputTokens: 0,
  };
}

function normalizeSucceeded(result: unknown): { type: 'succeeded'; message: unknown } {
  if (result && typeof result === 'object' && (result as { type?: unknown }).type === 'succeeded') {
    return result as { type: 'succeeded'; message: unknown };
  }
  return { type: 'succeeded', message: result };
}

function normalizeError(error: unknown): { type: string; message: string } {
  if (error instanceof Error) return { type: 'api_error', message: error.message };
  if (typeof error === 'string') return { type: 'api_error', message: error };
  if (error && typeof error === 'object') {
    const e = error as { type?: unknown; message?: unknown };
    return {
      type: typeof e.type === 'string' ? e.type : 'api_error',
      message: typeof e.message === 'string' ? e.message : JSON.stringify(error),
    };
  }
  return { type: 'api_error', message: String(error) };
}
