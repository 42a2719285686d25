import { setImmediate } from 'node:timers/promises';
import type {
  RequestCheckContext,
  RequestViolation,
} from '../domain/anthropic-api/check-request.js';
import { SHIPPED_MODEL_CATALOGUE } from '../domain/anthropic-api/model-catalogue.js';
import { ConcurrencyError, IdempotencyConflictError, QueueFullError } from '../domain/errors.js';
import { fingerprintParams } from '../domain/fingerprint.js';
import {
  droppedRequestResult,
  findInvalidRequests,
  type InvalidRequest,
  invalidRequestsError,
  type JobPlan,
  type OriginalRef,
  planJob,
} from '../domain/job.plan.js';
import type { JobState } from '../domain/job.state.js';
import { type JobConfig, parseJobConfig } from '../domain/job-config.schema.js';
import { configHashMatches, hashJobConfig } from '../domain/job-config-hash.js';
import { type JobOptions, tenantLimitDefaults } from '../domain/job-options.js';
import { originalsARetryMayReuse } from '../domain/job-retry.plan.js';
import { decideAdmission } from '../domain/queue-admission.js';
import { readEventData } from '../store/event-store.js';
import { findJobIdByIdempotencyKey } from '../store/jobs/find-job-by-idempotency-key.js';
import {
  claimOriginals,
  findDuplicateOriginals,
  insertJobRequests,
} from '../store/jobs/job-requests.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import { readQueueOccupancy } from '../store/jobs/queue-occupancy.js';
import { readFinalResultTypes } from '../store/jobs/read-retry-candidates.js';
import { insertRequestResults } from '../store/jobs/request-results.js';
import { isDeadlock, isUniqueViolation } from '../store/pg-errors.js';
import type { Db, Trx } from '../store/schema/index.js';
import type { JobCommandDeps } from './job-commands.js';
import { newJobId } from './job-ids.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

/** A creation that retries an ended job's requests (retry-job.ts). */
export interface RetryCreation {
  /** The ended job whose requests are sent again. */
  of: string;
  /** In the creating transaction, after the new job's commit: link the original to it. */
  linkOriginal: (trx: Trx, job: JobState) => Promise<void>;
}

/** Creations that lost a fingerprint to a concurrent one plan again, this many times at most. */
const PLAN_ATTEMPTS = 5;

/** An original this plan counted on went away while it was made: plan again. */
class OriginalTaken extends Error {}

/**
 * Validates, deduplicates and stores a job, and queues it, in one
 * transaction that holds no lock of its own: which request is the original of
 * a fingerprint is decided by the database (claimOriginals); a creation that
 * loses one to a concurrent creation plans again against the winner. A
 * repeated Idempotency-Key gives back the first job (`created: false`); the
 * same key with another job is a conflict.
 */
export async function createJob(
  deps: JobCommandDeps,
  tenant: string,
  input: unknown,
  context: CommitContext,
  retry?: RetryCreation,
): Promise<{ state: JobState; created: boolean }> {
  const { db, clock, options } = deps;
  const config = parseJobConfig(input);
  await deps.assertBudgetBounded?.(tenant, config);
  if (config.callbackUrl) await deps.validateCallbackUrl?.(config.callbackUrl);
  const fingerprints = await fingerprintRequests(config);
  const sameConfig = (stored: string) => configHashMatches(stored, config, fingerprints);
  const configHash = hashJobConfig(config, fingerprints);

  if (config.idempotencyKey) {
    const existing = await findByIdempotencyKey(db, tenant, config.idempotencyKey, sameConfig);
    if (existing) return { state: existing, created: false };
  }
  const now = clock.now();
  const anthropicVersion = config.anthropicVersion ?? options.anthropicVersion;
  const dropped = await requestsToDrop(config, {
    version: anthropicVersion,
    catalogue: (await deps.modelCatalogue?.()) ?? SHIPPED_MODEL_CATALOGUE,
    now,
  });
  const jobId = newJobId(now);
  const since = new Date(now.getTime() - options.deduplicationWindowMs);
  const plan = (knownOriginals: ReadonlyMap<string, OriginalRef>) =>
    planJob({
      jobId,
      tenant,
      config,
      fingerprints,
      knownOriginals,
      configHash,
      now,
      defaults: { priority: options.defaultPriority, timeoutMs: options.defaultTimeoutMs },
      anthropicVersion,
      dropped,
      retryOf: retry?.of,
    });
  const create = () =>
    db.transaction().execute(async (trx) => {
      // Read without a lock: creations running at this moment may pass the limit by their number.
      await assertQueueHasRoom(trx, tenant, options);
      const planned = await planAgainstOriginals(trx, plan, {
        tenant,
        jobId,
        now,
        since,
        config,
        retry: retry !== undefined,
      });
      await insertJobRequests(trx, jobId, planned.requests);
      await insertDroppedResults(trx, jobId, planned, now);
      return commitJobEvents(
        trx,
        undefined,
        planned.events,
        context,
        'create',
        async (trx, job) => {
          await deps.onJobCreated?.(trx, job.state, config);
          await retry?.linkOriginal(trx, job.state);
          if (!deps.takeCreatedJob?.()) await notifyJobWakeup(trx, 'work-queued');
        },
      );
    });
  for (let attempt = 1; ; attempt++) {
    try {
      return { state: (await create()).state, created: true };
    } catch (error) {
      if ((error instanceof OriginalTaken || isDeadlock(error)) && attempt < PLAN_ATTEMPTS)
        continue;
      if (error instanceof OriginalTaken) throw new ConcurrencyError(jobId, 0);
      // Two requests with one Idempotency-Key at the same moment: the second finds the first's job.
      if (config.idempotencyKey && isUniqueViolation(error)) {
        const existing = await findByIdempotencyKey(db, tenant, config.idempotencyKey, sameConfig);
        if (existing) return { state: existing, created: false };
      }
      throw error;
    }
  }
}

