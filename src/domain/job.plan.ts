import type { AnthropicApiVersion } from './anthropic-api/api-version.js';
import {
  checkRequestParams,
  type RequestCheckContext,
  type RequestViolation,
} from './anthropic-api/check-request.js';
import { ValidationError } from './errors.js';
import type { JobEvent } from './job.events.js';
import type { JobConfig } from './job-config.schema.js';
import type { MessageParams } from './request.schema.js';

/** Where a duplicate takes its outcome from: a request of this job or of another. */
export interface OriginalRef {
  jobId: string;
  ordinal: number;
}

/** A request as the plan stores it: its place, its fingerprint and, for a duplicate, its original. */
export interface PlannedRequest {
  ordinal: number;
  customId: string;
  params: MessageParams;
  fingerprint: string;
  original: OriginalRef | null;
  /** Refused by validation and dropped (`onInvalid: "drop"`): never sent, errored at once. */
  dropped?: RequestViolation | undefined;
}

/** What a new job will be: its events, its requests, and the fingerprints it becomes the original of. */
export interface JobPlan {
  events: [JobEvent, JobEvent];
  requests: PlannedRequest[];
  /** One entry per distinct fingerprint the job sends itself (its first request with it). */
  originals: Array<{ fingerprint: string; ordinal: number }>;
}

export interface PlanInput {
  jobId: string;
  tenant: string;
  config: JobConfig;
  /** Each request's fingerprint, in order. */
  fingerprints: readonly string[];
  /** The live originals of the tenant the plan was shown, by fingerprint (empty without dedup). */
  knownOriginals: ReadonlyMap<string, OriginalRef>;
  configHash: string;
  now: Date;
  defaults: { priority: number; timeoutMs: number };
  /** The version the job was validated under and will be sent under. */
  anthropicVersion: AnthropicApiVersion;
  /** Requests dropped by validation, by ordinal (their first violation). */
  dropped?: ReadonlyMap<number, RequestViolation> | undefined;
  /** The ended job this one retries (its JobCreated says so). */
  retryOf?: string | undefined;
}

/**
 * Plans a job's creation against the originals it is shown: a request whose
 * fingerprint has a live original elsewhere takes that one's outcome; within
 * the job, the first of equal requests is the original. Pure: the database,
 * not the plan, has the last word on which request is the original (the
 * handler claims `originals` and plans again if another job claimed one first).
 */
export function planJob(input: PlanInput): JobPlan {
  const { jobId, tenant, config, fingerprints, knownOriginals, now } = input;
  const firstInJob = new Map<string, number>();
  const originals: JobPlan['originals'] = [];
  const dropped = input.dropped ?? new Map<number, RequestViolation>();
  const requests = config.requests.map((request, ordinal): PlannedRequest => {
    const fingerprint = fingerprints[ordinal]!;
    const violation = dropped.get(ordinal);
    if (violation) {
      const { custom_id: customId, params } = request;
      return { ordinal, customId, params, fingerprint, original: null, dropped: violation };
    }
    let original = config.deduplicate ? (knownOriginals.get(fingerprint) ?? null) : null;
    if (!original) {
      const first = firstInJob.get(fingerprint);
      if (first === undefined) {
        firstInJob.set(fingerprint, ordinal);
        originals.push({ fingerprint, ordinal });
      } else if (config.deduplicate) {
        original = { jobId, ordinal: first };
      }
    }
    return { ordinal, customId: request.custom_id, params: request.params, fingerprint, original };
  });
  const duplicates = requests.filter((r) => r.original).length;
  const at = now.toISOString();
  const timeoutMs = config.timeoutMs ?? input.defaults.timeoutMs;
  return {
    requests,
    originals,
    events: [
      {
        type: 'JobCreated',
        data: {
          jobId,
          tenant,
          priority: config.priority ?? input.defaults.priority,
          tags: config.tags ?? [],
          metadata: config.metadata ?? {},
          deduplicate: config.deduplicate,
          timeoutMs,
          callbackUrl: config.callbackUrl ?? null,
          idempotencyKey: config.idempotencyKey ?? null,
          configHash: input.configHash,
          anthropicVersion: input.anthropicVersion,
          ...(dropped.size > 0 ? { droppedRequests: dropped.size } : {}),
          ...(input.retryOf ? { retryOf: input.retryOf } : {}),
          ...(config.maxCostUsd !== undefined ? { maxCostUsd: config.maxCostUsd } : {}),
          ...(config.cachePriming === 'auto' ? { cachePriming: 'auto' as const } : {}),
          ...(config.overBudget === 'error' ? { overBudget: 'error' as const } : {}),
          totalRequests: requests.length,
          uniqueRequests: requests.length - duplicates,
          deduplicatedRequests: duplicates,
          createdAt: at,
          expiresAt: new Date(now.getTime() + timeoutMs).toISOString(),
        },
      },
      { type: 'JobQueued', data: { at } },
    ],
  };
}

/** A request Anthropic would refuse, and everything it breaks. */
export interface InvalidRequest {
  ordinal: number;
  customId: string;
  violations: RequestViolation[];
}

/** How many invalid requests a refusal names one by one; the rest are counted. */
export const INVALID_REQUESTS_NAMED = 100;

/**
 * The requests (from `offset` on) that Anthropic would error one by one under the context's
 * version and models: found before anything is sent or stored.
 */
export function findInvalidRequests(
  requests: ReadonlyArray<{ custom_id: string; params: object }>,
  context: RequestCheckContext,
  offset = 0,
): InvalidRequest[] {
  const invalid: InvalidRequest[] = [];
  requests.forEach((request, index) => {
    const violations = checkRequestParams(request.params as Record<string, unknown>, context);
    if (violations.length > 0)
      invalid.push({ ordinal: offset + index, customId: request.custom_id, violations });
  });
  return invalid;
}

/**
 * The 400 that refuses a job for its invalid requests: the first INVALID_REQUESTS_NAMED named
 * (custom_id, field, why, what to do) as issues, and the total counted in the message.
 */
export function invalidRequestsError(
  invalid: readonly InvalidRequest[],
  totalRequests: number,
  version: AnthropicApiVersion,
): ValidationError {
  const issues = invalid.slice(0, INVALID_REQUESTS_NAMED).flatMap((request) =>
    request.violations.map((v) => ({
      path: `requests.${request.ordinal}.params.${v.field}`,
      message: `custom_id "${request.customId}": ${v.why} (Anthropic: "${v.apiMessage}"); ${v.fix}`,
    })),
  );
  const first = issues[0]!;
  const all =
    invalid.length === totalRequests
      ? 'every request'
      : `${invalid.length} of ${totalRequests} requests`;
  const named =
    invalid.length > INVALID_REQUESTS_NAMED
      ? ` (the first ${INVALID_REQUESTS_NAMED} are listed)`
      : '';
  return new ValidationError(
    `${all} would be refused by Anthropic under anthropic-version ${version}${named}: ` +
      `${first.path}: ${first.message}. Fix them, or send the job with onInvalid: "drop" to ` +
      'record them as errored and send the rest',
    issues,
  );
}

/** The errored result a dropped request gets: the one Anthropic would have written. */
export function droppedRequestResult(violation: RequestViolation) {
  return {
    type: 'errored' as const,
    error: {
      type: 'error' as const,
      error: { type: violation.errorType, message: violation.apiMessage },
      request_id: null,
    },
  };
}
