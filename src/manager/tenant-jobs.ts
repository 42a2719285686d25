import type { JobStatus } from '../domain/job-status.js';
import { parseListJobsFilter } from '../domain/list-jobs.schema.js';
import type { JobProgress } from '../domain/progress.js';
import type { CancelResult, DeleteResult, TransitionResult } from '../machines/job-commands.js';
import {
  type BatchView,
  type JobSummary,
  type JobView,
  rowToBatchView,
  rowToJobView,
} from '../machines/job-views.js';
import { readStream } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import {
  findJobRow,
  listJobBatches,
  listJobRows,
  readStats,
  type StatsRow,
} from '../store/jobs/job-queries.js';
import {
  type JobResultLine,
  type ResultType,
  readJobResults,
  recentErrors,
} from '../store/jobs/request-results.js';
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

  async createJob(config: unknown, correlationId?: string): Promise<JobSummary> {
    const { commands, worker } = await this.#runtime();
    const summary = await commands.createJob(this.tenant, config, correlationId);
    worker?.committedHere();
    return summary;
  }

  async getJob(jobId: string): Promise<JobDetails | null> {
    const { database } = await this.#runtime();
    const row = await findJobRow(database.db, this.tenant, jobId);
    if (!row) return null;
    const [batches, errors] = await Promise.all([
      listJobBatches(database.db, jobId),
      recentErrors(database.db, jobId, 20),
    ]);
    return {
      ...rowToJobView(row),
      batches: batches.map(rowToBatchView),
      errors: errors.map((e) => ({ ...e, at: e.at.toISOString() })),
    };
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

  async cancelJob(jobId: string, correlationId?: string): Promise<CancelResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.cancelJob(this.tenant, jobId, correlationId);
    worker?.committedHere(jobId);
    return result;
  }

  async pauseJob(jobId: string, correlationId?: string): Promise<TransitionResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.pauseJob(this.tenant, jobId, correlationId);
    worker?.committedHere(jobId);
    return result;
  }

  async resumeJob(jobId: string, correlationId?: string): Promise<TransitionResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.resumeJob(this.tenant, jobId, correlationId);
    worker?.committedHere(jobId);
    return result;
  }

  async deleteJob(jobId: string, correlationId?: string): Promise<DeleteResult> {
    const { commands, worker } = await this.#runtime();
    const result = await commands.deleteJob(this.tenant, jobId, correlationId);
    worker?.committedHere(jobId);
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
    const job = await this.getJob(jobId);
    if (!job) return null;
    const results: Record<string, Omit<JobResultLine, 'ordinal' | 'custom_id'>> = {};
    let count = 0;
    for await (const { ordinal: _o, custom_id, ...line } of this.iterateResults(jobId)) {
      results[custom_id] = line;
      count += 1;
    }
    return { id: jobId, status: job.status, count, results };
  }

  /** A job's final results in request order, read page by page (bounded memory). */
  async *iterateResults(
    jobId: string,
    options: { type?: ResultType | undefined } = {},
  ): AsyncGenerator<JobResultLine> {
    const { database } = await this.#runtime();
    let afterOrdinal = -1;
    for (;;) {
      const page = await readJobResults(database.db, jobId, {
        afterOrdinal,
        limit: 1000,
        type: options.type,
      });
      yield* page;
      if (page.length < 1000) return;
      afterOrdinal = page.at(-1)!.ordinal;
    }
  }

  /** The job's events in order: its audit log. */
  async readEvents(jobId: string): Promise<RecordedEvent[] | null> {
    const { database } = await this.#runtime();
    const events = await readStream(database.db, jobId);
    if (events.length === 0 || events[0]!.metadata.tenant !== this.tenant) return null;
    return events;
  }

  async getJobStats(): Promise<JobStats> {
    const { database } = await this.#runtime();
    return readStats(database.db, this.tenant);
  }
}
