import { ConflictError, IllegalTransitionError, NotFoundError, ValidationError } from './errors.js';
import type { JobRetried } from './job.events.js';
import type { OriginalRef } from './job.plan.js';
import type { JobState } from './job.state.js';
import { RETRYABLE_RESULT_TYPES, type RetryFilter, type RetryOptions } from './job-retry.schema.js';
import { isTerminalStatus } from './job-status.js';
import { applyMergePatch } from './json-merge-patch.js';

/** A request of the ended job with its final outcome, as a retry chooses among them. */
export interface RetryCandidate {
  ordinal: number;
  customId: string;
  /** Null only for a request that never got a final outcome. */
  resultType: 'succeeded' | 'errored' | 'canceled' | 'expired' | null;
  errorType: string | null;
}

/** How many unknown custom_ids a refusal names one by one. */
const UNKNOWN_NAMED = 20;

/**
 * Which requests of `job` a retry sends again: those whose outcome is one of the filter's
 * result types (default: every failure), of its error types and among its custom_ids. A
 * succeeded request is never sent again. Refuses a job that is missing, deleted or another
 * tenant's (404), one that has not ended (409), unknown custom_ids and a filter that matches
 * nothing (400). Pure.
 */
export function selectRetryRequests(
  job: JobState | undefined,
  tenant: string,
  jobId: string,
  filter: RetryFilter,
  candidates: readonly RetryCandidate[],
): RetryCandidate[] {
  assertRetryable(job, tenant, jobId);
  const types = new Set<string>(filter.resultTypes ?? RETRYABLE_RESULT_TYPES);
  const errorTypes = filter.errorTypes && new Set(filter.errorTypes);
  const customIds = filter.customIds && new Set(filter.customIds);
  if (customIds) {
    const known = new Set(candidates.map((c) => c.customId));
    const unknown = [...customIds].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const named = unknown
        .slice(0, UNKNOWN_NAMED)
        .map((id) => `"${id}"`)
        .join(', ');
      const more =
        unknown.length > UNKNOWN_NAMED ? ` and ${unknown.length - UNKNOWN_NAMED} more` : '';
      throw new ValidationError(`job ${jobId} has no request with custom_id ${named}${more}`, [
        { path: 'filter.customIds', message: `unknown custom_id ${named}${more}` },
      ]);
    }
  }
  const selected = candidates.filter(
    (c) =>
      c.resultType !== 'succeeded' &&
      types.has(c.resultType ?? 'errored') &&
      (!errorTypes || (c.resultType === 'errored' && errorTypes.has(c.errorType ?? ''))) &&
      (!customIds || customIds.has(c.customId)),
  );
  if (selected.length === 0) {
    throw new ValidationError(
      `job ${jobId} has no request matching the retry filter ${describeFilter(filter)}`,
      [{ path: 'filter', message: 'no request of the job matches the filter' }],
    );
  }
  return selected;
}

/** Only an ended job (completed, failed, cancelled, expired) of the tenant is retried. */
export function assertRetryable(
  job: JobState | undefined,
  tenant: string,
  jobId: string,
): asserts job is JobState {
  if (!job || job.deleted || job.tenant !== tenant)
    throw new NotFoundError(`job ${jobId} not found`);
  if (!isTerminalStatus(job.status)) throw new IllegalTransitionError('retry', job.status);
}

/** The new job's createJob input: the selected requests with the patched params, the rest inherited. */
export function retryJobConfig(
  original: JobState,
  requests: ReadonlyArray<{ customId: string; params: unknown }>,
  options: RetryOptions,
): Record<string, unknown> {
  const purged = requests.filter((r) => r.params === null || r.params === undefined);
  if (purged.length > 0) {
    throw new ConflictError(
      `the request bodies of job ${original.id} were purged (the job was deleted or ended more ` +
        `than BATCHKEEPER_PURGE_AFTER_DAYS ago): ${purged.length} of the requests to retry ` +
        `cannot be sent again (first: ${purged[0]!.customId})`,
    );
  }
  return {
    requests: requests.map((r) => ({
      custom_id: r.customId,
      params: options.overrides ? applyMergePatch(r.params, options.overrides) : r.params,
    })),
    priority: options.priority ?? original.priority,
    tags: options.tags ?? original.tags,
    metadata: options.metadata ?? original.metadata,
    deduplicate: original.deduplicate,
    timeoutMs: original.timeoutMs,
    anthropicVersion: original.anthropicVersion,
    ...(options.callbackUrl !== undefined
      ? { callbackUrl: options.callbackUrl }
      : original.callbackUrl
        ? { callbackUrl: original.callbackUrl }
        : {}),
  };
}

/**
 * The dedup rule of a retry: a request it sends takes another's outcome only from an original
 * that succeeded or has no final outcome yet, never from one that errored, expired or was
 * canceled (the outcome the retry is there to replace). Pure: `finalResultOf` says each known
 * original's final result type (undefined: none yet).
 */
export function originalsARetryMayReuse(
  known: ReadonlyMap<string, OriginalRef>,
  finalResultOf: (original: OriginalRef) => string | undefined,
): Map<string, OriginalRef> {
  const reusable = new Map<string, OriginalRef>();
  for (const [fingerprint, original] of known) {
    const result = finalResultOf(original);
    if (result === undefined || result === 'succeeded') reusable.set(fingerprint, original);
  }
  return reusable;
}

/** The original's side of the link: the past-tense fact that some of its requests were sent again. */
export function jobRetriedEvent(retryJobId: string, requestCount: number, now: Date): JobRetried {
  return { type: 'JobRetried', data: { retryJobId, requestCount, at: now.toISOString() } };
}

function describeFilter(filter: RetryFilter): string {
  const parts = [
    `resultTypes ${(filter.resultTypes ?? RETRYABLE_RESULT_TYPES).join(',')}`,
    ...(filter.errorTypes ? [`errorTypes ${filter.errorTypes.join(',')}`] : []),
    ...(filter.customIds ? [`${filter.customIds.length} customIds`] : []),
  ];
  return `(${parts.join('; ')}): nothing to retry`;
}
