import type { Clock } from '../domain/clock.js';
import {
  ConcurrencyError,
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
} from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import { type JobState, openBatches, progressOf, unfinishedRequests } from '../domain/job.state.js';
import type { JobConfig } from '../domain/job-config.schema.js';
import { isTerminalStatus, type JobStatus, parseJobStatus } from '../domain/job-status.js';
import { type JobProgress, withPercentComplete } from '../domain/progress.js';
import { leaseOwner } from '../store/jobs/job-leases.js';
import { findRequestOrdinal } from '../store/jobs/job-requests.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import { hasFinalResult, insertRequestResults } from '../store/jobs/request-results.js';
import type { Db, Trx } from '../store/schema/index.js';
import { createJob } from './create-job.js';
import type { Notify } from './job-notifications.js';
import type { JobOptions } from './job-options.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, type JobChange, loadJob } from './job-store.js';
import { type JobSummary, summaryOf } from './job-views.js';

const COMMAND_ATTEMPTS = 5;

export interface JobCommandDeps {
  db: Db;
  clock: Clock;
  instanceId: string;
  options: JobOptions;
  notify: Notify;
  /** Checks a callback URL before anything is written (the webhook SSRF guard). */
  validateCallbackUrl?: ((url: string) => void) | undefined;
  /** Inside the creating transaction: register the job's callback and its secret. */
  onJobCreated?: ((trx: Trx, job: JobState, config: JobConfig) => Promise<void>) | undefined;
  /** Inside every committing transaction (webhook outbox rows). */
  onChange?: ((trx: Trx, change: JobChange) => Promise<void>) | undefined;
}

export interface CancelResult {
  id: string;
  previousStatus: JobStatus;
  status: JobStatus;
  /** False while batches at Anthropic are still being cancelled; the job then ends as cancelled. */
  cancelled: boolean;
}

export interface TransitionResult {
  id: string;
  previousStatus: JobStatus;
  status: JobStatus;
}

export interface DeleteResult {
  id: string;
  deleted: true;
  previousStatus: JobStatus;
}

/** The commands a client may give about its jobs; each appends events or refuses. */
export class JobCommands {
  readonly #deps: JobCommandDeps;
  constructor(deps: JobCommandDeps) {
    this.#deps = deps;
  }

