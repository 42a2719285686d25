import { EventEmitter } from 'node:events';
import { type ManagerEnvironment, managerEnvironment } from '../config.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { type JobState, progressOf } from '../domain/job.state.js';
import type { JobEstimate } from '../domain/job-estimate.js';
import type { JobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import type {
  BudgetChangeResult,
  CancelResult,
  DeleteResult,
  TransitionResult,
} from '../machines/job-command-results.js';
import type { JobNotifications } from '../machines/job-notifications.js';
import type { JobOptions } from '../machines/job-options.js';
import type { JobSummary } from '../machines/job-views.js';
import {
  createWebhookSettings,
  type WebhookSettings,
  type WebhookSubscriptionWithSecret,
} from '../webhooks/index.js';
import { BackgroundFailure } from './background-failure.js';
import { bootManagerRuntime } from './boot-manager-runtime.js';
import { managerJobOptions } from './manager-job-options.js';
import type { BatchJobManagerOptions } from './manager-options.js';
import type { ManagerRuntime } from './manager-runtime.js';
import { type JobDetails, type JobStats, type ListJobsResult, TenantJobs } from './tenant-jobs.js';
import type { TenantWebhooks } from './tenant-webhooks.js';
import { type WaitForJobOptions, waitForJob } from './wait-for-job.js';

export { type JobDetails, type JobStats, type ListJobsResult, TenantJobs };

/**
 * The job manager: every capability of the seed's BatchJobManager, kept in
 * Postgres. It connects (and migrates) on first use; `close()` stops it.
 * Events (`job:created`, `job:status_changed`...) are emitted after commit.
 */
export class BatchJobManager extends EventEmitter {
  readonly options: JobOptions;
  readonly instanceId: string;
  readonly #settings: BatchJobManagerOptions;
  readonly #tenant: string;
  readonly #clock: Clock;
  readonly #webhooks: WebhookSettings;
  readonly #env: ManagerEnvironment;
  #runtime: Promise<ManagerRuntime> | undefined;
  #closed = false;

  constructor(options: BatchJobManagerOptions = {}) {
    super();
    // The environment is read here, once, for what the options leave out.
    const env = options.environment ?? managerEnvironment();
    this.#env = env;
    this.options = managerJobOptions(options, env);
    this.#settings = options;
    this.#tenant = options.tenant ?? 'default';
    this.#clock = options.clock ?? systemClock;
    this.instanceId = options.instanceId ?? env.instanceId;
    this.#webhooks =
      options.webhookSettings ??
      createWebhookSettings({
        allow: options.webhookAllow ?? env.webhookAllow,
        encryptionKey: options.encryptionKey ?? env.encryptionKey,
        clock: this.#clock,
      });
  }

  /** @internal the webhook settings, built once; serve's webhook routes use the same. */
  get webhookSettings(): WebhookSettings {
    return this.#webhooks;
  }

  /** Connects, migrates and starts the worker; called by every method, safe to call yourself. */
  async ready(): Promise<void> {
    await this.#start();
  }

  /** The same manager acting for another tenant (the HTTP API uses one per API key). */
  forTenant(tenant: string): TenantJobs {
    return new TenantJobs(() => this.#start(), tenant);
  }

  createJob(config: unknown): Promise<JobSummary> {
    return this.forTenant(this.#tenant).createJob(config);
  }
  getJob(jobId: string): Promise<JobDetails | null> {
    return this.forTenant(this.#tenant).getJob(jobId);
  }
  updateJobStatus(
    jobId: string,
    status: JobStatus | string,
    updates?: { reason?: string; error?: string },
  ) {
    return this.forTenant(this.#tenant).updateJobStatus(jobId, status, updates);
  }
  updateProgress(
    jobId: string,
    progress: Partial<Omit<JobProgress, 'percentComplete'>>,
  ): Promise<JobProgress> {
    return this.forTenant(this.#tenant).updateProgress(jobId, progress);
  }
  addResult(jobId: string, requestId: string, result: unknown): Promise<void> {
    return this.forTenant(this.#tenant).addResult(jobId, requestId, result);
  }
  addError(jobId: string, requestId: string, error: unknown): Promise<void> {
    return this.forTenant(this.#tenant).addError(jobId, requestId, error);
  }
  cancelJob(jobId: string): Promise<CancelResult> {
    return this.forTenant(this.#tenant).cancelJob(jobId);
  }
  pauseJob(jobId: string): Promise<TransitionResult> {
    return this.forTenant(this.#tenant).pauseJob(jobId);
  }
  resumeJob(jobId: string): Promise<TransitionResult> {
    return this.forTenant(this.#tenant).resumeJob(jobId);
  }
  /** Sets, changes or removes (null) a job's maxCostUsd; raising it resumes a job paused for its budget. */
  changeBudget(jobId: string, maxCostUsd: number | null): Promise<BudgetChangeResult> {
    return this.forTenant(this.#tenant).changeBudget(jobId, maxCostUsd);
  }
  listJobs(filters: unknown = {}): Promise<ListJobsResult> {
    return this.forTenant(this.#tenant).listJobs(filters);
  }
  deleteJob(jobId: string): Promise<DeleteResult> {
    return this.forTenant(this.#tenant).deleteJob(jobId);
  }
  getJobResults(jobId: string) {
    return this.forTenant(this.#tenant).getJobResults(jobId);
  }
  /**
   * A job's final results in request order; `merged: true` follows its retry chain (the newest
   * outcome of each request, with `_producedBy`).
   */
  iterateResults(jobId: string, options?: Parameters<TenantJobs['iterateResults']>[1]) {
    return this.forTenant(this.#tenant).iterateResults(jobId, options);
  }
  /**
   * Sends again the failed requests of an ended job as a new job linked to it.
   * @example await manager.retryJob(id, { filter: { resultTypes: ['expired'] } })
   */
  retryJob(jobId: string, options?: Parameters<TenantJobs['retryJob']>[1]) {
    return this.forTenant(this.#tenant).retryJob(jobId, options);
  }
  /** Cancels or retries every job a filter matches (at most 1000 a call); `dryRun: true` changes nothing. */
  bulkJobs(body: Parameters<TenantJobs['bulkJobs']>[0]) {
    return this.forTenant(this.#tenant).bulkJobs(body);
  }
  getJobStats(): Promise<JobStats> {
    return this.forTenant(this.#tenant).getJobStats();
  }
  /**
   * What a job of this config would cost, at batch prices, before it is created (nothing is stored).
   * @example const { minUsd, maxUsd } = await manager.estimateJob({ requests })
   */
  estimateJob(config: unknown): Promise<JobEstimate> {
    return this.forTenant(this.#tenant).estimateJob(config);
  }
  /**
   * Resolves with the job once it has ended (completed, failed, cancelled or expired).
   * @example const job = await manager.waitForJob(id, { timeoutMs: 60_000 });
   */
  waitForJob(jobId: string, options?: WaitForJobOptions): Promise<JobDetails> {
    return waitForJob(this, this.#tenant, jobId, options);
  }
  registerBatchWebhook(
    config: Parameters<TenantWebhooks['registerBatchWebhook']>[0],
  ): Promise<WebhookSubscriptionWithSecret> {
    return this.forTenant(this.#tenant).webhooks.registerBatchWebhook(config);
  }
  triggerBatchWebhook(
    input: Parameters<TenantWebhooks['triggerBatchWebhook']>[0],
  ): Promise<{ deliveryIds: string[] }> {
    return this.forTenant(this.#tenant).webhooks.triggerBatchWebhook(input);
  }

  /** Stops the worker (leases handed over), the relay and the simulator, and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#runtime) return;
    const runtime = await this.#runtime.catch(() => undefined);
    if (!runtime) return;
    runtime.gauges.stop();
    await runtime.wakeups?.close();
    await runtime.worker?.stop();
    await runtime.relay?.stop();
    await runtime.simulator?.stop();
    if (runtime.ownsDatabase) await runtime.database.close();
  }

  /** @internal the started parts, for the HTTP layer and the tenant view. */
  async runtime(): Promise<ManagerRuntime> {
    return this.#start();
  }

  #start(): Promise<ManagerRuntime> {
    if (this.#closed) return Promise.reject(new Error('the manager is closed'));
    this.#runtime ??= this.#boot();
    return this.#runtime;
  }

  #boot(): Promise<ManagerRuntime> {
    return bootManagerRuntime({
      settings: this.#settings,
      env: this.#env,
      clock: this.#clock,
      instanceId: this.instanceId,
      options: this.options,
      webhooks: this.#webhooks,
      report: (level, message, fields) => this.#report(level, message, fields),
      notify: (name, payload) => this.#notify(name, payload),
      notifyChange: (oldStatus, after) => this.#notifyChange(oldStatus, after),
    });
  }

  #notifyChange(oldStatus: JobStatus, after: JobState) {
    if (oldStatus !== after.status) {
      this.#notify('job:status_changed', {
        id: after.id,
        oldStatus,
        newStatus: after.status,
        progress: progressOf(after),
      });
      if (after.status === 'cancelled') this.#notify('job:cancelled', { id: after.id });
    }
    const progress = progressOf(after);
    this.#notify('job:progress', {
      id: after.id,
      progress,
      percentComplete: progress.percentComplete,
    });
  }

  /**
   * What the manager's parts report: to the `log` option; a failure (level error) also as an
   * `error` event when someone listens, else to stderr when there is no `log` either.
   */
  #report(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}) {
    const log = this.#settings.log;
    log?.(level, message, fields);
    if (level !== 'error') return;
    if (this.listenerCount('error') > 0) this.emit('error', new BackgroundFailure(message, fields));
    else if (!log) console.error(`batchkeeper: ${message}`, fields);
  }

  #notify<K extends keyof JobNotifications>(name: K, payload: JobNotifications[K]) {
    // A listener's exception must not undo or interrupt the work that was committed.
    try {
      this.emit(name, payload);
    } catch (error) {
      this.#report('error', `a ${name} listener threw`, { error: String(error) });
    }
  }
}
