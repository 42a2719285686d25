import { exportJobLines } from '../audit/export-job.js';
import type { Caller } from '../domain/actor.js';
import type { JobEstimate } from '../domain/job-estimate.js';
import type { RetryOptionsInput } from '../domain/job-retry.schema.js';
import type { JobStatus } from '../domain/job-status.js';
import { parseListJobsFilter } from '../domain/list-jobs.schema.js';
import type { JobProgress } from '../domain/progress.js';
import { type BulkResult, bulkJobs } from '../machines/bulk-jobs.js';
import type {
  BudgetChangeResult,
  CancelResult,
  CreatedJob,
  DeleteResult,
  RetriedJob,
  TransitionResult,
} from '../machines/job-command-results.js';
import {
  type BatchView,
  type JobSummary,
  type JobView,
  rowToBatchView,
  rowToJobView,
} from '../machines/job-views.js';
import { readStream } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { findJobCreator } from '../store/jobs/find-job-creator.js';
import {
  findJobDetails,
  findJobStatus,
  listJobRows,
  readStats,
  type StatsRow,
} from '../store/jobs/job-queries.js';
import type { JobResultLine } from '../store/jobs/read-job-results.js';
import {
  type ResultStreamOptions,
  resultBytes,
  resultLines,
  resultText,
} from './job-result-streams.js';
import type { ManagerRuntime } from './manager-runtime.js';
import { TenantWebhooks } from './tenant-webhooks.js';

/** A job as getJob shows it, with its batches and latest errors. */
export interface JobDetails extends JobView {
  batches: BatchView[];
  errors: Array<{
    customId: string;
    type: string | null;
    message: string | null;
    final: boolean;
    at: string;
  }>;
}

export interface ListJobsResult {
  jobs: JobView[];
  total: number;
  limit: number;
  offset: number;
}

export type JobStats = StatsRow;

/** How many of a job's latest errors getJob shows. */
const RECENT_ERRORS = 20;

/** The manager's methods for one tenant: it sees and touches only its own jobs. */
export class TenantJobs {
  readonly #runtime: () => Promise<ManagerRuntime>;
  /** The tenant's webhook subscriptions. */
  readonly webhooks: TenantWebhooks;
  constructor(
    runtime: () => Promise<ManagerRuntime>,
    readonly tenant: string,
  ) {
    this.#runtime = runtime;
    this.webhooks = new TenantWebhooks(runtime, tenant);
  }

  /** createJob, saying whether this call created the job (not an Idempotency-Key replay) and the callback secret it generated. */
  async createJobWithOutcome(config: unknown, caller?: Caller): Promise<CreatedJob> {
    const { commands, worker } = await this.#runtime();
    const outcome = await commands.createJobWithOutcome(this.tenant, config, caller);
    worker?.createdHere();
    return outcome;
  }

  async createJob(config: unknown, caller?: Caller): Promise<JobSummary> {
    const { commands, worker } = await this.#runtime();
    const summary = await commands.createJob(this.tenant, config, caller);
    worker?.createdHere();
    return summary;
  }

  /** The job with its batches and latest errors (one statement); null for none or another tenant's. */
  async getJob(jobId: string): Promise<JobDetails | null> {
    const { database, commands } = await this.#runtime();
    const found = await findJobDetails(database.db, this.tenant, jobId, RECENT_ERRORS);
    if (!found) return null;
    const view = rowToJobView(found.job);
    // The tenant's own budget came with the job: its spend is read only when it has a budget.
    const tenantDaily = await commands.tenantBudgetUse(this.tenant, found.tenantDailyBudgetUsd);
    return {
      ...view,
      budget: { ...view.budget, ...(tenantDaily ? { tenantDaily } : {}) },
      batches: found.batches.map(rowToBatchView),
      errors: found.errors.map((e) => ({ ...e, at: e.at.toISOString() })),
    };
  }

  /** The job's status alone; null for none or another tenant's. */
  async getJobStatus(jobId: string): Promise<JobStatus | null> {
    const { database } = await this.#runtime();
    return (
      ((await findJobStatus(database.db, this.tenant, jobId)) as JobStatus | undefined) ?? null
    );
  }

  /** Whether the request `correlationId` created the job (rather than finding it by its Idempotency-Key). */
  async createdBy(jobId: string, correlationId: string): Promise<boolean> {
    const { database } = await this.#runtime();
    return (await findJobCreator(database.db, this.tenant, jobId)) === correlationId;
  }

  async updateJobStatus(
    jobId: string,
    status: string,
    updates?: { reason?: string; error?: string },
  ) {
    const { commands, worker } = await this.#runtime();
    await commands.updateJobStatus(this.tenant, jobId, status, updates);
    worker?.committedHere(jobId);
    return this.getJob(jobId);
  }

  async updateProgress(jobId: string, progress: Partial<Omit<JobProgress, 'percentComplete'>>) {
    const { commands } = await this.#runtime();
    return commands.updateProgress(this.tenant, jobId, progress);
  }

  async addResult(jobId: string, requestId: string, result: unknown): Promise<void> {
    const { commands, worker } = await this.#runtime();
    await commands.addResult(this.tenant, jobId, requestId, result);
    worker?.committedHere(jobId);
  }

  async addError(jobId: string, requestId: string, error: unknown): Promise<void> {
    const { commands, worker } = await this.#runtime();
    await commands.addError(this.tenant, jobId, requestId, error);
    worker?.committedHere(jobId);
  }