  /** Validates, deduplicates and stores a job, and queues it. */
  async createJob(tenant: string, input: unknown, correlationId?: string): Promise<JobSummary> {
    const { state, created } = await createJob(
      this.#deps,
      tenant,
      input,
      this.#context(correlationId),
    );
    const summary = summaryOf(state);
    if (!created) return summary;
    this.#deps.notify('job:created', {
      id: summary.id,
      priority: summary.priority,
      totalRequests: summary.totalRequests,
      uniqueRequests: summary.uniqueRequests,
      deduplicatedRequests: summary.deduplicatedRequests,
    });
    this.#notifyStatus(null, state);
    return summary;
  }

  /** Cancels a job in any non-terminal state; batches in flight are cancelled at Anthropic first. */
  async cancelJob(tenant: string, jobId: string, correlationId?: string): Promise<CancelResult> {
    const { before, after } = await this.#change(
      tenant,
      jobId,
      correlationId,
      'cancel',
      (job, at) => {
        const state = job.state;
        if (state.status === 'processing' || state.status === 'paused') {
          if (state.cancelRequestedAt) return [];
          if (openBatches(state).length > 0)
            return [{ type: 'JobCancellationRequested', data: { at } }];
        }
        return [{ type: 'JobCancelled', data: { at, unfinished: unfinishedRequests(state) } }];
      },
    );
    if (after.status === 'cancelled' && before.status !== 'cancelled')
      this.#deps.notify('job:cancelled', { id: jobId });
    if (before.status === 'processing' || before.status === 'paused') {
      const owner = await leaseOwner(this.#deps.db, jobId);
      if (owner) this.#deps.notify('job:cancel_worker', { jobId, workerId: owner });
    }
    return {
      id: jobId,
      previousStatus: before.status,
      status: after.status,
      cancelled: after.status === 'cancelled',
    };
  }

  /** Pauses a processing job: no new submissions or retries; what is on the way is still collected. */
  async pauseJob(tenant: string, jobId: string, correlationId?: string): Promise<TransitionResult> {
    const { before, after } = await this.#change(
      tenant,
      jobId,
      correlationId,
      'pause',
      (_job, at) => [{ type: 'JobPaused', data: { at } }],
    );
    this.#deps.notify('job:paused', { id: jobId });
    return { id: jobId, previousStatus: before.status, status: after.status };
  }

  /** Resumes a paused job. */
  async resumeJob(
    tenant: string,
    jobId: string,
    correlationId?: string,
  ): Promise<TransitionResult> {
    const { before, after } = await this.#change(
      tenant,
      jobId,
      correlationId,
      'resume',
      (_job, at) => [{ type: 'JobResumed', data: { at } }],
    );
    this.#deps.notify('job:resumed', { id: jobId });
    return { id: jobId, previousStatus: before.status, status: after.status };
  }

  /** Deletes a job (its facts stay in the log); an active job's batches are cancelled at Anthropic. */
  async deleteJob(tenant: string, jobId: string, correlationId?: string): Promise<DeleteResult> {
    const { before } = await this.#change(tenant, jobId, correlationId, 'delete', (_job, at) => [
      { type: 'JobDeleted', data: { at } },
    ]);
    this.#deps.notify('job:deleted', { id: jobId });
    return { id: jobId, deleted: true, previousStatus: before.status };
  }

  /** The seed's generic status change, checked by the machine like every other. */
  async updateJobStatus(
    tenant: string,
    jobId: string,
    status: string,
    updates: { reason?: string; error?: string } = {},
    correlationId?: string,
  ): Promise<void> {
    const target = parseJobStatus(status);
    if (target === 'cancelled') {
      await this.cancelJob(tenant, jobId, correlationId);
      return;
    }
    await this.#change(
      tenant,
      jobId,
      correlationId,
      `set status ${target} of`,
      (job, at): JobEvent[] => {
        const state = job.state;
        switch (target) {
          case 'queued':
            return [{ type: 'JobQueued', data: { at } }];
          case 'processing':
            return state.status === 'paused'
              ? [{ type: 'JobResumed', data: { at } }]
              : [{ type: 'JobStarted', data: { at, instanceId: this.#deps.instanceId } }];
          case 'paused':
            return [{ type: 'JobPaused', data: { at } }];
          case 'completed':
            return [{ type: 'JobCompleted', data: { at, progress: progressOf(state) } }];
          case 'failed':
            return [
              {
                type: 'JobFailed',
                data: {
                  at,
                  reason: updates.reason ?? updates.error ?? 'failed by request',
                  unfinished: unfinishedRequests(state),
                },
              },
            ];
          case 'expired':
            return [{ type: 'JobExpired', data: { at, unfinished: unfinishedRequests(state) } }];
          case 'pending':
            throw new IllegalTransitionError(`set status ${target} of`, state.status);
          default: {
            const unknown: never = target;
            throw new Error(`unknown status ${unknown}`);
          }
        }
      },
    );
  }

  /** Records progress reported by hand; percentComplete is computed. */
  async updateProgress(
    tenant: string,
    jobId: string,
    progress: Partial<Omit<JobProgress, 'percentComplete'>>,
    correlationId?: string,
  ): Promise<JobProgress> {
    const { after } = await this.#change(
      tenant,
      jobId,
      correlationId,
      'update the progress of',
      (job, at) => {
        const current = progressOf(job.state);
        const merged = withPercentComplete({
          total: progress.total ?? current.total,
          pending: progress.pending ?? current.pending,
          processing: progress.processing ?? current.processing,
          completed: progress.completed ?? current.completed,
          failed: progress.failed ?? current.failed,
          cancelled: progress.cancelled ?? current.cancelled,
          expired: progress.expired ?? current.expired,
        });
        return [{ type: 'ProgressRecorded', data: { progress: merged, at } }];
      },
    );
    return progressOf(after);
  }

  /** Stores a request's result by hand (the seed's addResult). */
  async addResult(tenant: string, jobId: string, customId: string, result: unknown): Promise<void> {
    await this.#recordOutcome(
      tenant,
      jobId,
      customId,
      'succeeded',
      normalizeSucceeded(result),
      null,
    );
  }

  /** Stores a request's error by hand (the seed's addError). */
  async addError(tenant: string, jobId: string, customId: string, error: unknown): Promise<void> {
    const { type, message } = normalizeError(error);
    await this.#recordOutcome(
      tenant,
      jobId,
      customId,
      'errored',
      { type: 'errored', error: { type: 'error', error: { type, message } } },
      type,
    );
  }

  async #recordOutcome(
    tenant: string,
    jobId: string,
    customId: string,
    resultType: 'succeeded' | 'errored',
    result: { type: string; [key: string]: unknown },
    errorType: string | null,
  ) {
    await this.#change(tenant, jobId, undefined, 'record a result of', async (job, at, trx) => {
      if (isTerminalStatus(job.state.status))
        return [{ type: 'RequestOutcomeRecorded', data: { customId, resultType, at } }];
      const request = await findRequestOrdinal(trx, jobId, customId);
      if (!request) throw new NotFoundError(`job ${jobId} has no request ${customId}`);
      if (request.isDuplicate)
        throw new ConflictError(
          `request ${customId} is a duplicate: it takes its original's result`,
        );
      if (await hasFinalResult(trx, jobId, request.ordinal)) {
        throw new ConflictError(`request ${customId} already has its final result`);
      }
      const usage = (
        result as { message?: { usage?: { input_tokens?: number; output_tokens?: number } } }
      ).message?.usage;
      await insertRequestResults(
        trx,
        jobId,
        [
          {
            ordinal: request.ordinal,
            attempt: 1000 + 1,
            batchKey: null,
            resultType,
            errorType,
            final: true,
            result,
            inputTokens: usage?.input_tokens ?? 0,
            outputTokens: usage?.output_tokens ?? 0,
          },
        ],
        new Date(at),
      );
      return [{ type: 'RequestOutcomeRecorded', data: { customId, resultType, at } }];
    });
  }

  /** Loads, decides and commits, retrying when another writer got there first. */
  async #change(
    tenant: string,
    jobId: string,
    correlationId: string | undefined,
    command: string,
    decide: (job: HydratedJob, at: string, trx: Trx) => JobEvent[] | Promise<JobEvent[]>,
  ): Promise<{ before: JobState; after: JobState }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.#deps.db.transaction().execute(async (trx) => {
          const job = await loadJob(trx, jobId);
          if (!job || job.state.deleted || job.state.tenant !== tenant) {
            throw new NotFoundError(`job ${jobId} not found`);
          }
          const at = this.#deps.clock.now().toISOString();
          const events = await decide(job, at, trx);
          if (events.length === 0) return { before: job.state, after: job.state };
          const next = await commitJobEvents(
            trx,
            job,
            events,
            this.#context(correlationId),
            command,
          );
          // The instance holding the job (perhaps another) reads it again; a resumed job is claimed.
          await notifyJobWakeup(trx, jobId);
          return { before: job.state, after: next.state };
        });
        if (outcome.after.status !== outcome.before.status)
          this.#notifyStatus(outcome.before.status, outcome.after);
        return outcome;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= COMMAND_ATTEMPTS) throw error;
      }
    }
  }

  #context(correlationId?: string): CommitContext {
    return { instanceId: this.#deps.instanceId, correlationId, onChange: this.#deps.onChange };
  }

  #notifyStatus(oldStatus: JobStatus | null, state: JobState) {
    this.#deps.notify('job:status_changed', {
      id: state.id,
      oldStatus,
      newStatus: state.status,
      progress: progressOf(state),
    });
  }
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
