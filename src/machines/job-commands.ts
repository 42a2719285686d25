import { type Caller, callerActor, correlationIdOf } from '../domain/actor.js';
import type { ModelCatalogue } from '../domain/anthropic-api/model-catalogue.js';
import type { Clock } from '../domain/clock.js';
import type { JobCommand, RecordOutcome } from '../domain/job.commands.js';
import { type JobState, progressOf } from '../domain/job.state.js';
import { type JobConfig, parseJobConfig } from '../domain/job-config.schema.js';
import type { JobOptions } from '../domain/job-options.js';
import { type JobStatus, parseJobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import type { TenantBudgetUse } from '../domain/tenant-budget.js';
import { leaseOwner } from '../store/jobs/job-leases.js';
import { findRequestOrdinal } from '../store/jobs/job-requests.js';
import {
  hasFinalResult,
  insertRequestResults,
  type NewRequestResult,
} from '../store/jobs/request-results.js';
import type { Db, Trx } from '../store/schema/index.js';
import { byHandError, byHandSuccess } from './by-hand-result.js';
import { createJob } from './create-job.js';
import { type HandledCommand, handleJobCommand } from './job-command-handler.js';
import type {
  BudgetChangeResult,
  CancelResult,
  CreatedJob,
  DeleteResult,
  JobCreatedExtras,
  RetriedJob,
  TransitionResult,
} from './job-command-results.js';
import type { Notify } from './job-notifications.js';
import type { CommitContext, JobChange } from './job-store.js';
import { type JobSummary, summaryOf } from './job-views.js';
import { previewRetry, retryJob } from './retry-job.js';
import { TenantBudgetGuard } from './tenant-budget-guard.js';

export interface JobCommandDeps {
  db: Db;
  clock: Clock;
  instanceId: string;
  options: JobOptions;
  notify: Notify;
  /** Checks a callback URL before anything is written (the webhook SSRF guard). */
  validateCallbackUrl?: ((url: string) => Promise<void> | void) | undefined;
  /** Inside the creating transaction: register the job's callback and its secret. */
  onJobCreated?:
    | ((trx: Trx, job: JobState, config: JobConfig) => Promise<JobCreatedExtras | undefined>)
    | undefined;
  /**
   * Inside the creating transaction: whether this instance's worker claims the new job itself
   * (then no other instance is woken for it).
   */
  takeCreatedJob?: (() => boolean) | undefined;
  /** Inside every committing transaction (webhook outbox rows). */
  onChange?: ((trx: Trx, change: JobChange) => Promise<void>) | undefined;
  /** The models requests are checked against; never blocks on Anthropic (default: the shipped catalogue). */
  modelCatalogue?: (() => Promise<ModelCatalogue>) | undefined;
  /**
   * Before anything is written: refuses a job a budget cannot be guaranteed for (a created
   * job or a retry; JobCommands' #assertBudgetBounded).
   */
  assertBudgetBounded?: ((tenant: string, config: JobConfig) => Promise<void>) | undefined;
}

/** The commands a client may give about its jobs; each appends events or refuses. */
export class JobCommands {
  readonly #deps: JobCommandDeps;
  readonly #budgets: TenantBudgetGuard;
  constructor(deps: JobCommandDeps) {
    this.#deps = deps;
    this.#budgets = new TenantBudgetGuard(deps);
  }

  /** Validates, deduplicates and stores a job, and queues it. */
  async createJob(tenant: string, input: unknown, caller?: Caller): Promise<JobSummary> {
    return (await this.createJobWithOutcome(tenant, input, caller)).summary;
  }

  /** createJob, saying whether this call created the job and the callback secret it generated. */
  async createJobWithOutcome(tenant: string, input: unknown, caller?: Caller): Promise<CreatedJob> {
    const { deps, extras } = this.#creation();
    const context = this.#context(tenant, caller);
    const { state, created } = await createJob(deps, tenant, input, context);
    const summary = summaryOf(state);
    if (!created) return { summary, created };
    this.#announceCreated(summary, state);
    return { summary, created, callbackSecret: extras()?.callbackSecret };
  }

  /**
   * Sends again the failed requests of an ended job that the options select, as a new job
   * linked to it both ways (machines/retry-job.ts).
   */
  async retryJob(
    tenant: string,
    jobId: string,
    input: unknown,
    caller?: Caller,
  ): Promise<RetriedJob> {
    const { deps, extras } = this.#creation();
    const { state } = await retryJob(deps, tenant, jobId, input, this.#context(tenant, caller));
    const summary = summaryOf(state);
    this.#announceCreated(summary, state);
    return { ...summary, retryOf: jobId, callbackSecret: extras()?.callbackSecret };
  }

  /**
   * The deps a creation (a job or a retry) runs with: the budget check, and the extras of the
   * attempt that committed (a plan made again after a conflict registers the callback again).
   */
  #creation(): { deps: JobCommandDeps; extras: () => JobCreatedExtras | undefined } {
    let extras: JobCreatedExtras | undefined;
    const onJobCreated = this.#deps.onJobCreated;
    const deps: JobCommandDeps = {
      ...this.#deps,
      onJobCreated: onJobCreated
        ? async (trx, job, config) => (extras = await onJobCreated(trx, job, config))
        : undefined,
      assertBudgetBounded: (tenant, config) => this.#budgets.assertBounded(tenant, config),
    };
    return { deps, extras: () => extras };
  }

  /** What retryJob would send again, changing nothing (a bulk dry run); refuses as it would. */
  previewRetry(tenant: string, jobId: string, input: unknown): Promise<{ requestCount: number }> {
    return previewRetry(this.#deps, tenant, jobId, input);
  }

  #announceCreated(summary: JobSummary, state: JobState): void {
    this.#deps.notify('job:created', {
      id: summary.id,
      priority: summary.priority,
      totalRequests: summary.totalRequests,
      uniqueRequests: summary.uniqueRequests,
      deduplicatedRequests: summary.deduplicatedRequests,
    });
    this.#notifyStatus(null, state);
  }

  /** Cancels a job in any non-terminal state; batches in flight are cancelled at Anthropic first. */
  async cancelJob(tenant: string, jobId: string, caller?: Caller): Promise<CancelResult> {
    const { before, after } = await this.#handle(jobId, caller, {
      type: 'CancelJob',
      data: { jobId, tenant },
    });
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
  async pauseJob(tenant: string, jobId: string, caller?: Caller): Promise<TransitionResult> {
    const { before, after } = await this.#handle(jobId, caller, {
      type: 'PauseJob',
      data: { jobId, tenant },
    });
    this.#deps.notify('job:paused', { id: jobId });
    return { id: jobId, previousStatus: before.status, status: after.status };
  }

  /** Resumes a paused job. */
  async resumeJob(tenant: string, jobId: string, caller?: Caller): Promise<TransitionResult> {
    const { before, after } = await this.#handle(jobId, caller, {
      type: 'ResumeJob',
      data: { jobId, tenant },
    });
    this.#deps.notify('job:resumed', { id: jobId });
    return { id: jobId, previousStatus: before.status, status: after.status };
  }

  /** Sets, changes or removes (null) a job's cap; raising it resumes a job paused for its budget. */
  async changeBudget(
    tenant: string,
    jobId: string,
    maxCostUsd: number | null,
    caller?: Caller,
  ): Promise<BudgetChangeResult> {
    const { before, after } = await this.#handle(jobId, caller, {
      type: 'ChangeBudget',
      data: { jobId, tenant, maxCostUsd },
    });
    if (before.status === 'paused' && after.status === 'processing') {
      this.#deps.notify('job:resumed', { id: jobId });
    }
    return {
      id: jobId,
      maxCostUsd: after.maxCostUsd ?? null,
      previousStatus: before.status,
      status: after.status,
    };
  }

  /** Refuses, as creation would, a job body whose budget (its cap or the tenant's) cannot be guaranteed. */
  assertBudgetBounded(tenant: string, input: unknown): Promise<void> {
    return this.#budgets.assertBounded(tenant, parseJobConfig(input));
  }

  /**
   * The tenant's daily budget and what counts against it today (UTC); null: it has none.
   * `override`: its tenant_limits row's budget as the caller just read it.
   */
  tenantBudgetUse(tenant: string, override?: number | null): Promise<TenantBudgetUse | null> {
    return this.#budgets.use(tenant, override);
  }

  /** Deletes a job (its facts stay in the log); an active job's batches are cancelled at Anthropic. */
  async deleteJob(tenant: string, jobId: string, caller?: Caller): Promise<DeleteResult> {
    const { before } = await this.#handle(jobId, caller, {
      type: 'DeleteJob',
      data: { jobId, tenant },
    });
    this.#deps.notify('job:deleted', { id: jobId });
    return { id: jobId, deleted: true, previousStatus: before.status };
  }

  /** The seed's generic status change, checked by the machine like every other. */
  async updateJobStatus(
    tenant: string,
    jobId: string,
    status: string,
    updates: { reason?: string; error?: string } = {},
    caller?: Caller,
  ): Promise<void> {
    const target = parseJobStatus(status);
    if (target === 'cancelled') {
      await this.cancelJob(tenant, jobId, caller);
      return;
    }
    await this.#handle(jobId, caller, {
      type: 'SetJobStatus',
      data: {
        jobId,
        tenant,
        status: target,
        reason: updates.reason ?? updates.error,
        instanceId: this.#deps.instanceId,
      },
    });
  }

  /** Records progress reported by hand; percentComplete is computed. */
  async updateProgress(
    tenant: string,
    jobId: string,
    progress: Partial<Omit<JobProgress, 'percentComplete'>>,
    caller?: Caller,
  ): Promise<JobProgress> {
    const { after } = await this.#handle(jobId, caller, {
      type: 'RecordProgress',
      data: { jobId, tenant, progress },
    });
    return progressOf(after);
  }

  /** Stores a request's result by hand (the seed's addResult). */
  async addResult(tenant: string, jobId: string, customId: string, result: unknown): Promise<void> {
    await this.#recordOutcome(tenant, jobId, customId, 'succeeded', (ordinal) =>
      byHandSuccess(ordinal, result),
    );
  }

  /** Stores a request's error by hand (the seed's addError). */
  async addError(tenant: string, jobId: string, customId: string, error: unknown): Promise<void> {
    await this.#recordOutcome(tenant, jobId, customId, 'errored', (ordinal) =>
      byHandError(ordinal, error),
    );
  }

  async #recordOutcome(
    tenant: string,
    jobId: string,
    customId: string,
    resultType: 'succeeded' | 'errored',
    row: (ordinal: number) => NewRequestResult,
  ) {
    const lookUp = async (trx: Trx): Promise<RecordOutcome> => {
      const found = await findRequestOrdinal(trx, jobId, customId);
      const request = found && {
        ...found,
        hasFinalResult: await hasFinalResult(trx, jobId, found.ordinal),
      };
      const data = { jobId, tenant, customId, resultType, request: request ?? null };
      return { type: 'RecordOutcome', data };
    };
    // The result row commits with its event; decide accepted only a request that exists.
    await this.#handle(jobId, undefined, lookUp, (trx, command, now) =>
      insertRequestResults(trx, jobId, [row(command.data.request!.ordinal)], now),
    );
  }

  async #handle<C extends JobCommand>(
    jobId: string,
    caller: Caller,
    command: C | ((trx: Trx) => Promise<C>),
    write?: (trx: Trx, command: C, now: Date) => Promise<unknown>,
  ): Promise<HandledCommand> {
    const contextOf = (tenant: string) => this.#context(tenant, caller);
    const outcome = await handleJobCommand(this.#deps, jobId, contextOf, command, write);
    if (outcome.after.status !== outcome.before.status)
      this.#notifyStatus(outcome.before.status, outcome.after);
    return outcome;
  }

  #context(tenant: string, caller: Caller): CommitContext {
    return {
      instanceId: this.#deps.instanceId,
      correlationId: correlationIdOf(caller),
      actor: callerActor(tenant, caller),
      onChange: this.#deps.onChange,
    };
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
