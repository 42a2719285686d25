import { checkMessageParams } from './message-params.check.js';
import { invalidRequest } from './simulated-api.error.js';
import { simulatedInputTokens } from './simulated-reply.js';
import type { SimulatorState } from './simulator-state.js';

/**
 * POST /v1/messages/count_tokens: the prompt's tokens, `{input_tokens}`, by the same rule the
 * simulator's results report usage with (so an estimate brackets what the job then costs).
 * The body is a Messages request without `max_tokens`; a bad one is a 400 naming the field.
 */
export function countTokens(state: SimulatorState, body: unknown): { input_tokens: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('request body: must be a JSON object');
  }
  if ('max_tokens' in body) throw invalidRequest('max_tokens: Extra inputs are not permitted');
  const checked = checkMessageParams({ ...body, max_tokens: 1 });
  if (typeof checked === 'string') throw invalidRequest(checked);
  state.tokenCounts += 1;
  return { input_tokens: simulatedInputTokens(checked) };
}
