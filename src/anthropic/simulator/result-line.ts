import type { AcceptedRequest } from './batch-envelope.js';
import type { RequestOutcome } from './simulated-batch.js';
import type { SimulatedReply } from './simulated-reply.js';
import { resultLineId } from './simulator-ids.js';

/** One line of a results file, `\n`-terminated, exactly as the API writes it. */
export function resultLine(
  batchId: string,
  request: AcceptedRequest,
  index: number,
  outcome: RequestOutcome,
): string {
  return `${JSON.stringify({ custom_id: request.customId, result: resultOf(batchId, request, index, outcome) })}\n`;
}

function resultOf(
  batchId: string,
  request: AcceptedRequest,
  index: number,
  outcome: RequestOutcome,
) {
  switch (outcome.type) {
    case 'succeeded': {
      if ('invalid' in request.answer) throw new Error('an invalid request cannot succeed');
      const reply = request.answer;
      return {
        type: 'succeeded',
        // Every field the SDK's Message and Usage declare, null where it does not apply.
        message: {
          id: resultLineId('msg', batchId, index),
          type: 'message',
          role: 'assistant',
          model: reply.model,
          content: [
            { type: 'text', text: outcome.unstorableText ? unstorable(reply.text) : reply.text },
          ],
          stop_reason: reply.stopReason,
          stop_sequence: null,
          stop_details: null,
          container: null,
          diagnostics: null,
          usage: {
            ...cacheUsage(reply),
            output_tokens: reply.outputTokens,
            server_tool_use:
              reply.webSearches > 0
                ? { web_search_requests: reply.webSearches, web_fetch_requests: 0 }
                : null,
            service_tier: 'batch',
            inference_geo: null,
            output_tokens_details: null,
            speed: null,
          },
        },
      };
    }
    case 'errored':
      // The API nests a whole error response inside the result.
      return {
        type: 'errored',
        error: {
          type: 'error',
          error: { type: outcome.errorType, message: outcome.message },
          request_id: resultLineId('req', batchId, index),
        },
      };
    case 'canceled':
      return { type: 'canceled' };
    case 'expired':
      return { type: 'expired' };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/**
 * The prompt's tokens as usage reports them: the longest prefix found in the cache is read, each
 * later prefix writes its own tokens beyond the one before at its TTL, the rest is plain input.
 */
function cacheUsage(reply: SimulatedReply) {
  const prefixes = reply.cachePrefixes;
  const read = reply.cacheReadCount > 0 ? prefixes[reply.cacheReadCount - 1]!.tokens : 0;
  const written = { '5m': 0, '1h': 0 };
  let covered = read;
  for (const prefix of prefixes.slice(reply.cacheReadCount)) {
    written[prefix.ttl] += Math.max(0, prefix.tokens - covered);
    covered = Math.max(covered, prefix.tokens);
  }
  return {
    input_tokens: reply.inputTokens - covered,
    cache_creation_input_tokens: written['5m'] + written['1h'],
    cache_read_input_tokens: read,
    cache_creation: {
      ephemeral_5m_input_tokens: written['5m'],
      ephemeral_1h_input_tokens: written['1h'],
    },
  };
}

/** Text that is valid JSON but not storable in jsonb: a NUL and a lone high surrogate. */
function unstorable(text: string): string {
  return `${text} \u0000 \ud800`;
}