/**
 * Plans as if every fingerprint were new and claims them all (one statement); only the
 * fingerprints a live original holds are then read, and the job planned again as their
 * duplicates. A claim waits for a creation committing the same fingerprint at that moment,
 * and then sees its row: the database decides which request is the original.
 */
async function planAgainstOriginals(
  trx: Trx,
  plan: (known: ReadonlyMap<string, OriginalRef>) => JobPlan,
  job: { tenant: string; jobId: string; now: Date; since: Date; config: JobConfig; retry: boolean },
): Promise<JobPlan> {
  const optimistic = plan(new Map());
  const { tenant, jobId, now, since } = job;
  const claimed = await claimOriginals(trx, tenant, jobId, optimistic.originals, now, since);
  // Without deduplication the job sends every request anyway; it only records what it can.
  if (!job.config.deduplicate || claimed.size === optimistic.originals.length) return optimistic;
  const held = optimistic.originals.filter((o) => !claimed.has(o.fingerprint));
  const known = await findDuplicateOriginals(
    trx,
    tenant,
    held.map((o) => o.fingerprint),
    since,
  );
  // An original that went away in between (its job deleted): plan the whole creation again.
  if (known.size < held.length) throw new OriginalTaken();
  if (!job.retry) return plan(known);
  // A retry never takes the failed outcome it is there to replace (job-retry.plan.ts).
  const finals = await readFinalResultTypes(trx, [...known.values()]);
  return plan(originalsARetryMayReuse(known, (o) => finals.get(`${o.jobId}:${o.ordinal}`)));
}

/** The tenant's quota, and its share while the shared queue is full (decideAdmission). */
async function assertQueueHasRoom(trx: Trx, tenant: string, options: JobOptions): Promise<void> {
  const { maxQueueSizeOverride, ...occupancy } = await readQueueOccupancy(
    trx,
    tenant,
    options.maxQueueSize,
  );
  const admission = decideAdmission(occupancy, {
    maxQueueSize: options.maxQueueSize,
    tenantMaxQueueSize: maxQueueSizeOverride ?? tenantLimitDefaults(options).maxQueueSize,
  });
  if (!admission.admitted) throw new QueueFullError(admission.allowed, admission.limit);
}

async function findByIdempotencyKey(
  db: Db,
  tenant: string,
  key: string,
  sameConfig: (storedHash: string) => boolean,
): Promise<JobState | undefined> {
  const jobId = await findJobIdByIdempotencyKey(db, tenant, key);
  if (!jobId) return undefined;
  const job = await loadJob(db, jobId);
  if (!job) return undefined;
  const created = (await readEventData(db, jobId, 1)) as { configHash?: string } | undefined;
  if (created?.configHash !== undefined && !sameConfig(created.configHash)) {
    throw new IdempotencyConflictError(
      `Idempotency-Key "${key}" was already used for a different job`,
    );
  }
  return job.state;
}

/**
 * Checks every request against the rules of the job's version and the model catalogue, a slice
 * at a time. Nothing Anthropic would refuse is sent: the job is refused whole (a 400 naming the
 * requests), or with `onInvalid: "drop"` the invalid requests are returned to be recorded as
 * errored at once, as long as one valid request is left.
 */
export async function requestsToDrop(
  config: JobConfig,
  context: RequestCheckContext,
): Promise<Map<number, RequestViolation> | undefined> {
  const invalid: InvalidRequest[] = [];
  for (let i = 0; i < config.requests.length; i += FINGERPRINTS_PER_TURN) {
    if (i > 0) await setImmediate();
    invalid.push(
      ...findInvalidRequests(config.requests.slice(i, i + FINGERPRINTS_PER_TURN), context, i),
    );
  }
  if (invalid.length === 0) return undefined;
  if (config.onInvalid !== 'drop' || invalid.length === config.requests.length) {
    throw invalidRequestsError(invalid, config.requests.length, context.version);
  }
  return new Map(invalid.map((request) => [request.ordinal, request.violations[0]!]));
}

/** A dropped request's errored result, final from the start (attempt 0: it was never sent). */
async function insertDroppedResults(trx: Trx, jobId: string, plan: JobPlan, now: Date) {
  const results = plan.requests.flatMap((request) =>
    request.dropped
      ? [
          {
            ordinal: request.ordinal,
            attempt: 0,
            batchKey: null,
            resultType: 'errored' as const,
            errorType: request.dropped.errorType,
            final: true,
            result: droppedRequestResult(request.dropped),
            inputTokens: 0,
            outputTokens: 0,
          },
        ]
      : [],
  );
  await insertRequestResults(trx, jobId, results, now);
}

const FINGERPRINTS_PER_TURN = 2_000;

/**
 * Every request's fingerprint, a slice at a time: hashing 100k requests takes over a second,
 * and the HTTP server shares this thread with every other caller.
 */
async function fingerprintRequests(config: JobConfig): Promise<string[]> {
  const fingerprints: string[] = [];
  for (let i = 0; i < config.requests.length; i += FINGERPRINTS_PER_TURN) {
    if (i > 0) await setImmediate();
    for (const request of config.requests.slice(i, i + FINGERPRINTS_PER_TURN)) {
      fingerprints.push(fingerprintParams(request.params));
    }
  }
  return fingerprints;
}
