import { ValidationError, type ValidationIssue } from '../domain/errors.js';
import type { MessageParams } from '../domain/request.schema.js';
import { CUSTOM_ID_PATTERN } from '../domain/request.schema.js';
import type { BatchRequestInput } from './batch.types.js';
import { MESSAGE_BATCH_LIMITS } from './message-batch.limits.js';

/** What createBatch fills in where a request leaves it out. */
export interface BatchDefaults {
  model?: string | undefined;
  maxTokens?: number | undefined;
  system?: MessageParams['system'];
  /** The Messages API's own metadata (only `user_id`). */
  metadata?: MessageParams['metadata'];
}

export interface CompleteBatchRequest {
  custom_id: string;
  params: MessageParams;
}

/**
 * Fills each request's missing model, max_tokens, system and metadata from
 * `defaults`, and checks what Anthropic would refuse the whole batch for
 * (count, custom_id form, duplicates, no model or max_tokens) so a doomed call
 * is never sent. Throws a ValidationError listing the problems.
 */
export function completeBatchRequests(
  requests: readonly BatchRequestInput[],
  defaults: BatchDefaults,
): CompleteBatchRequest[] {
  const issues: ValidationIssue[] = [];
  if (requests.length === 0)
    issues.push({ path: 'requests', message: 'a batch needs at least one request' });
  if (requests.length > MESSAGE_BATCH_LIMITS.maxRequests) {
    issues.push({
      path: 'requests',
      message: `a batch holds at most ${MESSAGE_BATCH_LIMITS.maxRequests} requests, got ${requests.length}`,
    });
  }
  const seen = new Set<string>();
  const completed = requests.map((request, index) => {
    const path = `requests.${index}`;
    if (!CUSTOM_ID_PATTERN.test(request.custom_id)) {
      issues.push({
        path: `${path}.custom_id`,
        message: 'must be 1 to 64 letters, digits, underscores or hyphens',
      });
    } else if (seen.has(request.custom_id)) {
      issues.push({
        path: `${path}.custom_id`,
        message: `duplicate custom_id '${request.custom_id}'`,
      });
    }
    seen.add(request.custom_id);
    const params = withDefaults(request.params, defaults);
    if (params.model === undefined)
      issues.push({ path: `${path}.params.model`, message: 'no model, and no default given' });
    if (params.max_tokens === undefined) {
      issues.push({
        path: `${path}.params.max_tokens`,
        message: 'no max_tokens, and no default given',
      });
    }
    return { custom_id: request.custom_id, params: params as MessageParams };
  });
  if (issues.length > 0) {
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new ValidationError(
      `invalid batch: ${first.path}: ${first.message}${more}`,
      issues.slice(0, 100),
    );
  }
  return completed;
}

function withDefaults(params: BatchRequestInput['params'], defaults: BatchDefaults) {
  const filled: Record<string, unknown> = { ...params };
  const fill = (field: string, value: unknown) => {
    if (filled[field] === undefined && value !== undefined) filled[field] = value;
  };
  fill('model', defaults.model);
  fill('max_tokens', defaults.maxTokens);
  fill('system', defaults.system);
  fill('metadata', defaults.metadata);
  return filled as BatchRequestInput['params'];
}
