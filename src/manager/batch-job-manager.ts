import { EventEmitter } from 'node:events';
import { ModelCatalogueCache } from '../anthropic/model-catalogue-cache.js';
import { type ManagerEnvironment, managerEnvironment } from '../config.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { progressOf } from '../domain/job.state.js';
import type { JobEstimate } from '../domain/job-estimate.js';
import type { JobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import { JobEstimator } from '../machines/estimate-job.js';
import type {
  BudgetChangeResult,
  CancelResult,
  DeleteResult,
  TransitionResult,
} from '../machines/job-command-results.js';
import { JobCommands } from '../machines/job-commands.js';
import type { JobNotifications } from '../machines/job-notifications.js';
import { DEFAULT_JOB_OPTIONS, type JobOptions } from '../machines/job-options.js';
import type { JobChange } from '../machines/job-store.js';
import type { JobSummary } from '../machines/job-views.js';
import { JobWorker } from '../machines/job-worker.js';
import { createDatabase } from '../store/create-database.js';
import { migrate } from '../store/migrate.js';
import type { Trx } from '../store/schema/index.js';
import {
  checkJobCallbackUrl,
  createWebhookSettings,
  type RelayLogger,
  registerJobCallback,
  startWebhookRelay,
  type WebhookSettings,
  type WebhookSubscriptionWithSecret,
} from '../webhooks/index.js';
import { BackgroundFailure } from './background-failure.js';
import { connectAnthropic } from './connect-anthropic.js';
import { enqueueChangeWebhooks } from './job-change-webhooks.js';
import { recordCommittedChange, startJobGauges } from './job-metrics.js';
import type { BatchJobManagerOptions } from './manager-options.js';
import type { ManagerRuntime } from './manager-runtime.js';
import { type JobDetails, type JobStats, type ListJobsResult, TenantJobs } from './tenant-jobs.js';
import type { TenantWebhooks } from './tenant-webhooks.js';
import { type WaitForJobOptions, waitForJob } from './wait-for-job.js';
import { listenForWakeups } from './wakeup-listener.js';

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
    const { defaultPriority, ...rest } = options;
    // The environment is read here, once, for what the options leave out.
    const env = options.environment ?? managerEnvironment();
    this.#env = env;
    this.options = {
      ...DEFAULT_JOB_OPTIONS,
      ...pickJobOptions({ anthropicVersion: env.anthropicVersion, priceTable: env.priceTable }),
      ...pickJobOptions(rest),
      ...(defaultPriority ? { defaultPriority } : {}),
    };
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

  async #boot(): Promise<ManagerRuntime> {
    const s = this.#settings;
    const database =
      s.database ??
      (await createDatabase({
        databaseUrl: s.databaseUrl ?? this.#env.databaseUrl,
        dataDir: s.dataDir ?? this.#env.dataDir,
        listenUrl: s.listenUrl ?? this.#env.listenUrl,
        preparedStatements: s.preparedStatements ?? this.#env.preparedStatements,
      }));
    await migrate(database.db);
    const { api, simulator, listModels } = await connectAnthropic(
      s,
      this.#env,
      (level, message, fields) => this.#report(level, message, fields),
    );
    const models = listModels
      ? new ModelCatalogueCache({
          list: listModels,
          clock: this.#clock,
          warn: (message, fields) => this.#report('warn', message, fields),
        })
      : undefined;
    // Read now, in the background, so the first creation finds the catalogue (or the fallback).
    void models?.current();
    const onChange = (trx: Trx, change: JobChange) => enqueueChangeWebhooks(trx, change);
    const context = { instanceId: this.instanceId, onChange };
    const runWorker = s.worker ?? true;
    const worker = runWorker
      ? new JobWorker({
          db: database.db,
          api,
          clock: this.#clock,
          options: this.options,
          context,
          onCommitted: (before, after) => {
            recordCommittedChange(before, after);
            this.#notifyChange(before.status, after);
          },
          log: (message, fields, level = 'info') => this.#report(level, message, fields),
        })
      : undefined;
    const commands = new JobCommands({
      db: database.db,
      clock: this.#clock,
      instanceId: this.instanceId,
      options: this.options,
      notify: (name, payload) => this.#notify(name, payload),
      modelCatalogue: models ? () => models.current() : undefined,
      validateCallbackUrl: (url) => checkJobCallbackUrl(url, this.#webhooks),
      onJobCreated: async (trx, job, config) => {
        if (!config.callbackUrl) return undefined;
        const { secret } = await registerJobCallback(
          trx,
          {
            tenant: job.tenant,
            jobId: job.id,
            url: config.callbackUrl,
            secret: config.webhookSecret,
          },
          this.#webhooks,
        );
        // A secret the caller gave is theirs already; one generated here is shown once.
        return config.webhookSecret ? {} : { callbackSecret: secret };
      },
      takeCreatedJob: () => worker?.takeCreatedJob() ?? false,
      onChange,
    });
    worker?.start();
    const relay =
      (s.webhookRelay ?? runWorker)
        ? startWebhookRelay({
            db: database.db,
            instanceId: this.instanceId,
            ...this.#webhooks,
            concurrency: s.webhookConcurrency,
            pollMs: s.webhookPollMs,
            listeningPollMs: s.webhookListeningPollMs,
            logger:
              s.relayLogger ??
              relayLoggerFrom((level, message, fields) => this.#report(level, message, fields)),
          })
        : undefined;
    const wakeups =
      worker || relay
        ? await listenForWakeups(database, worker, relay, (level, message, fields) =>
            this.#report(level, message, fields),
          )
        : undefined;
    const gauges = startJobGauges(database.db, (error) =>
      this.#report('warn', 'could not read job counts', { error: String(error) }),
    );
    return {
      database,
      ownsDatabase: !s.database,
      commands,
      estimator: new JobEstimator({
        api,
        clock: this.#clock,
        options: this.options,
        modelCatalogue: models ? () => models.current() : undefined,
      }),
      worker,
      relay,
      simulator,
      gauges,
      wakeups,
      webhooks: this.#webhooks,
    };
  }

  #notifyChange(oldStatus: JobStatus, after: import('../domain/job.state.js').JobState) {
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

/** The relay's failures into the manager's `log` (they vanished into a silent logger before). */
function relayLoggerFrom(log: NonNullable<BatchJobManagerOptions['log']>): RelayLogger {
  const at = (level: 'info' | 'warn' | 'error') => (fields: unknown, message?: string) =>
    log(
      level,
      message ?? '',
      fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {},
    );
  return { debug: () => {}, warn: at('warn'), error: at('error') } as unknown as RelayLogger;
}

function pickJobOptions(value: object): Partial<JobOptions> {
  return Object.fromEntries(
    Object.entries(value).filter(([key, v]) => key in DEFAULT_JOB_OPTIONS && v !== undefined),
  ) as Partial<JobOptions>;
}