  async cancelJob(jobId: string, caller?: Caller): Promise<CancelResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.cancelJob(this.tenant, jobId, caller);
    worker?.committedHere(jobId);
    return result;
  }

  async pauseJob(jobId: string, caller?: Caller): Promise<TransitionResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.pauseJob(this.tenant, jobId, caller);
    worker?.committedHere(jobId);
    return result;
  }

  async resumeJob(jobId: string, caller?: Caller): Promise<TransitionResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.resumeJob(this.tenant, jobId, caller);
    worker?.committedHere(jobId);
    return result;
  }

  /** Sets, changes or removes (null) a job's maxCostUsd; raising it resumes a job paused for its budget. */
  async changeBudget(
    jobId: string,
    maxCostUsd: number | null,
    caller?: Caller,
  ): Promise<BudgetChangeResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.changeBudget(this.tenant, jobId, maxCostUsd, caller);
    worker?.committedHere(jobId);
    return result;
  }

  async deleteJob(jobId: string, caller?: Caller): Promise<DeleteResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.deleteJob(this.tenant, jobId, caller);
    worker?.committedHere(jobId);
    return result;
  }

  /**
   * Sends again the failed requests of an ended job as a new job (`retryOf`), with `overrides`
   * merged into their params (RFC 7386).
   * @example await jobs.retryJob(id, { filter: { resultTypes: ['errored'] }, overrides: { max_tokens: 2048 } })
   */
  async retryJob(
    jobId: string,
    options: RetryOptionsInput = {},
    caller?: Caller,
  ): Promise<RetriedJob> {
    const { commands, worker } = await this.#runtime();
    const retried = await commands.retryJob(this.tenant, jobId, options, caller);
    worker?.createdHere();
    return retried;
  }

  /** What a job of this config would cost before it is created; nothing is stored. */
  async estimateJob(config: unknown): Promise<JobEstimate> {
    const { estimator, commands } = await this.#runtime();
    // The same 400 as creation for a budget that cannot be guaranteed.
    await commands.assertBudgetBounded(this.tenant, config);
    return estimator.estimate(config);
  }

  /** Cancels or retries every job the filter matches (at most 1000 a call); `dryRun` changes nothing. */
  async bulkJobs(body: unknown, caller?: Caller): Promise<BulkResult> {
    const { commands, database, worker } = await this.#runtime();
    const result = await bulkJobs(database.db, commands, this.tenant, body, caller);
    for (const job of result.jobs) {
      if (job.retryJobId) worker?.createdHere();
      if (job.outcome === 'cancelled') worker?.committedHere(job.id);
    }
    return result;
  }

  async listJobs(filters: unknown = {}): Promise<ListJobsResult> {
    const { database } = await this.#runtime();
    const filter = parseListJobsFilter(filters);
    const { rows, total } = await listJobRows(database.db, this.tenant, filter);
    return { jobs: rows.map(rowToJobView), total, limit: filter.limit, offset: filter.offset };
  }

  /** Every final result of the job keyed by custom_id (the seed's shape); null when there is no such job. */
  async getJobResults(jobId: string): Promise<{
    id: string;
    status: JobStatus;
    count: number;
    results: Record<string, Omit<JobResultLine, 'ordinal' | 'custom_id'>>;
  } | null> {
    const status = await this.getJobStatus(jobId);
    if (!status) return null;
    const results: Record<string, Omit<JobResultLine, 'ordinal' | 'custom_id'>> = {};
    let count = 0;
    for await (const { ordinal: _o, custom_id, ...line } of this.iterateResults(jobId)) {
      results[custom_id] = line;
      count += 1;
    }
    return { id: jobId, status, count, results };
  }

  /**
   * A job's final results in request order, read page by page (bounded memory); nothing for
   * a job that is not this tenant's.
   */
  async *iterateResults(
    jobId: string,
    options: ResultStreamOptions = {},
  ): AsyncGenerator<JobResultLine> {
    const { database } = await this.#runtime();
    yield* resultLines(database, this.tenant, jobId, options);
  }

  /**
   * The same results as NDJSON text, as Postgres keeps them (never parsed here), in chunks of
   * whole lines (about 1 MiB each), each read only when the one before has been taken; nothing
   * for a job that is not this tenant's.
   */
  async *iterateResultsText(
    jobId: string,
    options: ResultStreamOptions = {},
  ): AsyncGenerator<string> {
    const { database } = await this.#runtime();
    yield* resultText(database, this.tenant, jobId, options);
  }

  /**
   * iterateResultsText as UTF-8 bytes: on a real Postgres read by COPY, the lines' bytes as
   * Postgres built them, never decoded here (what GET /v1/jobs/:id/results streams).
   */
  async *iterateResultsBytes(
    jobId: string,
    options: ResultStreamOptions = {},
  ): AsyncGenerator<Uint8Array> {
    const { database } = await this.#runtime();
    yield* resultBytes(database, this.tenant, jobId, options);
  }

  /** The job's events in order: its audit log. */
  async readEvents(jobId: string): Promise<RecordedEvent[] | null> {
    const { database } = await this.#runtime();
    const events = await readStream(database.db, jobId);
    if (events.length === 0 || events[0]!.metadata.tenant !== this.tenant) return null;
    return events;
  }

  /**
   * The job's log as a self-contained NDJSON export (`audit export`'s lines, docs/audit.md);
   * a NotFoundError, on the first line, for a job that is not this tenant's.
   */
  async *exportEvents(jobId: string, batchkeeperVersion: string): AsyncGenerator<string> {
    const { database } = await this.#runtime();
    yield* exportJobLines(database.db, jobId, batchkeeperVersion, { tenant: this.tenant });
  }

  async getJobStats(): Promise<JobStats> {
    const { database } = await this.#runtime();
    return readStats(database.db, this.tenant);
  }
}
