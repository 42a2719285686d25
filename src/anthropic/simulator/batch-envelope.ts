import { createHash } from 'node:crypto';
import {
  checkRequestParams,
  type RequestCheckContext,
} from '../../domain/anthropic-api/check-request.js';
import { canonicalJson } from '../../domain/canonical-json.js';
import { CUSTOM_ID_PATTERN } from '../../domain/request.schema.js';
import { MESSAGE_BATCH_LIMITS } from '../message-batch.limits.js';
import { checkMessageParams } from './message-params.check.js';
import { invalidRequest } from './simulated-api.error.js';
import { type SimulatedReply, simulateReply } from './simulated-reply.js';

/**
 * One request of a created batch, kept small: its id, a fingerprint of
 * custom_id + params (to spot money spent twice), and either the reply it will
 * get or why its params are invalid. The params themselves are not kept.
 */
export interface AcceptedRequest {
  customId: string;
  fingerprint: string;
  answer: SimulatedReply | { invalid: string; errorType: string };
}

/**
 * Checks a create body as the API does before accepting it: the envelope
 * (count, custom_ids) is refused at once with a 400; bad params are accepted
 * and come back later as errored results: first what the rules of the call's version and the
 * model catalogue refuse (the same table batchkeeper validates with), then the params' shape.
 */
export function acceptBatchEnvelope(
  body: unknown,
  context: RequestCheckContext,
): AcceptedRequest[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('request body: must be a JSON object');
  }
  const extra = Object.keys(body).find((key) => key !== 'requests');
  if (extra !== undefined) throw invalidRequest(`${extra}: Extra inputs are not permitted`);
  const { requests } = body as { requests?: unknown };
  if (requests === undefined) throw invalidRequest('requests: Field required');
  if (!Array.isArray(requests)) throw invalidRequest('requests: Input should be a valid list');
  if (requests.length === 0) throw invalidRequest('requests: List should have at least 1 item');
  if (requests.length > MESSAGE_BATCH_LIMITS.maxRequests) {
    throw invalidRequest(
      `requests: a batch may hold at most ${MESSAGE_BATCH_LIMITS.maxRequests} requests, got ${requests.length}`,
    );
  }
  const seen = new Set<string>();
  return requests.map((request: unknown, index) => {
    const where = `requests.${index}`;
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw invalidRequest(`${where}: Input should be a valid object`);
    }
    const { custom_id: customId, params } = request as { custom_id?: unknown; params?: unknown };
    if (typeof customId !== 'string' || !CUSTOM_ID_PATTERN.test(customId)) {
      throw invalidRequest(
        `${where}.custom_id: must be 1 to 64 characters of letters, digits, hyphens and underscores`,
      );
    }
    if (seen.has(customId)) {
      throw invalidRequest(`${where}.custom_id: duplicate custom_id '${customId}'`);
    }
    seen.add(customId);
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw invalidRequest(`${where}.params: Input should be a valid object`);
    }
    return acceptRequest(customId, params, context);
  });
}

function acceptRequest(
  customId: string,
  params: object,
  context: RequestCheckContext,
): AcceptedRequest {
  const violation = checkRequestParams(params as Record<string, unknown>, context)[0];
  const checked = violation ? undefined : checkMessageParams(params);
  return {
    customId,
    fingerprint: createHash('sha256')
      .update(customId)
      .update('\0')
      .update(canonicalJson(params))
      .digest('base64url')
      .slice(0, 22),
    answer: violation
      ? { invalid: violation.apiMessage, errorType: violation.errorType }
      : typeof checked === 'string' || checked === undefined
        ? { invalid: checked ?? 'params: invalid', errorType: 'invalid_request_error' }
        : simulateReply(checked),
  };
}
