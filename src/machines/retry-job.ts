import { SHIPPED_MODEL_CATALOGUE } from '../domain/anthropic-api/model-catalogue.js';
import { ConcurrencyError, ValidationError } from '../domain/errors.js';
import type { JobState } from '../domain/job.state.js';
import { parseJobConfig } from '../domain/job-config.schema.js';
import {
  assertRetryable,
  jobRetriedEvent,
  retryJobConfig,
  selectRetryRequests,
} from '../domain/job-retry.plan.js';
import { parseRetryOptions } from '../domain/job-retry.schema.js';
import { readRequestParams, readRetryCandidates } from '../store/jobs/read-retry-candidates.js';
import { createJob, requestsToDrop } from './create-job.js';
import type { JobCommandDeps } from './job-commands.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

/** A retry that lost the original's version to another writer decides again, this many times. */
const RETRY_ATTEMPTS = 5;

/**
 * Sends again the requests of an ended job that the options' filter selects, as a new job made
 * by createJob (so the patched params are validated as any job's are), and links the two in
 * the same transaction: the new job's JobCreated carries `retryOf`, the original gets
 * `JobRetried`. The decision is selectRetryRequests and retryJobConfig (domain/job-retry.plan.ts).
 */
export async function retryJob(
  deps: JobCommandDeps,
  tenant: string,
  jobId: string,
  input: unknown,
  context: CommitContext,
): Promise<{ state: JobState; requestCount: number }> {
  const options = parseRetryOptions(input);
  for (let attempt = 1; ; attempt++) {
    const original = await loadJob(deps.db, jobId);
    assertRetryable(original?.state, tenant, jobId);
    const candidates = await readRetryCandidates(deps.db, jobId);
    const selected = selectRetryRequests(
      original!.state,
      tenant,
      jobId,
      options.filter,
      candidates,
    );
    const requests = await readRequestParams(
      deps.db,
      jobId,
      selected.map((r) => r.ordinal),
    );
    const config = retryJobConfig(original!.state, requests, options);
    const linkOriginal = async (trx: Parameters<typeof commitJobEvents>[0], job: JobState) => {
      const current = await loadJob(trx, jobId);
      // Read at its version: a writer that got there first (a delete) makes this a ConcurrencyError.
      if (current?.version !== original!.version)
        throw new ConcurrencyError(jobId, original!.version);
      const event = jobRetriedEvent(job.id, job.totalRequests, deps.clock.now());
      await commitJobEvents(trx, current, [event], context, 'retry');
    };
    try {
      const { state } = await createJob(deps, tenant, config, context, { of: jobId, linkOriginal });
      return { state, requestCount: state.totalRequests };
    } catch (error) {
      if (error instanceof ConcurrencyError && error.streamId === jobId && attempt < RETRY_ATTEMPTS)
        continue;
      if (error instanceof ValidationError) throw namingRequests(error, requests);
      throw error;
    }
  }
}

/** createJob's refusal of the patched requests, said in terms of the original job's custom_ids. */
function namingRequests(
  error: ValidationError,
  requests: ReadonlyArray<{ customId: string }>,
): ValidationError {
  // A refusal of the job's other options (tags, metadata, callbackUrl) is passed on as it is.
  if (!error.issues.some((issue) => issue.path.startsWith('requests.'))) return error;
  const issues = error.issues.map((issue) => {
    const index = /^requests\.(\d+)(\.|$)/.exec(issue.path)?.[1];
    const customId = index === undefined ? undefined : requests[Number(index)]?.customId;
    return customId === undefined || issue.message.includes(`"${customId}"`)
      ? issue
      : { ...issue, message: `custom_id "${customId}": ${issue.message}` };
  });
  const first = issues[0];
  const detail = first ? `${first.path}: ${first.message}` : error.message;
  return new ValidationError(
    `the retry's requests (with the overrides applied) are invalid: ${detail}` +
      (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''),
    issues,
  );
}

/**
 * How many requests a retry with these options would send again, changing nothing (a bulk
 * dry run): refuses as retryJob would (404, 409, 400 for a filter that matches nothing or for
 * patched params createJob would refuse), short of the queue's room at that moment.
 */
export async function previewRetry(
  deps: JobCommandDeps,
  tenant: string,
  jobId: string,
  input: unknown,
): Promise<{ requestCount: number }> {
  const options = parseRetryOptions(input);
  const original = await loadJob(deps.db, jobId);
  assertRetryable(original?.state, tenant, jobId);
  const candidates = await readRetryCandidates(deps.db, jobId);
  const selected = selectRetryRequests(original!.state, tenant, jobId, options.filter, candidates);
  const requests = await readRequestParams(
    deps.db,
    jobId,
    selected.map((r) => r.ordinal),
  );
  try {
    const config = parseJobConfig(retryJobConfig(original!.state, requests, options));
    await requestsToDrop(config, {
      version: config.anthropicVersion ?? deps.options.anthropicVersion,
      catalogue: (await deps.modelCatalogue?.()) ?? SHIPPED_MODEL_CATALOGUE,
      now: deps.clock.now(),
    });
  } catch (error) {
    if (error instanceof ValidationError) throw namingRequests(error, requests);
    throw error;
  }
  return { requestCount: selected.length };
}
